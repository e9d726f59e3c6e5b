import datetime

import pytest
from bson import Decimal128, Int64, ObjectId

from tests.api import make_user, token_client
from tests.factories import insert_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("reader"))


def test_gets_a_job_by_object_id(api):
    job = insert_job()

    response = api.get(f"/api/v1/jobs/{job['_id']}")

    assert response.status_code == 200
    assert response.json()["_id"] == str(job["_id"])
    assert response.json()["job_id"] == job["job_id"]


def test_gets_a_job_by_custom_job_id(api):
    job = insert_job(job_id="job_retail_e_20251025_174129_b96907c5")

    response = api.get("/api/v1/jobs/job_retail_e_20251025_174129_b96907c5")

    assert response.status_code == 200
    assert response.json()["_id"] == str(job["_id"])


def test_a_24_hex_id_is_tried_as_object_id_first_then_as_job_id(api):
    hex_named = insert_job(job_id="0123456789abcdef01234567")
    by_object_id = insert_job(_id=ObjectId("0123456789abcdef01234567"), job_id="job_x")

    assert api.get("/api/v1/jobs/0123456789abcdef01234567").json()["_id"] == str(by_object_id["_id"])
    by_object_id_gone = {"_id": by_object_id["_id"]}
    from jobs.models import Job
    from speechai.mongo import collection

    collection(Job).delete_one(by_object_id_gone)
    assert api.get("/api/v1/jobs/0123456789abcdef01234567").json()["_id"] == str(hex_named["_id"])


def test_unknown_job_is_a_404_with_detail(api):
    for unknown in ("job_does_not_exist", str(ObjectId())):
        response = api.get(f"/api/v1/jobs/{unknown}")

        assert response.status_code == 404
        assert response.json() == {"detail": "Job not found", "message": "Job not found"}


def test_returns_every_stored_field_with_json_types(api):
    job = insert_job(
        status="done",
        finished_at=datetime.datetime(2025, 10, 25, 17, 50, 4, 648000),
        call_started_at=datetime.datetime(2025, 10, 25, 17, 46, 4),
        call_ended_at=datetime.datetime(2025, 10, 25, 17, 50, 4),
        call_duration_seconds=240,
        next_try_at=None,
        last_attempt_result="ended",
        fecha_pago_cliente="2025-11-05",
        monto_pago_cliente=50000,
        cancellation_reason=None,
        call_result={
            "success": True,
            "status": "ended",
            "summary": {"call_cost": {"combined_cost": Decimal128("12.5")}, "duration_ms": Int64(240000)},
            "details": {"agent": {"id": ObjectId("68fd0bc942cc4632daeb15f6")}},
            "timestamp": datetime.datetime(2025, 10, 25, 17, 50, 4, 648000),
        },
    )

    body = api.get(f"/api/v1/jobs/{job['job_id']}").json()

    assert body["finished_at"] == "2025-10-25T17:50:04.648000Z"
    assert body["call_started_at"] == "2025-10-25T17:46:04.000000Z"
    assert body["call_duration_seconds"] == 240
    assert body["fecha_pago_cliente"] == "2025-11-05"
    assert body["monto_pago_cliente"] == 50000
    assert body["last_attempt_result"] == "ended"
    assert body["next_try_at"] is None
    assert body["call_result"]["timestamp"] == "2025-10-25T17:50:04.648000Z"
    assert body["call_result"]["summary"] == {"call_cost": {"combined_cost": 12.5}, "duration_ms": 240000}
    assert body["call_result"]["details"]["agent"]["id"] == "68fd0bc942cc4632daeb15f6"
    assert body["payload"]["due_date"] == "2025-11-15"  # business dates stay strings
    assert body["contact"]["phones"] == ["+56912345678"]
