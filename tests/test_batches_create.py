import datetime
import re

import pytest

from batches.models import Batch
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.factories import insert_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("ana", "add_batch"))


def create(api, body):
    return api.post("/api/v1/batches", body, format="json")


def test_creates_an_empty_active_batch_with_a_generated_batch_id(api):
    response = create(
        api,
        {
            "account_id": "acc-a1b2c3d4e5f6",
            "name": "October debtors",
            "description": "From the CRM",
            "priority": 2,
            "call_settings": {"timezone": "America/Santiago", "days_of_week": [1, 2, 3]},
            "allow_duplicates": False,  # the frontend sends it; unknown keys are ignored
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    batch = body["batch"]
    assert re.fullmatch(r"batch-\d{8}-[0-9a-f]{8}", batch["batch_id"])
    assert batch["batch_id"][6:14] == datetime.datetime.utcnow().strftime("%Y%m%d")
    assert batch["is_active"] is True
    assert (batch["name"], batch["description"], batch["priority"]) == ("October debtors", "From the CRM", 2)
    assert batch["call_settings"] == {"timezone": "America/Santiago", "days_of_week": [1, 2, 3]}
    assert {key: value for key, value in batch.items() if key.endswith("_jobs")} == {
        "total_jobs": 0,
        "pending_jobs": 0,
        "in_progress_jobs": 0,
        "completed_jobs": 0,
        "failed_jobs": 0,
        "cancelled_jobs": 0,
        "suspended_jobs": 0,
    }
    assert batch["created_at"].endswith("Z")

    stored = collection(Batch).find_one({"batch_id": batch["batch_id"]})
    assert str(stored["_id"]) == batch["_id"]
    assert "allow_duplicates" not in stored
    assert stored["account_id"] == "acc-a1b2c3d4e5f6"
    assert stored["total_jobs"] == stored["pending_jobs"] == 0


def test_defaults_description_priority_and_call_settings(api):
    response = create(api, {"account_id": "acc-1", "name": "Minimal", "description": None})

    stored = collection(Batch).find_one({"batch_id": response.json()["batch"]["batch_id"]})
    assert (stored["description"], stored["priority"], stored["call_settings"]) == ("", 1, None)


def test_a_generated_id_that_is_already_taken_is_drawn_again(api, monkeypatch):
    taken = insert_batch()["batch_id"]
    drawn = iter([taken, "batch-20251028-0000beef"])
    monkeypatch.setattr("batches.services.new_batch_id", lambda now: next(drawn))

    response = create(api, {"account_id": "acc-1", "name": "A"})

    assert response.status_code == 201
    assert response.json()["batch"]["batch_id"] == "batch-20251028-0000beef"
    assert collection(Batch).count_documents({"batch_id": taken}) == 1


def test_the_new_batch_is_listed_and_readable_by_its_generated_id(api):
    batch = create(api, {"account_id": "acc-1", "name": "A"}).json()["batch"]

    assert api.get(f"/api/v1/batches/{batch['batch_id']}").json()["_id"] == batch["_id"]
    assert [listed["_id"] for listed in api.get("/api/v1/batches").json()] == [batch["_id"]]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"name": "No account"}, "account_id: This field is required."),
        ({"account_id": "acc-1"}, "name: This field is required."),
        ({"account_id": "acc-1", "name": ""}, "name: This field may not be blank."),
        ({"account_id": "acc-1", "name": "x" * 201}, "name: Ensure this field has no more than 200 characters."),
        (
            {"account_id": "acc-1", "name": "A", "priority": 5},
            "priority: Ensure this value is less than or equal to 4.",
        ),
        (
            {"account_id": "acc-1", "name": "A", "priority": 0},
            "priority: Ensure this value is greater than or equal to 1.",
        ),
        ({"account_id": "acc-1", "name": "A", "call_settings": [1]}, "call_settings: Invalid data."),
    ],
)
def test_invalid_bodies_are_a_400_naming_the_field_and_create_nothing(api, body, detail):
    response = create(api, body)

    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)
    assert collection(Batch).count_documents({}) == 0


def test_needs_the_add_permission(db):
    changer = token_client(make_user("changer", "change_batch"))

    response = create(changer, {"account_id": "acc-1", "name": "A"})

    assert response.status_code == 403
    assert response.json()["detail"] == "You do not have permission to create batches."
    assert collection(Batch).count_documents({}) == 0
