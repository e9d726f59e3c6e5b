"""Documents as the call workers really write them: missing fields, unknown
fields, BSON types JSON has no word for, legacy flat fields, dangling
batch references. They are served without error and written back only in
the fields an action changes."""

import pytest
from bson import Int64, ObjectId

from jobs.models import Job
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.factories import stored_job
from tests.odd_documents import LEGACY_FLAT_JOB, WORKER_JOB

pytestmark = pytest.mark.django_db


def changed_keys(before, after):
    """Keys added, removed or given another value."""
    return {
        key
        for key in before.keys() | after.keys()
        if key not in before or key not in after or before[key] != after[key]
    }


@pytest.fixture
def api(db):
    return token_client(make_user("operator", superuser=True))


@pytest.fixture
def worker_jobs(db):
    jobs = collection(Job)
    jobs.insert_many([dict(LEGACY_FLAT_JOB), dict(WORKER_JOB), {"_id": ObjectId(), "status": "pending"}])
    return jobs


def test_listing_serves_odd_documents_without_error(api, worker_jobs):
    response = api.get("/api/v1/jobs")

    assert response.status_code == 200
    assert len(response.json()) == 3


def test_legacy_flat_fields_are_passed_through(api, worker_jobs):
    body = api.get(f"/api/v1/jobs/{LEGACY_FLAT_JOB['_id']}").json()

    assert body["nombre"] == "María Pérez"
    assert body["rut_fmt"] == "12.345.678-9"
    assert body["monto_total"] == 350000.5
    assert body["cantidad_cupones"] == 3
    assert body["try_phones"] == ["+56911112222", "+56222223333"]
    assert "job_id" not in body  # absent stays absent, never invented
    assert body["contact"]["name"] == "María Pérez"  # derived for the frontend (tests/test_legacy_jobs.py)


def test_unknown_fields_and_nested_bson_types_are_converted(api, worker_jobs):
    body = api.get(f"/api/v1/jobs/{WORKER_JOB['job_id']}").json()

    assert body["attempts"] == 2 and body["max_attempts"] == 3.0
    assert body["some_future_worker_field"] == {"anything": [1, "two", 3.0]}
    assert body["call_result"]["summary"]["nested"][0]["at"] == "2025-10-25T00:00:00.000000Z"
    assert body["payload"]["additional_info"]["x"] == str(WORKER_JOB["payload"]["additional_info"]["x"])
    assert body["batch_id"] == "batch-2025-10-25-144129-862530"


def test_jobs_of_a_deleted_batch_are_listed_by_that_batch(api, worker_jobs):
    response = api.get("/api/v1/jobs?batch_id=batch-2025-10-25-144129-862530")

    assert [job["_id"] for job in response.json()] == [str(WORKER_JOB["_id"])]


def test_cancel_writes_back_only_the_fields_it_changes(api, worker_jobs):
    before = stored_job(WORKER_JOB["_id"])

    response = api.delete(f"/api/v1/jobs/{WORKER_JOB['job_id']}", {"reason": "Debt paid"}, format="json")

    assert response.status_code == 200
    after = stored_job(WORKER_JOB["_id"])
    assert changed_keys(before, after) == {
        "status",
        "cancellation_reason",
        "cancelled_at",
        "cancelled_by",
        "status_before_cancel",
        "cancel_action_id",
        "action_id",
        "updated_at",
    }
    # Untouched values keep their BSON types (no Int64 -> double, no null for absent).
    assert type(after["attempts"]) is Int64 and type(after["max_attempts"]) is float
    assert after["call_result"] == before["call_result"]
    assert "finished_at" not in after


def test_retry_writes_back_only_the_fields_it_changes(api, worker_jobs):
    before = stored_job(LEGACY_FLAT_JOB["_id"])

    response = api.put(f"/api/v1/jobs/{LEGACY_FLAT_JOB['_id']}/retry")

    assert response.status_code == 200
    after = stored_job(LEGACY_FLAT_JOB["_id"])
    assert changed_keys(before, after) == {
        "status",
        "worker_id",
        "reserved_until",
        "next_try_at",
        "action_id",
        "updated_at",
    }
    assert {key: after[key] for key in ("nombre", "rut", "monto_total", "tries")} == {
        key: LEGACY_FLAT_JOB[key] for key in ("nombre", "rut", "monto_total", "tries")
    }
