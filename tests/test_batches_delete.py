import pytest

from batches.models import Batch
from jobs.models import Job
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.batch_helpers import (
    ALL_STATUSES,
    ID_FORMS,
    batch_ref,
    one_job_per_status,
    recently,
    statuses_of,
    stored_batch,
    stored_state,
)
from tests.factories import UNKNOWN_OBJECT_ID, insert_batch, insert_job, stored_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("ana", "delete_batch"))


@pytest.mark.parametrize("id_form", ID_FORMS)
def test_soft_delete_cancels_the_waiting_jobs_and_keeps_the_rest_as_history(api, id_form):
    batch = insert_batch(is_active=True)
    jobs = one_job_per_status(batch)

    # What the frontend sends.
    response = api.delete(f"/api/v1/batches/{batch_ref(batch, id_form)}?delete_jobs=false")

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Batch deleted", "jobs_cancelled": 3}
    for status in ("pending", "scheduled", "failed"):
        job = stored_job(jobs[status]["_id"])
        assert (job["status"], job["cancellation_reason"], job["cancelled_by"]) == ("cancelled", "Batch deleted", "ana")
    for status in ("in_progress", "done", "completed", "suspended", "cancelled"):
        assert stored_job(jobs[status]["_id"]) == jobs[status]


def test_soft_delete_is_the_default_and_keeps_the_document_marked_deleted(api):
    batch = insert_batch(is_active=True)

    assert api.delete(f"/api/v1/batches/{batch['batch_id']}").status_code == 200

    stored = stored_batch(batch["_id"])
    assert stored["is_active"] is False
    assert recently(stored["deleted_at"])
    assert stored["updated_at"] == stored["deleted_at"]


def test_a_soft_deleted_batch_is_gone_for_the_api(api):
    batch = insert_batch()
    reader = token_client(make_user("operator", "change_batch"))
    api.delete(f"/api/v1/batches/{batch['batch_id']}")

    assert reader.get("/api/v1/batches").json() == []
    assert reader.get(f"/api/v1/batches/{batch['_id']}").status_code == 404
    assert reader.patch(f"/api/v1/batches/{batch['_id']}", {"is_active": True}, format="json").status_code == 404
    assert reader.post(f"/api/v1/batches/{batch['_id']}/cancel").status_code == 404
    assert api.delete(f"/api/v1/batches/{batch['_id']}").status_code == 404
    assert stored_batch(batch["_id"])["is_active"] is False


def test_a_given_reason_is_recorded_on_the_cancelled_jobs(api):
    batch = insert_batch()
    job = insert_job(batch_id=batch["batch_id"])

    api.delete(f"/api/v1/batches/{batch['batch_id']}?reason=Duplicate+upload")

    assert stored_job(job["_id"])["cancellation_reason"] == "Duplicate upload"


def test_soft_delete_moves_the_stored_counters_by_the_jobs_cancelled(api):
    batch = insert_batch(pending_jobs=1, total_jobs=2, completed_jobs=1)
    insert_job(batch_id=batch["batch_id"], status="pending")
    insert_job(batch_id=batch["batch_id"], status="done")

    api.delete(f"/api/v1/batches/{batch['batch_id']}")

    stored = stored_batch(batch["_id"])
    assert (stored["total_jobs"], stored["pending_jobs"], stored["completed_jobs"]) == (2, 0, 1)


@pytest.mark.parametrize("id_form", ID_FORMS)
@pytest.mark.parametrize("spelling", ["true", "1", "yes"])
def test_delete_jobs_true_removes_the_batch_and_its_jobs_and_nothing_else(api, id_form, spelling):
    batch = insert_batch()
    one_job_per_status(batch)
    other = insert_batch()
    kept = [insert_job(batch_id=other["batch_id"]), insert_job(batch_id=None), insert_job(batch_id="batch-gone")]

    response = api.delete(f"/api/v1/batches/{batch_ref(batch, id_form)}?delete_jobs={spelling}")

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Batch deleted", "jobs_deleted": len(ALL_STATUSES)}
    assert collection(Batch).find_one({"_id": batch["_id"]}) is None
    assert collection(Job).count_documents({"batch_id": batch["batch_id"]}) == 0
    assert [stored_job(job["_id"]) for job in kept] == kept
    assert stored_batch(other["_id"]) == other


def test_a_soft_deleted_batch_can_still_be_purged(api):
    batch = insert_batch()
    insert_job(batch_id=batch["batch_id"], status="done")
    api.delete(f"/api/v1/batches/{batch['batch_id']}")

    response = api.delete(f"/api/v1/batches/{batch['_id']}?delete_jobs=true")

    assert response.json()["jobs_deleted"] == 1
    assert collection(Batch).count_documents({}) == 0


def test_purging_a_batch_without_a_custom_id_removes_no_job(api):
    legacy_id = collection(Batch).insert_one({"name": "legacy"}).inserted_id
    orphan = insert_job(batch_id=None)

    response = api.delete(f"/api/v1/batches/{legacy_id}?delete_jobs=true")

    assert response.json()["jobs_deleted"] == 0
    assert stored_job(orphan["_id"]) == orphan
    assert collection(Batch).count_documents({}) == 0


@pytest.mark.parametrize("delete_jobs", ["false", "true"])
@pytest.mark.parametrize("unknown", [UNKNOWN_OBJECT_ID, "batch-unknown"])
def test_an_unknown_batch_is_a_404_and_changes_nothing(api, unknown, delete_jobs):
    insert_job(batch_id="batch-unknown")
    insert_batch()
    before = stored_state()

    response = api.delete(f"/api/v1/batches/{unknown}?delete_jobs={delete_jobs}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Batch not found", "message": "Batch not found"}
    assert stored_state() == before


@pytest.mark.parametrize("value", ["maybe", "2", "on"])
def test_a_bad_delete_jobs_value_is_a_400_and_changes_nothing(api, value):
    batch = insert_batch()
    insert_job(batch_id=batch["batch_id"])
    before = stored_state()

    response = api.delete(f"/api/v1/batches/{batch['batch_id']}?delete_jobs={value}")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("delete_jobs:")
    assert stored_state() == before


@pytest.mark.parametrize("delete_jobs", ["false", "true"])
def test_needs_the_delete_permission(db, delete_jobs):
    batch = insert_batch()
    job = insert_job(batch_id=batch["batch_id"])
    changer = token_client(make_user("changer", "change_batch", "add_batch"))

    response = changer.delete(f"/api/v1/batches/{batch['_id']}?delete_jobs={delete_jobs}")

    assert response.status_code == 403
    assert response.json()["detail"] == "You do not have permission to delete batches."
    assert statuses_of([job]) == ["pending"]
    assert "deleted_at" not in stored_batch(batch["_id"])
