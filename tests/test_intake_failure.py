"""Nothing half-done reaches a worker: an import that fails midway on a real
database error leaves its batch `import_status: "failed"` with no claimable
job, and uploading the same file again completes it without duplicates."""

import pytest
from django.db import connections

from batches.models import Batch
from jobs.models import Job
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.batch_helpers import worker_claims
from tests.factories import insert_job
from tests.intake_files import insert_account, upload, xlsx_bytes

pytestmark = pytest.mark.django_db
PEOPLE = 1500
CLASHING = 1200  # the person whose insert the database refuses


def valid_rut(number):
    from stdnum.cl import rut

    return f"{number}-{rut.calc_check_digit(str(number))}"


def people_file():
    rows = [["RUT", "Nombre", "Celular", "Saldo"]]
    rows += [[valid_rut(10_000_000 + n), f"Persona {n}", f"+56 9 {50000000 + n}", 1000 + n] for n in range(PEOPLE)]
    return xlsx_bytes(rows)


@pytest.fixture
def reference_index():
    """A unique index a real deployment could have (on the payload's reference
    number), and an older finished job holding one person's reference: the
    database refuses that person's job in the middle of the import."""
    jobs = connections["default"].get_collection("jobs")
    jobs.create_index(
        "payload.reference_number",
        unique=True,
        name="reference_unique_for_test",
        partialFilterExpression={"payload.reference_number": {"$type": "string"}},
    )
    insert_job(status="done", payload={"reference_number": valid_rut(10_000_000 + CLASHING)})
    yield jobs
    jobs.drop_index("reference_unique_for_test")


def test_a_failure_midway_leaves_nothing_claimable_until_the_same_file_completes_it(reference_index):
    insert_account()
    client = token_client(make_user("operadora", "add_batch", "change_batch"))
    content = people_file()

    response = client.post(
        "/api/v1/batches/excel/create",
        {"file": upload(content), "account_id": "acc-a1b2c3d4e5f6"},
        format="multipart",
    )

    assert response.status_code == 503, response.json()
    batch_id = response.json()["batch_id"]
    assert "import_status=failed" in response.json()["detail"]
    batch = collection(Batch).find_one({"batch_id": batch_id})
    assert batch["import_status"] == "failed" and batch["is_active"] is False
    inserted = collection(Job).count_documents({"batch_id": batch_id})
    assert 1000 <= inserted < PEOPLE
    assert collection(Job).count_documents({"batch_id": batch_id, "status": {"$ne": "scheduled"}}) == 0
    assert worker_claims() is None
    collection(Batch).update_one({"batch_id": batch_id}, {"$set": {"is_active": True}})  # even if someone resumes it
    assert worker_claims() is None

    reference_index.delete_many({"status": "done"})
    retry = client.post(f"/api/v1/batches/{batch_id}/upload", {"file": upload(content)}, format="multipart")

    assert retry.status_code == 200, retry.json()
    assert retry.json()["jobs_added"] == PEOPLE - inserted
    assert retry.json()["duplicates_skipped"] == inserted
    assert collection(Job).count_documents({"batch_id": batch_id}) == PEOPLE
    assert collection(Job).count_documents({"batch_id": batch_id, "status": "pending"}) == PEOPLE
    batch = collection(Batch).find_one({"batch_id": batch_id})
    assert batch["import_status"] == "complete" and "activate_after_import" not in batch
    assert batch["total_jobs"] == PEOPLE and batch["pending_jobs"] == PEOPLE
    assert worker_claims()["batch_id"] == batch_id


def test_a_failed_new_batch_becomes_active_when_a_re_upload_completes_it(reference_index):
    insert_account()
    client = token_client(make_user("operadora", "add_batch", "change_batch"))
    content = people_file()
    form = {"file": upload(content), "account_id": "acc-a1b2c3d4e5f6"}
    batch_id = client.post("/api/v1/batches/excel/create", form, format="multipart").json()["batch_id"]
    reference_index.delete_many({"status": "done"})

    client.post(f"/api/v1/batches/{batch_id}/upload", {"file": upload(content)}, format="multipart")

    assert collection(Batch).find_one({"batch_id": batch_id})["is_active"] is True


def test_the_same_file_again_with_duplicates_allowed_adds_nothing_twice_to_the_batch():
    insert_account()
    client = token_client(make_user("operadora", "add_batch", "change_batch"))
    rows = [["RUT", "Nombre", "Celular"], [valid_rut(12_000_000), "Ana", "987654321"]]
    created = client.post(
        "/api/v1/batches/excel/create",
        {"file": upload(xlsx_bytes(rows)), "account_id": "acc-a1b2c3d4e5f6"},
        format="multipart",
    ).json()

    again = client.post(
        f"/api/v1/batches/{created['batch_id']}/upload",
        {"file": upload(xlsx_bytes(rows)), "allow_duplicates": "true"},
        format="multipart",
    )

    assert again.status_code == 200 and again.json()["jobs_added"] == 0
    assert collection(Job).count_documents({"batch_id": created["batch_id"]}) == 1


def test_a_batch_cancelled_during_its_import_gets_no_callable_job():
    from audit.models import AuditSource
    from batches.intake.planning import Options
    from batches.intake.services import NewBatch, Request, Upload, import_file
    from batches.lifecycle import cancel_batch

    insert_account()
    created = {}

    def cancel_after_the_first_chunk(done, total):
        if not created:
            created["batch_id"] = collection(Batch).find_one()["batch_id"]
            cancel_batch(created["batch_id"], actor="supervisora")

    with open_people_file() as file:
        import_file(
            Upload(file, "people.xlsx"),
            Request("acc-a1b2c3d4e5f6", Options()),
            actor="operadora",
            source=AuditSource.API,
            new_batch=NewBatch(name="x"),
            on_progress=cancel_after_the_first_chunk,
        )

    batch = collection(Batch).find_one({"batch_id": created["batch_id"]})
    assert batch["is_active"] is False and batch["cancelled_at"] is not None
    assert collection(Job).count_documents({"batch_id": created["batch_id"], "status": "pending"}) == 0
    assert worker_claims() is None


def open_people_file():
    import io

    return io.BytesIO(people_file())
