import datetime

import pytest

from tests.api import make_user, token_client
from tests.factories import insert_job, stored_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("ana", "retry_job"))


def failed_job(**overrides):
    return insert_job(
        status="failed",
        attempts=3,
        worker_id="bot-1",
        reserved_until=datetime.datetime(2025, 10, 25, 18),
        next_try_at=datetime.datetime(2025, 10, 25, 19),
        last_error="No quedan teléfonos por intentar",
        failed_at=datetime.datetime(2025, 10, 25, 18),
        last_attempt_result="not_connected",
        call_id="call_28ce0b42c2f20878076b6bc9cb0",
        **overrides,
    )


@pytest.mark.parametrize("method", ["put", "post"])
def test_retries_a_failed_job(api, method):
    job = failed_job()

    response = getattr(api, method)(f"/api/v1/jobs/{job['_id']}/retry")

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Job marked for retry"}
    stored = stored_job(job["_id"])
    assert stored["status"] == "pending"
    assert stored["worker_id"] is None and stored["reserved_until"] is None and stored["next_try_at"] is None
    assert "last_error" not in stored and "failed_at" not in stored
    # The history of what was tried stays.
    assert stored["attempts"] == 3
    assert stored["last_attempt_result"] == "not_connected"
    assert stored["call_id"] == job["call_id"]
    assert stored["updated_at"] > job["updated_at"]


def test_retries_by_custom_job_id(api):
    job = failed_job()

    assert api.put(f"/api/v1/jobs/{job['job_id']}/retry").status_code == 200
    assert stored_job(job["_id"])["status"] == "pending"


@pytest.mark.parametrize(
    "status", ["pending", "scheduled", "in_progress", "done", "completed", "cancelled", "suspended"]
)
def test_only_failed_jobs_can_be_retried(api, status):
    job = insert_job(status=status)

    response = api.put(f"/api/v1/jobs/{job['_id']}/retry")

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Job cannot be retried in status '{status}'",
        "message": f"Job cannot be retried in status '{status}'",
        "status": status,
    }
    assert stored_job(job["_id"]) == job


def test_an_unknown_job_is_a_404(api):
    response = api.put("/api/v1/jobs/job_nope/retry")

    assert response.status_code == 404
    assert response.json() == {"detail": "Job not found", "message": "Job not found"}
