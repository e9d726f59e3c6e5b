import datetime

import pytest
from bson import ObjectId

from tests.api import make_user, token_client
from tests.factories import insert_job, stored_job

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


def test_cancel_is_one_conditional_update(api, round_trips):
    job = insert_job(_id=ObjectId())
    round_trips.reset()

    api.delete(f"/api/v1/jobs/{job['_id']}")

    on_jobs = [name for name, target in round_trips.commands if target == "jobs"]
    # Read, then update conditional on the status seen: both served by the _id index
    # (findAndModify scans the collection on the embedded server).
    assert on_jobs == ["find", "update"]
