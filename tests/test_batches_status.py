"""GET /batches/{batch_id}/status (polled by the frontend) and /summary."""

import datetime

import pytest
from bson import ObjectId
from rest_framework.test import APIClient

from tests.api import make_user, token_client
from tests.batch_helpers import ID_FORMS, batch_ref
from tests.factories import insert_batch, insert_job, insert_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("reader"))


@pytest.fixture
def campaign():
    """10 jobs: 3 waiting, 1 being called, 4 finished OK, 1 failed, 1 cancelled."""
    batch = insert_batch(
        is_active=True,
        started_at=datetime.datetime(2025, 10, 28, 13, 0),
        total_jobs=99,
        total_cost=310.5,
        total_minutes=42.0,
        priority=3,
    )
    insert_jobs(2, batch_id=batch["batch_id"], status="pending")
    insert_job(batch_id=batch["batch_id"], status="scheduled")
    insert_job(batch_id=batch["batch_id"], status="in_progress")
    insert_jobs(3, batch_id=batch["batch_id"], status="done")
    insert_job(batch_id=batch["batch_id"], status="completed")
    insert_job(batch_id=batch["batch_id"], status="failed")
    insert_job(batch_id=batch["batch_id"], status="cancelled")
    return batch


@pytest.mark.parametrize("id_form", ID_FORMS)
def test_status_reports_live_counts_and_progress(api, campaign, id_form):
    response = api.get(f"/api/v1/batches/{batch_ref(campaign, id_form)}/status")

    assert response.status_code == 200
    assert response.json() == {
        "batch_id": campaign["batch_id"],
        "is_active": True,
        "total_jobs": 10,
        "pending_jobs": 3,
        "in_progress_jobs": 1,
        "completed_jobs": 4,
        "failed_jobs": 1,
        "cancelled_jobs": 1,
        "suspended_jobs": 0,
        "progress_percentage": 60.0,
        "started_at": "2025-10-28T13:00:00.000000Z",
        "completed_at": None,
    }


def test_status_of_an_empty_batch_is_zero_progress(api):
    batch = insert_batch()

    body = api.get(f"/api/v1/batches/{batch['batch_id']}/status").json()

    assert (body["total_jobs"], body["progress_percentage"]) == (0, 0.0)


def test_progress_is_rounded_to_two_decimals(api):
    batch = insert_batch()
    insert_job(batch_id=batch["batch_id"], status="done")
    insert_jobs(2, batch_id=batch["batch_id"], status="pending")

    assert api.get(f"/api/v1/batches/{batch['batch_id']}/status").json()["progress_percentage"] == 33.33


@pytest.mark.parametrize("id_form", ID_FORMS)
def test_summary_adds_the_campaign_description_and_a_derived_status(api, campaign, id_form):
    response = api.get(f"/api/v1/batches/{batch_ref(campaign, id_form)}/summary")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == campaign["name"]
    assert body["account_id"] == "retail_express"
    assert body["status"] == "active"
    assert body["completion_rate"] == 40.0
    assert (body["total_cost"], body["total_minutes"], body["priority"]) == (310.5, 42.0, 3)
    assert body["created_at"] == campaign["created_at"].strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert (body["total_jobs"], body["pending_jobs"], body["progress_percentage"]) == (10, 3, 60.0)


@pytest.mark.parametrize(
    ("is_active", "job_statuses", "status"),
    [
        (True, ["pending", "done"], "active"),
        (False, ["pending", "done"], "paused"),
        (True, [], "active"),
        (False, [], "paused"),
        (False, ["in_progress", "done"], "paused"),
        (True, ["done", "failed", "cancelled"], "completed"),
        (False, ["done", "cancelled"], "completed"),
    ],
)
def test_summary_status_is_completed_when_nothing_is_left_to_call(api, is_active, job_statuses, status):
    batch = insert_batch(is_active=is_active)
    for job_status in job_statuses:
        insert_job(batch_id=batch["batch_id"], status=job_status)

    assert api.get(f"/api/v1/batches/{batch['batch_id']}/summary").json()["status"] == status


@pytest.mark.parametrize("endpoint", ["status", "summary"])
def test_unknown_and_deleted_batches_are_a_404(api, endpoint):
    deleted = insert_batch(deleted_at=datetime.datetime(2025, 10, 30))

    for batch_id in (str(ObjectId()), "batch-unknown", deleted["batch_id"]):
        response = api.get(f"/api/v1/batches/{batch_id}/{endpoint}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Batch not found", "message": "Batch not found"}


@pytest.mark.parametrize("endpoint", ["status", "summary"])
def test_needs_authentication(endpoint):
    batch = insert_batch()

    assert APIClient().get(f"/api/v1/batches/{batch['_id']}/{endpoint}").status_code == 401
