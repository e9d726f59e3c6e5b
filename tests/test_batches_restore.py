"""Restoring a cancelled or soft-deleted batch: its jobs cancelled by that
batch action come back (recognised by their stamp), the ones cancelled one
by one before stay cancelled, and the batch stays paused."""

import datetime

import pytest

from audit.models import AuditEntry
from tests.api import make_user, token_client
from tests.batch_helpers import stored_batch
from tests.factories import insert_batch, insert_job, insert_jobs, stored_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("ana", "change_batch", "delete_batch", "cancel_job"))


@pytest.fixture
def campaign(api):
    batch = insert_batch(is_active=True, total_jobs=6, pending_jobs=3, failed_jobs=1, completed_jobs=1)
    jobs = {
        "pending": insert_jobs(2, batch_id=batch["batch_id"], status="pending"),
        "scheduled": insert_jobs(1, batch_id=batch["batch_id"], status="scheduled"),
        "failed": insert_jobs(1, batch_id=batch["batch_id"], status="failed"),
        "done": insert_jobs(1, batch_id=batch["batch_id"], status="done"),
        "in_progress": insert_jobs(1, batch_id=batch["batch_id"], status="in_progress"),
    }
    return batch, jobs


@pytest.mark.parametrize("close", ["cancel", "delete"])
def test_restore_brings_back_the_jobs_the_batch_action_cancelled_and_keeps_the_batch_paused(api, campaign, close):
    batch, jobs = campaign
    one_by_one = jobs["pending"][0]
    api.put(f"/api/v1/jobs/{one_by_one['_id']}/cancel")  # cancelled before, on its own
    if close == "cancel":
        assert api.post(f"/api/v1/batches/{batch['_id']}/cancel").json()["jobs_cancelled"] == 3
    else:
        assert api.delete(f"/api/v1/batches/{batch['_id']}").json()["jobs_cancelled"] == 3

    response = api.post(f"/api/v1/batches/{batch['batch_id']}/restore")

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Batch restored", "jobs_restored": 3}
    assert stored_job(one_by_one["_id"])["status"] == "cancelled"
    for status in ("scheduled", "failed"):
        assert stored_job(jobs[status][0]["_id"])["status"] == status
    assert stored_job(jobs["pending"][1]["_id"])["status"] == "pending"
    stored = stored_batch(batch["_id"])
    assert stored["is_active"] is False
    for gone in ("cancelled_at", "cancellation_reason", "deleted_at", "closing", "cancel_action_ids"):
        assert gone not in stored
    assert (stored["pending_jobs"], stored["failed_jobs"]) == (2, 1)  # the one cancelled alone stays out
    assert api.get(f"/api/v1/batches/{batch['_id']}").json()["status"] == "paused"
    assert api.patch(f"/api/v1/batches/{batch['_id']}", {"is_active": True}, format="json").status_code == 200
    entry = AuditEntry.objects.get(action="batches.restore")
    assert (entry.state, entry.details["jobs_restored"]) == ("completed", 3)


@pytest.mark.parametrize("stored", [{}, {"is_active": False}])
def test_restore_is_a_409_from_any_state_but_cancelled_or_deleted(api, stored):
    batch = insert_batch(**stored)

    response = api.post(f"/api/v1/batches/{batch['_id']}/restore")

    assert response.status_code == 409
    assert response.json()["detail"].startswith("Batch cannot be restored in status")


def test_two_restores_of_the_same_batch_one_succeeds_one_conflicts(api, campaign):
    batch, _ = campaign
    api.post(f"/api/v1/batches/{batch['_id']}/cancel")

    first = api.post(f"/api/v1/batches/{batch['_id']}/restore")
    second = api.post(f"/api/v1/batches/{batch['_id']}/restore")

    assert (first.status_code, second.status_code) == (200, 409)


def test_a_batch_cancelled_before_stamps_existed_is_restored_by_its_reason_and_time(api):
    when = datetime.datetime(2025, 10, 30, 9, 0)
    batch = insert_batch(is_active=False, cancelled_at=when, cancellation_reason="Batch cancelled")
    by_batch = insert_job(
        batch_id=batch["batch_id"], status="cancelled", cancelled_at=when, cancellation_reason="Batch cancelled"
    )
    alone = insert_job(
        batch_id=batch["batch_id"],
        status="cancelled",
        cancelled_at=datetime.datetime(2025, 10, 29),
        cancellation_reason="Cancelled by user",
    )

    assert api.post(f"/api/v1/batches/{batch['_id']}/restore").json()["jobs_restored"] == 1

    assert stored_job(by_batch["_id"])["status"] == "pending"
    assert stored_job(alone["_id"])["status"] == "cancelled"


def test_restoring_a_deleted_batch_needs_the_delete_permission(campaign):
    batch, _ = campaign
    token_client(make_user("root", superuser=True)).delete(f"/api/v1/batches/{batch['_id']}")
    changer = token_client(make_user("carl", "change_batch"))

    assert changer.post(f"/api/v1/batches/{batch['_id']}/restore").status_code == 403
    assert stored_batch(batch["_id"])["deleted_at"] is not None


def test_an_unknown_batch_is_a_404(api):
    assert api.post("/api/v1/batches/batch-nope/restore").status_code == 404
