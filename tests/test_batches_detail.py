import datetime

import pytest
from bson import Int64, ObjectId
from rest_framework.test import APIClient

from tests.api import make_user, token_client
from tests.batch_helpers import ID_FORMS, batch_ref
from tests.factories import UNKNOWN_OBJECT_ID, insert_batch, insert_job, insert_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("reader"))


@pytest.mark.parametrize("id_form", ID_FORMS)
def test_returns_the_stored_batch_with_call_settings_and_live_counts(api, id_form):
    settings = {"timezone": "America/Santiago", "allowed_hours": {"start": "09:00", "end": "18:00"}}
    batch = insert_batch(call_settings=settings, pending_jobs=50, total_cost=12.5, worker_field="kept")
    insert_jobs(2, batch_id=batch["batch_id"], status="pending")
    insert_job(batch_id=batch["batch_id"], status="done")

    response = api.get(f"/api/v1/batches/{batch_ref(batch, id_form)}")

    assert response.status_code == 200
    body = response.json()
    assert body["_id"] == str(batch["_id"])
    assert body["batch_id"] == batch["batch_id"]
    assert body["call_settings"] == settings
    assert (body["total_jobs"], body["pending_jobs"], body["completed_jobs"]) == (3, 2, 1)
    assert body["total_cost"] == 12.5
    assert body["worker_field"] == "kept"


@pytest.mark.parametrize("unknown", [UNKNOWN_OBJECT_ID, "batch-20251028-00000000"])
def test_an_unknown_batch_is_a_404(api, unknown):
    response = api.get(f"/api/v1/batches/{unknown}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Batch not found", "message": "Batch not found"}


def test_a_deleted_batch_is_a_404(api):
    batch = insert_batch(deleted_at=datetime.datetime(2025, 10, 30))

    assert api.get(f"/api/v1/batches/{batch['_id']}").status_code == 404


def test_an_object_id_wins_over_a_custom_id_with_the_same_text(api):
    first = insert_batch(name="named by ObjectId")
    insert_batch(batch_id=str(first["_id"]), name="named by custom id")

    assert api.get(f"/api/v1/batches/{first['_id']}").json()["name"] == "named by ObjectId"


def test_a_worker_document_with_odd_types_is_served(api):
    batch = insert_batch(
        total_jobs=Int64(7),
        priority="2",
        is_active=None,
        call_settings={"timezone": "America/Santiago", "checked_at": datetime.datetime(2025, 10, 1, 8, 0)},
        owner=ObjectId(),
    )

    response = api.get(f"/api/v1/batches/{batch['batch_id']}")

    assert response.status_code == 200
    assert response.json()["call_settings"]["checked_at"] == "2025-10-01T08:00:00.000000Z"
    assert response.json()["owner"] == str(batch["owner"])
    assert response.json()["total_jobs"] == 0


def test_needs_authentication():
    batch = insert_batch()

    assert APIClient().get(f"/api/v1/batches/{batch['_id']}").status_code == 401
