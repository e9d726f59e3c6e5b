import datetime

import pytest
from bson import ObjectId

from audit.models import AuditEntry
from batches import services
from batches.models import Batch
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.batch_helpers import ID_FORMS, batch_ref, recently, stored_batch, stored_state
from tests.factories import UNKNOWN_OBJECT_ID, insert_batch, insert_job, insert_jobs, stored_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("ana", "change_batch"))


def patch(api, batch_ref_, body):
    return api.patch(f"/api/v1/batches/{batch_ref_}", body, format="json")


@pytest.mark.parametrize("id_form", ID_FORMS)
def test_pause_writes_only_is_active_and_updated_at(api, id_form):
    batch = insert_batch(is_active=True, worker_note={"kept": True})
    before = stored_batch(batch["_id"])

    response = patch(api, batch_ref(batch, id_form), {"is_active": False})

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "Batch paused",
        "batch_id": batch["batch_id"],
        "updated_fields": ["is_active", "updated_at"],
    }
    after = stored_batch(batch["_id"])
    assert after.pop("is_active") is False
    assert recently(after.pop("updated_at"))
    before.pop("is_active"), before.pop("updated_at", None)
    assert after == before


@pytest.mark.parametrize("id_form", ID_FORMS)
def test_resume(api, id_form):
    batch = insert_batch(is_active=False)

    response = patch(api, batch_ref(batch, id_form), {"is_active": True})

    assert response.status_code == 200
    assert response.json()["message"] == "Batch resumed"
    assert stored_batch(batch["_id"])["is_active"] is True


def test_pause_then_resume_leaves_the_jobs_exactly_as_they_were(api):
    batch = insert_batch()
    jobs = [
        *insert_jobs(3, batch_id=batch["batch_id"], status="pending"),
        insert_job(batch_id=batch["batch_id"], status="in_progress"),
    ]

    assert patch(api, str(batch["_id"]), {"is_active": False}).status_code == 200
    assert patch(api, batch["batch_id"], {"is_active": True}).status_code == 200

    assert [stored_job(job["_id"]) for job in jobs] == jobs


@pytest.mark.parametrize("id_form", ID_FORMS)
def test_updates_name_description_and_priority(api, id_form):
    batch = insert_batch(name="Old", description="old", priority=1)

    response = patch(api, batch_ref(batch, id_form), {"name": "  New name ", "description": "", "priority": 4})

    assert response.status_code == 200
    assert response.json()["message"] == "Batch updated successfully"
    assert response.json()["updated_fields"] == ["name", "description", "priority", "updated_at"]
    stored = stored_batch(batch["_id"])
    assert (stored["name"], stored["description"], stored["priority"]) == ("New name", "", 4)
    assert stored["is_active"] is True


def test_the_message_follows_is_active_when_it_is_sent_with_other_fields(api):
    batch = insert_batch()

    response = patch(api, batch["batch_id"], {"name": "Renamed", "is_active": False})

    assert response.json()["message"] == "Batch paused"
    assert stored_batch(batch["_id"])["name"] == "Renamed"


def test_null_values_count_as_not_sent(api):
    batch = insert_batch(name="Kept", call_settings={"timezone": "America/Santiago"})

    response = patch(api, batch["batch_id"], {"name": None, "call_settings": None, "priority": 3})

    assert response.json()["updated_fields"] == ["priority", "updated_at"]
    stored = stored_batch(batch["_id"])
    assert stored["name"] == "Kept"
    assert stored["call_settings"] == {"timezone": "America/Santiago"}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"status": "paused"}, "status: Not an updatable field"),
        ({"is_active": False, "total_jobs": 0}, "total_jobs: Not an updatable field"),
        ({}, "No fields to update"),
        ({"name": None}, "No fields to update"),
        ({"is_active": "maybe"}, "is_active: Must be true or false."),
        ({"is_active": 0}, "is_active: Must be true or false."),
        ({"name": ""}, "name: This field may not be blank."),
        ({"name": "x" * 201}, "name: Ensure this field has no more than 200 characters."),
        ({"priority": 0}, "priority: Ensure this value is greater than or equal to 1."),
        ({"priority": 5}, "priority: Ensure this value is less than or equal to 4."),
        ({"priority": "high"}, "priority: A valid integer is required."),
        ({"call_settings": "fast"}, "call_settings: Invalid data."),
        (["is_active"], "Invalid data. Expected a dictionary"),
    ],
)
def test_bad_bodies_are_a_400_and_change_nothing(api, body, detail):
    batch = insert_batch()
    insert_job(batch_id=batch["batch_id"])
    before = stored_state()

    response = patch(api, batch["batch_id"], body)

    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)
    assert stored_state() == before


def test_an_empty_request_body_is_no_fields_to_update(api):
    batch = insert_batch()

    response = api.patch(f"/api/v1/batches/{batch['batch_id']}", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"] == "No fields to update"


@pytest.mark.parametrize("unknown", [UNKNOWN_OBJECT_ID, "batch-20251028-00000000"])
def test_an_unknown_batch_is_a_404_and_changes_nothing(api, unknown):
    insert_batch()
    before = stored_state()

    response = patch(api, unknown, {"is_active": False})

    assert response.status_code == 404
    assert response.json() == {"detail": "Batch not found", "message": "Batch not found"}
    assert stored_state() == before


def test_a_deleted_batch_is_a_404(api):
    batch = insert_batch(deleted_at=datetime.datetime(2025, 10, 30), is_active=False)

    assert patch(api, batch["batch_id"], {"is_active": True}).status_code == 404
    assert stored_batch(batch["_id"])["is_active"] is False


def test_a_24_hex_custom_batch_id_is_found_after_the_object_id_lookup(api):
    hex_like = str(ObjectId())
    batch = insert_batch(batch_id=hex_like)

    response = patch(api, hex_like, {"is_active": False})

    assert response.status_code == 200
    assert stored_batch(batch["_id"])["is_active"] is False


def test_needs_the_change_permission(db):
    batch = insert_batch()
    reader = token_client(make_user("reader"))
    deleter = token_client(make_user("deleter", "delete_batch"))

    for client in (reader, deleter):
        response = patch(client, batch["batch_id"], {"is_active": False})
        assert response.status_code == 403
        assert response.json()["detail"] == "You do not have permission to change batches."
    assert stored_batch(batch["_id"])["is_active"] is True


def test_a_trailing_slash_is_accepted(api):
    batch = insert_batch()

    assert api.patch(f"/api/v1/batches/{batch['_id']}/", {"is_active": False}, format="json").status_code == 200


def test_an_update_is_two_round_trips_past_authentication(api, round_trips):
    batch = insert_batch(is_active=True)
    round_trips.reset()

    assert patch(api, batch["batch_id"], {"is_active": False}).status_code == 200

    assert round_trips.past_authentication == [
        ("find", "batches"),
        # The update conditional on the batch's state and, only if it matched, the audit entry.
        ("bulkWrite", "batches+audit_auditentry"),
    ]


def test_a_batch_deleted_between_its_read_and_its_update_is_a_404(api, monkeypatch):
    batch = insert_batch(is_active=True)
    real = services.write_in_order

    def deleted_first(writes):
        collection(Batch).update_one({"_id": batch["_id"]}, {"$set": {"deleted_at": datetime.datetime(2026, 1, 1)}})
        return real(writes)

    monkeypatch.setattr(services, "write_in_order", deleted_first)

    assert patch(api, batch["batch_id"], {"is_active": False}).status_code == 404

    assert stored_batch(batch["_id"])["is_active"] is True
    [entry] = AuditEntry.objects.all()
    assert (entry.action, entry.changed) == ("batches.pause", 0)
