import datetime

import pytest

from audit.models import AuditEntry
from batches.models import Batch
from jobs import moves
from jobs.models import Job
from speechai import mongo
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.factories import insert_batch, insert_job, stored_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("ana", "cancel_job"))


def cancel_requests(api, job_id, body=None):
    """The three spellings of a cancel: the documented DELETE, and the
    frontend's PUT (POST accepted too)."""
    return {
        "DELETE": lambda: api.delete(f"/api/v1/jobs/{job_id}", body, format="json"),
        "PUT": lambda: api.put(f"/api/v1/jobs/{job_id}/cancel", body, format="json"),
        "POST": lambda: api.post(f"/api/v1/jobs/{job_id}/cancel", body, format="json"),
    }


@pytest.mark.parametrize("method", ["DELETE", "PUT", "POST"])
@pytest.mark.parametrize("status", ["pending", "scheduled", "failed"])
def test_cancels_a_cancellable_job_as_a_soft_delete(api, method, status):
    job = insert_job(status=status)

    response = cancel_requests(api, job["_id"])[method]()

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Job cancelled"}
    stored = stored_job(job["_id"])
    assert stored["status"] == "cancelled"
    assert stored["cancellation_reason"] == "Cancelled by user"
    assert stored["cancelled_by"] == "ana"
    assert abs(stored["cancelled_at"] - datetime.datetime.utcnow()) < datetime.timedelta(seconds=30)
    assert stored["updated_at"] == stored["cancelled_at"]


def test_cancels_by_custom_job_id_with_a_reason(api):
    job = insert_job()

    response = api.put(f"/api/v1/jobs/{job['job_id']}/cancel", {"reason": "Debt paid"}, format="json")

    assert response.status_code == 200
    assert stored_job(job["_id"])["cancellation_reason"] == "Debt paid"


def test_a_trailing_slash_keeps_the_body(api):
    job = insert_job()

    response = api.put(f"/api/v1/jobs/{job['_id']}/cancel/", {"reason": "From the slash"}, format="json")

    assert response.status_code == 200
    assert stored_job(job["_id"])["cancellation_reason"] == "From the slash"


@pytest.mark.parametrize("status", ["in_progress", "done", "completed", "cancelled", "suspended"])
def test_a_job_in_another_status_is_a_409_and_is_left_alone(api, status):
    job = insert_job(status=status)

    response = api.delete(f"/api/v1/jobs/{job['_id']}")

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Job cannot be cancelled in status '{status}'",
        "message": f"Job cannot be cancelled in status '{status}'",
        "status": status,
    }
    assert stored_job(job["_id"]) == job


@pytest.mark.parametrize("unknown", ["job_nope", "0123456789abcdef01234567"])
def test_an_unknown_job_is_a_404(api, unknown):
    insert_job()

    response = api.put(f"/api/v1/jobs/{unknown}/cancel")

    assert response.status_code == 404
    assert response.json() == {"detail": "Job not found", "message": "Job not found"}


def test_an_id_with_slashes_is_a_json_404(api):
    response = api.put("/api/v1/jobs/not/an/id/cancel")

    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_reason_longer_than_500_characters_is_a_400_and_nothing_changes(api):
    job = insert_job()

    response = api.delete(f"/api/v1/jobs/{job['_id']}", {"reason": "x" * 501}, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()["detail"]
    assert stored_job(job["_id"])["status"] == "pending"


def test_malformed_json_is_a_400_with_a_clear_detail(api):
    job = insert_job()

    response = api.generic("PUT", f"/api/v1/jobs/{job['_id']}/cancel", "{reason: oops", content_type="application/json")

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert stored_job(job["_id"])["status"] == "pending"


def test_a_body_that_is_not_an_object_is_a_400(api):
    job = insert_job()

    response = api.put(f"/api/v1/jobs/{job['_id']}/cancel", ["reason"], format="json")

    assert response.status_code == 400
    assert stored_job(job["_id"])["status"] == "pending"


def test_a_cancel_is_two_round_trips_once_its_token_is_known(api, settings, round_trips):
    settings.API_TOKEN_CACHE_SECONDS = 60
    batch = insert_batch(total_jobs=2, pending_jobs=2)
    first, second = (insert_job(batch_id=batch["batch_id"]) for _ in range(2))
    assert api.delete(f"/api/v1/jobs/{first['_id']}").status_code == 200
    round_trips.reset()

    assert api.delete(f"/api/v1/jobs/{second['_id']}").status_code == 200

    assert round_trips.commands == [
        ("find", "jobs"),
        # The job's update conditional on the status seen (served by the _id
        # index; findAndModify scans the collection on the embedded server),
        # then, only if it moved, its batch's counters $inc and the audit entry.
        ("bulkWrite", "jobs+batches+audit_auditentry"),
    ]


def meanwhile(monkeypatch, change):
    """`change()` runs between the cancel's read of the job and its write."""
    real = moves.write_in_order

    def changed_first(writes):
        monkeypatch.setattr(moves, "write_in_order", real)
        change()
        return real(writes)

    monkeypatch.setattr(moves, "write_in_order", changed_first)


def test_a_job_a_worker_took_meanwhile_is_refused_and_nothing_is_counted(api, monkeypatch):
    batch = insert_batch(total_jobs=1, pending_jobs=1)
    job = insert_job(batch_id=batch["batch_id"])
    take = {"$set": {"status": "in_progress", "worker_id": "bot-1"}}
    meanwhile(monkeypatch, lambda: collection(Job).update_one({"_id": job["_id"]}, take))

    response = api.delete(f"/api/v1/jobs/{job['_id']}")

    assert response.status_code == 409
    assert response.json()["status"] == "in_progress"
    assert stored_job(job["_id"])["status"] == "in_progress"
    assert collection(Batch).find_one({"_id": batch["_id"]})["pending_jobs"] == 1
    [entry] = AuditEntry.objects.all()
    assert (entry.changed, entry.skipped) == (0, {"in_progress": 1})


def test_a_job_that_failed_meanwhile_is_cancelled_from_failed(api, monkeypatch):
    batch = insert_batch(total_jobs=1, pending_jobs=1)
    job = insert_job(batch_id=batch["batch_id"])

    def call_failed():  # what a worker writes
        collection(Job).update_one({"_id": job["_id"]}, {"$set": {"status": "failed"}})
        collection(Batch).update_one({"_id": batch["_id"]}, {"$inc": {"pending_jobs": -1, "failed_jobs": 1}})

    meanwhile(monkeypatch, call_failed)

    assert api.delete(f"/api/v1/jobs/{job['_id']}").status_code == 200

    stored = stored_job(job["_id"])
    assert (stored["status"], stored["status_before_cancel"]) == ("cancelled", "failed")
    counters = collection(Batch).find_one({"_id": batch["_id"]})
    assert (counters["pending_jobs"], counters["failed_jobs"]) == (0, 0)
    assert AuditEntry.objects.get().changed == 1


def test_a_job_removed_meanwhile_is_not_found_and_not_recreated(api, monkeypatch):
    batch = insert_batch(total_jobs=1, pending_jobs=1)
    job = insert_job(batch_id=batch["batch_id"])
    meanwhile(monkeypatch, lambda: collection(Job).delete_one({"_id": job["_id"]}))

    assert api.delete(f"/api/v1/jobs/{job['_id']}").status_code == 404

    assert collection(Job).count_documents({}) == 0
    assert collection(Batch).find_one({"_id": batch["_id"]})["pending_jobs"] == 1


def test_a_cancel_the_driver_sent_twice_counts_once(api, monkeypatch):
    """A command the server ran, sent again after its answer was lost (the
    embedded server does not recognise retried writes)."""
    batch = insert_batch(total_jobs=1, pending_jobs=1)
    job = insert_job(batch_id=batch["batch_id"])
    real = moves.write_in_order

    def sent_twice(writes):
        real(writes)
        real(writes)

    monkeypatch.setattr(moves, "write_in_order", sent_twice)

    assert api.delete(f"/api/v1/jobs/{job['_id']}").status_code == 200

    assert stored_job(job["_id"])["status"] == "cancelled"
    assert collection(Batch).find_one({"_id": batch["_id"]})["pending_jobs"] == 0
    assert AuditEntry.objects.get().changed == 1


def test_on_a_server_without_bulk_write_the_same_cancel_takes_a_command_per_write(api, monkeypatch, round_trips):
    monkeypatch.setattr(mongo, "_runs_bulk_write", lambda client: False)
    batch = insert_batch(total_jobs=1, pending_jobs=1)
    job = insert_job(batch_id=batch["batch_id"])
    round_trips.reset()

    assert api.delete(f"/api/v1/jobs/{job['_id']}").status_code == 200

    assert round_trips.past_authentication == [
        ("find", "jobs"),
        ("update", "jobs"),
        ("update", "batches"),
        ("insert", "audit_auditentry"),
    ]
    assert collection(Batch).find_one({"_id": batch["_id"]})["pending_jobs"] == 0
