import datetime

import pytest
from bson import Int64
from rest_framework.test import APIClient

from batches.models import Batch
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.factories import insert_batch, insert_job, insert_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("reader"))


def ids(response):
    return [batch["_id"] for batch in response.json()]


def test_lists_batches_newest_first_with_live_counts_in_place_of_stored_counters(api):
    older = insert_batch(created_at=datetime.datetime(2025, 10, 1), total_jobs=99, pending_jobs=99)
    newer = insert_batch(created_at=datetime.datetime(2025, 10, 2))
    insert_jobs(2, batch_id=older["batch_id"], status="pending")
    insert_job(batch_id=older["batch_id"], status="scheduled")
    insert_job(batch_id=older["batch_id"], status="in_progress")
    insert_job(batch_id=older["batch_id"], status="done")
    insert_job(batch_id=older["batch_id"], status="completed")
    insert_job(batch_id=older["batch_id"], status="failed")
    insert_job(batch_id=older["batch_id"], status="cancelled")
    insert_job(batch_id=older["batch_id"], status="suspended")

    response = api.get("/api/v1/batches")

    assert response.status_code == 200
    assert ids(response) == [str(newer["_id"]), str(older["_id"])]
    listed_older = response.json()[1]
    assert {key: listed_older[key] for key in listed_older if key.endswith("_jobs")} == {
        "total_jobs": 9,
        "pending_jobs": 3,
        "in_progress_jobs": 1,
        "completed_jobs": 2,
        "failed_jobs": 1,
        "cancelled_jobs": 1,
        "suspended_jobs": 1,
    }
    assert response.json()[0]["total_jobs"] == 0
    assert listed_older["batch_id"] == older["batch_id"]
    assert listed_older["created_at"] == "2025-10-01T00:00:00.000000Z"


def test_deleted_batches_are_not_listed(api):
    kept = insert_batch()
    insert_batch(deleted_at=datetime.datetime(2025, 10, 30), is_active=False)

    assert ids(api.get("/api/v1/batches")) == [str(kept["_id"])]


def test_an_empty_boolean_is_refused_naming_the_parameter(api):
    response = api.get("/api/v1/batches", {"is_active": ""})

    assert response.status_code == 400
    assert "is_active" in response.json()["errors"]


def test_filters_by_account(api):
    mine = insert_batch(account_id="acc-1")
    insert_batch(account_id="acc-2")

    assert ids(api.get("/api/v1/batches", {"account_id": "acc-1"})) == [str(mine["_id"])]
    assert len(api.get("/api/v1/batches", {"account_id": ""}).json()) == 2


@pytest.mark.parametrize(
    ("value", "active"), [("true", True), ("1", True), ("YES", True), ("false", False), ("0", False), ("no", False)]
)
def test_filters_by_is_active_with_any_usual_boolean_spelling(api, value, active):
    running = insert_batch(is_active=True)
    paused = insert_batch(is_active=False)
    legacy = insert_batch()
    collection(Batch).update_one({"_id": legacy["_id"]}, {"$unset": {"is_active": ""}})

    listed = set(ids(api.get("/api/v1/batches", {"is_active": value})))

    # Workers call only batches with is_active true: the rest is "not active".
    assert listed == ({str(running["_id"])} if active else {str(paused["_id"]), str(legacy["_id"])})


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"is_active": "maybe"}, "is_active"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"skip": "-1"}, "skip"),
        ({"limit": "ten"}, "limit"),
    ],
)
def test_bad_query_values_are_a_400_naming_the_parameter(api, query, field):
    response = api.get("/api/v1/batches", query)

    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"{field}:")


def test_pages_with_skip_and_limit_are_stable_on_equal_creation_times(api):
    same_time = datetime.datetime(2025, 10, 28, 12, 0, 0)
    batches = [insert_batch(created_at=same_time) for _ in range(5)]
    expected = sorted((str(batch["_id"]) for batch in batches), reverse=True)

    pages = [ids(api.get("/api/v1/batches", {"skip": skip, "limit": 2})) for skip in (0, 2, 4)]

    assert pages == [expected[0:2], expected[2:4], expected[4:5]]


def test_the_default_page_is_100_batches(api):
    collection(Batch).insert_many(
        [{"batch_id": f"batch-{n}", "created_at": datetime.datetime(2025, 1, 1)} for n in range(101)]
    )

    assert len(api.get("/api/v1/batches").json()) == 100


def test_odd_worker_documents_are_listed_without_error(api):
    collection(Batch).insert_many(
        [
            {"name": "no custom id, no counters"},
            {
                "batch_id": "batch-odd",
                "is_active": "yes",
                "priority": "high",
                "total_jobs": Int64(5),
                "call_settings": {"timezone": "America/Santiago", "updated": datetime.datetime(2025, 1, 1)},
            },
        ]
    )
    # Jobs without a batch must not be counted for a batch without a custom id.
    insert_jobs(2, batch_id=None)

    response = api.get("/api/v1/batches")

    assert response.status_code == 200
    by_name = {batch.get("batch_id"): batch for batch in response.json()}
    assert by_name[None]["total_jobs"] == 0
    assert by_name["batch-odd"]["total_jobs"] == 0
    assert by_name["batch-odd"]["call_settings"]["updated"] == "2025-01-01T00:00:00.000000Z"


def test_needs_authentication():
    assert APIClient().get("/api/v1/batches").status_code == 401


def test_a_trailing_slash_is_accepted(api):
    insert_batch()

    assert len(api.get("/api/v1/batches/").json()) == 1


def test_a_page_of_100_batches_costs_the_same_round_trips_as_a_page_of_one(api, round_trips):
    batches = [insert_batch() for _ in range(100)]
    for batch in batches:
        insert_jobs(2, batch_id=batch["batch_id"], status="pending")
        insert_job(batch_id=batch["batch_id"], status="done")

    def commands_for(limit):
        round_trips.reset()
        response = api.get("/api/v1/batches", {"limit": limit})
        assert response.status_code == 200
        assert len(response.json()) == limit
        assert all(batch["total_jobs"] == 3 and batch["completed_jobs"] == 1 for batch in response.json())
        return list(round_trips.commands)

    one, hundred = commands_for(1), commands_for(100)

    assert len(hundred) == len(one)
    # The page itself: one find on batches, one grouped aggregation on jobs.
    assert [command for command in hundred if command[1] in ("batches", "jobs")] == [
        ("find", "batches"),
        ("aggregate", "jobs"),
    ]
