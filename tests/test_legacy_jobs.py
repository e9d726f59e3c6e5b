"""Legacy job documents (flat `nombre`/`rut`/`monto_total`..., no
`contact`/`payload`) are served with a derived `contact` and `payload`, so
the frontend, which reads `job.contact.name` unguarded, can render them;
the stored document is never rewritten."""

import datetime

import pytest
from bson import Int64, ObjectId

from jobs.models import Job
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.factories import insert_batch, insert_job

pytestmark = pytest.mark.django_db


def legacy_job(**overrides):
    document = {
        "_id": ObjectId(),
        "batch_id": "batch-2025-05-01-100000-000001",
        "status": "failed",
        "rut": "123456789",
        "rut_fmt": "12.345.678-9",
        "nombre": "María Pérez",
        "to_number": "+56911112222",
        "try_phones": ["+56911112222", "+56222223333"],
        "monto_total": 350000.5,
        "deuda": 1.0,
        "fecha_limite": "2025-11-30",
        "fecha_maxima": "2025-12-07",
        "origen_empresa": "Cobranzas SA",
        "cantidad_cupones": Int64(3),
        "created_at": datetime.datetime(2025, 5, 1, 10, 0),
        **overrides,
    }
    collection(Job).insert_one(document)
    return document


@pytest.fixture
def api(db):
    return token_client(make_user("rita"))


def test_a_legacy_job_gets_a_derived_contact_and_payload(api):
    job = legacy_job()

    body = api.get(f"/api/v1/jobs/{job['_id']}").json()

    assert body["contact"] == {
        "name": "María Pérez",
        "dni": "12.345.678-9",
        "phones": ["+56911112222", "+56222223333"],
        "next_phone_index": 0,
    }
    assert body["payload"] == {
        "debt_amount": 350000.5,
        "due_date": "2025-11-30",
        "company_name": "Cobranzas SA",
        "additional_info": {"cantidad_cupones": 3, "fecha_maxima": "2025-12-07"},
    }
    assert (body["nombre"], body["rut"], body["monto_total"]) == ("María Pérez", "123456789", 350000.5)
    stored = collection(Job).find_one({"_id": job["_id"]})
    assert "contact" not in stored and "payload" not in stored  # never written back


def test_fallbacks_rut_and_deuda(api):
    job = legacy_job(rut_fmt=None, monto_total=None, deuda=9900.0, try_phones="not a list")

    body = api.get(f"/api/v1/jobs/{job['_id']}").json()

    assert body["contact"]["dni"] == "123456789"
    assert body["contact"]["phones"] == ["+56911112222"]
    assert body["payload"]["debt_amount"] == 9900.0


def test_lists_carry_the_derived_objects_too(api):
    legacy = legacy_job(status="failed")
    modern = insert_job(status="failed")

    jobs = {job["_id"]: job for job in api.get("/api/v1/jobs?status=failed").json()}

    assert jobs[str(legacy["_id"])]["contact"]["name"] == "María Pérez"
    assert jobs[str(modern["_id"])]["contact"] == modern["contact"]  # stored objects are served as stored
    assert jobs[str(modern["_id"])]["payload"] == modern["payload"]


def test_batch_job_lists_carry_them(api):
    batch = insert_batch(batch_id="batch-2025-05-01-100000-000001")
    legacy_job()

    jobs = api.get(f"/api/v1/batches/{batch['_id']}/jobs?status=failed").json()

    assert jobs[0]["contact"]["name"] == "María Pérez"


def test_a_bare_document_still_gets_objects_to_read(api):
    _id = collection(Job).insert_one({"status": "pending"}).inserted_id

    body = api.get(f"/api/v1/jobs/{_id}").json()

    assert body["contact"] == {"name": None, "dni": None, "phones": [], "next_phone_index": 0}
    assert body["payload"]["debt_amount"] is None
