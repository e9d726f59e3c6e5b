import datetime

import pytest

from batches.models import Batch
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.batch_helpers import (
    ID_FORMS,
    batch_ref,
    one_job_per_status,
    recently,
    statuses_of,
    stored_batch,
    stored_state,
)
from tests.factories import UNKNOWN_OBJECT_ID, insert_batch, insert_job, insert_jobs, stored_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("ana", "change_batch"))


@pytest.mark.parametrize("id_form", ID_FORMS)
def test_cancels_the_waiting_jobs_and_leaves_the_others_untouched(api, id_form):
    batch = insert_batch(is_active=True)
    jobs = one_job_per_status(batch)

    # The frontend posts with no body, by ObjectId.
    response = api.post(f"/api/v1/batches/{batch_ref(batch, id_form)}/cancel")

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Batch cancelled", "jobs_cancelled": 3}
    for status in ("pending", "scheduled", "failed"):
        job = stored_job(jobs[status]["_id"])
        assert job["status"] == "cancelled"
        assert job["cancellation_reason"] == "Batch cancelled"
        assert job["cancelled_by"] == "ana"
        assert recently(job["cancelled_at"])
        assert job["updated_at"] == job["cancelled_at"]
    for status in ("in_progress", "done", "completed", "suspended", "cancelled"):
        assert stored_job(jobs[status]["_id"]) == jobs[status]


def test_the_batch_becomes_inactive_and_records_the_cancellation(api):
    batch = insert_batch(is_active=True)

    api.post(f"/api/v1/batches/{batch['_id']}/cancel")

    stored = stored_batch(batch["_id"])
    assert stored["is_active"] is False
    assert stored["cancellation_reason"] == "Batch cancelled"
    assert recently(stored["cancelled_at"])
    assert "deleted_at" not in stored


def test_jobs_of_other_batches_and_without_a_batch_are_not_touched(api):
    batch = insert_batch()
    other = insert_batch()
    others = [insert_job(batch_id=other["batch_id"]), insert_job(batch_id=None), insert_job(batch_id="batch-gone")]

    response = api.post(f"/api/v1/batches/{batch['batch_id']}/cancel")

    assert response.json()["jobs_cancelled"] == 0
    assert [stored_job(job["_id"]) for job in others] == others
    assert stored_batch(other["_id"])["is_active"] is True


@pytest.mark.parametrize(
    ("request_kwargs", "url_suffix"),
    [({"data": {"reason": "Client asked to stop"}, "format": "json"}, ""), ({}, "?reason=Client+asked+to+stop")],
)
def test_a_reason_from_the_body_or_the_query_is_recorded(api, request_kwargs, url_suffix):
    batch = insert_batch()
    job = insert_job(batch_id=batch["batch_id"])

    api.post(f"/api/v1/batches/{batch['_id']}/cancel{url_suffix}", **request_kwargs)

    assert stored_job(job["_id"])["cancellation_reason"] == "Client asked to stop"
    assert stored_batch(batch["_id"])["cancellation_reason"] == "Client asked to stop"


def test_cancelling_a_cancelled_batch_again_is_a_409_and_changes_nothing(api):
    batch = insert_batch()
    insert_jobs(2, batch_id=batch["batch_id"])
    api.post(f"/api/v1/batches/{batch['_id']}/cancel")
    late = insert_job(batch_id=batch["batch_id"])

    response = api.post(f"/api/v1/batches/{batch['_id']}/cancel")

    assert (response.status_code, response.json()["status"]) == (409, "cancelled")
    assert stored_job(late["_id"])["status"] == "pending"


def test_moves_the_stored_counters_by_the_jobs_cancelled(api):
    batch = insert_batch(total_jobs=4, pending_jobs=2, failed_jobs=1, completed_jobs=1)
    insert_jobs(2, batch_id=batch["batch_id"], status="pending")
    insert_job(batch_id=batch["batch_id"], status="failed")
    insert_job(batch_id=batch["batch_id"], status="done")

    api.post(f"/api/v1/batches/{batch['_id']}/cancel")

    stored = stored_batch(batch["_id"])
    assert (stored["total_jobs"], stored["pending_jobs"], stored["failed_jobs"], stored["completed_jobs"]) == (
        4,
        0,
        0,
        1,
    )


def test_a_batch_without_a_custom_id_cancels_no_job(api):
    legacy_id = collection(Batch).insert_one({"name": "legacy", "is_active": True}).inserted_id
    orphan = insert_job(batch_id=None)

    response = api.post(f"/api/v1/batches/{legacy_id}/cancel")

    assert response.json()["jobs_cancelled"] == 0
    assert stored_job(orphan["_id"]) == orphan


@pytest.mark.parametrize("unknown", [UNKNOWN_OBJECT_ID, "batch-unknown"])
def test_an_unknown_batch_is_a_404_and_changes_nothing(api, unknown):
    insert_job(batch_id="batch-unknown")
    insert_batch()
    before = stored_state()

    response = api.post(f"/api/v1/batches/{unknown}/cancel")

    assert response.status_code == 404
    assert response.json() == {"detail": "Batch not found", "message": "Batch not found"}
    assert stored_state() == before


def test_a_deleted_batch_is_a_404(api):
    batch = insert_batch(deleted_at=datetime.datetime(2025, 10, 30))
    job = insert_job(batch_id=batch["batch_id"])

    assert api.post(f"/api/v1/batches/{batch['_id']}/cancel").status_code == 404
    assert statuses_of([job]) == ["pending"]


def test_a_reason_over_500_characters_is_a_400_and_changes_nothing(api):
    batch = insert_batch()
    insert_job(batch_id=batch["batch_id"])
    before = stored_state()

    response = api.post(f"/api/v1/batches/{batch['_id']}/cancel", {"reason": "x" * 501}, format="json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("reason:")
    assert stored_state() == before


def test_needs_the_change_permission(db):
    batch = insert_batch()
    job = insert_job(batch_id=batch["batch_id"])

    for client in (token_client(make_user("reader")), token_client(make_user("deleter", "delete_batch"))):
        response = client.post(f"/api/v1/batches/{batch['_id']}/cancel")
        assert response.status_code == 403
        assert response.json()["detail"] == "You do not have permission to change batches."
    assert statuses_of([job]) == ["pending"]
    assert stored_batch(batch["_id"])["is_active"] is True
