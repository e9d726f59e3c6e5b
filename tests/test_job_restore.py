"""Restore undoes a cancel: the job returns to the status it had, one by
one or in bulk, never into a batch that is still cancelled or deleted."""

import datetime

import pytest
from bson import ObjectId

from audit.models import AuditEntry
from tests.api import make_user, token_client
from tests.batch_helpers import stored_batch
from tests.factories import insert_batch, insert_job, insert_jobs, stored_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("ana", "cancel_job", "restore_job", "change_batch"))


@pytest.mark.parametrize("before", ["pending", "scheduled", "failed"])
@pytest.mark.parametrize("method", ["put", "post"])
def test_a_cancelled_job_returns_to_the_status_it_had(api, before, method):
    job = insert_job(status=before, last_error="busy")
    api.delete(f"/api/v1/jobs/{job['_id']}", {"reason": "Oops"}, format="json")

    response = getattr(api, method)(f"/api/v1/jobs/{job['job_id']}/restore")

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Job restored", "status": before}
    stored = stored_job(job["_id"])
    assert stored["status"] == before
    for gone in ("cancellation_reason", "cancelled_at", "cancelled_by", "status_before_cancel", "cancel_action_id"):
        assert gone not in stored
    assert stored["restored_by"] == "ana" and stored["restored_at"] == stored["updated_at"]
    assert stored["last_error"] == "busy"  # nothing else touched


def test_a_job_cancelled_before_status_before_cancel_existed_returns_to_pending(api):
    job = insert_job(status="cancelled", cancelled_at=datetime.datetime(2025, 1, 1), cancellation_reason="Old")

    response = api.put(f"/api/v1/jobs/{job['_id']}/restore")

    assert response.json()["status"] == "pending"
    assert stored_job(job["_id"])["status"] == "pending"


@pytest.mark.parametrize("status", ["pending", "in_progress", "done", "failed"])
def test_only_cancelled_jobs_are_restored(api, status):
    job = insert_job(status=status)

    response = api.put(f"/api/v1/jobs/{job['_id']}/restore")

    assert response.status_code == 409
    assert response.json()["detail"] == f"Job cannot be restored in status '{status}'"
    assert response.json()["status"] == status
    assert stored_job(job["_id"]) == job


def test_an_unknown_job_is_a_404(api):
    assert api.put(f"/api/v1/jobs/{ObjectId()}/restore").status_code == 404


CLOSED_AT = datetime.datetime(2025, 10, 30)


@pytest.mark.parametrize(
    "closed, status",
    [
        ({"cancelled_at": CLOSED_AT}, "cancelled"),
        ({"deleted_at": CLOSED_AT}, "deleted"),
        ({"closing": {"action": "cancel"}}, "cancelled"),  # being cancelled
        ({"closing": {"action": "delete"}}, "cancelled"),  # being deleted
        ({"closing": [{"action": "delete"}]}, "cancelled"),  # oddly an array
    ],
)
def test_restoring_into_a_cancelled_or_deleted_batch_is_a_409(api, closed, status):
    batch = insert_batch(is_active=False, **closed)
    job = insert_job(batch_id=batch["batch_id"], status="cancelled", status_before_cancel="pending")

    response = api.put(f"/api/v1/jobs/{job['_id']}/restore")

    assert response.status_code == 409
    assert response.json()["detail"] == f"The job's batch is {status}"
    assert response.json()["status"] == status
    assert stored_job(job["_id"])["status"] == "cancelled"


@pytest.mark.parametrize(
    "batch_id, batch",
    [
        ("batch-being-restored", {"closing": {"action": "restore"}}),
        ("batch-never-stored", None),
        (None, None),  # a job without a batch
        (["odd"], None),
    ],
)
def test_a_job_whose_batch_is_open_missing_or_odd_is_restored(api, batch_id, batch):
    if batch is not None:
        insert_batch(batch_id=batch_id, **batch)
    job = insert_job(batch_id=batch_id, status="cancelled", status_before_cancel="failed")

    assert api.put(f"/api/v1/jobs/{job['_id']}/restore").status_code == 200

    assert stored_job(job["_id"])["status"] == "failed"


def test_restore_moves_the_batch_counters_back(api):
    batch = insert_batch(total_jobs=2, pending_jobs=1, failed_jobs=1)
    pending = insert_job(batch_id=batch["batch_id"], status="pending")
    failed = insert_job(batch_id=batch["batch_id"], status="failed")
    for job in (pending, failed):
        api.put(f"/api/v1/jobs/{job['_id']}/cancel")
    assert (stored_batch(batch["_id"])["pending_jobs"], stored_batch(batch["_id"])["failed_jobs"]) == (0, 0)

    for job in (pending, failed):
        assert api.put(f"/api/v1/jobs/{job['_id']}/restore").status_code == 200

    assert (stored_batch(batch["_id"])["pending_jobs"], stored_batch(batch["_id"])["failed_jobs"]) == (1, 1)


def test_a_single_restore_is_two_round_trips_past_authentication(api, round_trips):
    batch = insert_batch(total_jobs=1)
    job = insert_job(batch_id=batch["batch_id"], status="cancelled", status_before_cancel="scheduled")
    round_trips.reset()

    api.put(f"/api/v1/jobs/{job['_id']}/restore")

    assert round_trips.past_authentication == [
        ("aggregate", "jobs"),  # the job, joined to its batch: is that still cancelled or deleted?
        ("bulkWrite", "jobs+batches+audit_auditentry"),  # the job, its batch's counters $inc, the audit entry
    ]


def test_needs_the_restore_permission(db):
    job = insert_job(status="cancelled")
    canceller = token_client(make_user("carl", "cancel_job"))

    assert canceller.put(f"/api/v1/jobs/{job['_id']}/restore").status_code == 403
    assert canceller.post("/api/v1/jobs/restore", {"ids": [job["job_id"]]}, format="json").status_code == 403
    assert stored_job(job["_id"])["status"] == "cancelled"


def test_bulk_restore_reports_each_id(api):
    cancelled = insert_jobs(2, status="pending")
    api.post("/api/v1/jobs/cancel", {"ids": [str(job["_id"]) for job in cancelled]}, format="json")
    running = insert_job(status="in_progress")
    closed = insert_batch(cancelled_at=datetime.datetime(2025, 10, 30))
    in_closed = insert_job(batch_id=closed["batch_id"], status="cancelled")
    missing = str(ObjectId())
    ids = [cancelled[0]["job_id"], str(cancelled[1]["_id"]), running["job_id"], in_closed["job_id"], missing]

    response = api.post("/api/v1/jobs/restore", {"ids": ids}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "restored": ids[:2],
        "not_found": [missing],
        "not_restorable": [
            {"id": running["job_id"], "status": "in_progress"},
            {"id": in_closed["job_id"], "status": "cancelled"},
        ],
    }
    assert [stored_job(job["_id"])["status"] for job in cancelled] == ["pending", "pending"]
    entry = AuditEntry.objects.filter(action="jobs.restore").get()
    assert (entry.state, entry.changed, entry.matched) == ("completed", 2, 4)
    assert entry.completed_at is not None


def test_bulk_restore_of_a_thousand_ids_costs_a_bounded_number_of_round_trips(api, round_trips):
    jobs = insert_jobs(1000, status="cancelled", status_before_cancel="failed")
    round_trips.reset()

    response = api.post("/api/v1/jobs/restore", {"ids": [job["job_id"] for job in jobs]}, format="json")

    assert len(response.json()["restored"]) == 1000
    on_jobs = [name for name, target in round_trips.commands if target == "jobs"]
    assert on_jobs.count("update") == 1 and on_jobs.count("find") == 2 and len(on_jobs) <= 8
