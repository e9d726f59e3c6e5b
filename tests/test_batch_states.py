"""Batches as a state machine: one function decides a batch's state, each
action is allowed from some states only, and the check is the update's own
filter, so two operators racing get one success and one 409."""

import datetime
import threading

import pytest

from batches.states import batch_state
from jobs.counts import NO_JOBS
from tests.api import make_user, token_client
from tests.batch_helpers import stored_batch
from tests.factories import insert_batch, insert_jobs

pytestmark = pytest.mark.django_db

CANCELLED_AT = datetime.datetime(2025, 10, 30, 9, 0)


@pytest.fixture
def api(db):
    return token_client(make_user("ana", "change_batch", "delete_batch"))


def test_resuming_a_cancelled_batch_is_a_409_and_leaves_it_inactive(api):
    batch = insert_batch(is_active=False, cancelled_at=CANCELLED_AT, cancellation_reason="Batch cancelled")

    response = api.patch(f"/api/v1/batches/{batch['_id']}", {"is_active": True}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"] == "Batch cannot be resumed in status 'cancelled'"
    assert response.json()["status"] == "cancelled"
    assert stored_batch(batch["_id"])["is_active"] is False


def test_a_cancelled_batch_cannot_be_paused_or_cancelled_again_but_can_be_renamed(api):
    batch = insert_batch(is_active=False, cancelled_at=CANCELLED_AT)
    url = f"/api/v1/batches/{batch['batch_id']}"

    assert api.patch(url, {"is_active": False}, format="json").status_code == 409
    cancel = api.post(f"{url}/cancel")
    assert cancel.status_code == 409
    assert cancel.json()["detail"] == "Batch cannot be cancelled in status 'cancelled'"
    assert api.patch(url, {"name": "Archived"}, format="json").status_code == 200
    assert stored_batch(batch["_id"])["name"] == "Archived"


def test_an_importing_batch_cannot_be_resumed_but_can_be_cancelled(api):
    batch = insert_batch(is_active=False, import_status="importing")
    url = f"/api/v1/batches/{batch['_id']}"

    response = api.patch(url, {"is_active": True}, format="json")

    assert (response.status_code, response.json()["status"]) == (409, "importing")
    assert api.post(f"{url}/cancel").status_code == 200


def test_a_completed_batch_can_be_paused_and_resumed(api):
    batch = insert_batch(is_active=True)
    insert_jobs(2, batch_id=batch["batch_id"], status="done")
    url = f"/api/v1/batches/{batch['_id']}"

    assert api.get(url).json()["status"] == "completed"
    assert api.patch(url, {"is_active": False}, format="json").status_code == 200
    assert api.patch(url, {"is_active": True}, format="json").status_code == 200


@pytest.mark.parametrize(
    "stored, status",
    [
        ({"deleted_at": CANCELLED_AT, "cancelled_at": CANCELLED_AT}, "deleted"),
        ({"cancelled_at": CANCELLED_AT, "import_status": "importing"}, "cancelled"),
        ({"import_status": "failed", "is_active": False}, "importing"),
        ({"is_active": False}, "paused"),
        ({"is_active": True}, "active"),
        ({}, "paused"),  # workers call only batches switched on
    ],
)
def test_the_state_is_decided_in_order(stored, status):
    assert batch_state(stored, NO_JOBS) == status


def test_every_batch_in_a_response_carries_its_state(api):
    active = insert_batch(is_active=True)
    paused = insert_batch(is_active=False)
    finished = insert_batch(is_active=False)
    insert_jobs(1, batch_id=finished["batch_id"], status="failed")
    insert_jobs(1, batch_id=active["batch_id"], status="pending")

    listed = {item["batch_id"]: item["status"] for item in api.get("/api/v1/batches").json()}

    assert listed == {active["batch_id"]: "active", paused["batch_id"]: "paused", finished["batch_id"]: "completed"}
    assert api.get(f"/api/v1/batches/{paused['_id']}").json()["status"] == "paused"
    assert api.get(f"/api/v1/batches/{finished['_id']}/summary").json()["status"] == "completed"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("RUNNING", {"active"}),
        ("active", {"active"}),
        ("PAUSED", {"paused"}),
        ("COMPLETED", {"completed"}),
        ("CANCELLED", {"cancelled"}),
        ("PENDING", {"importing", "import_failed"}),
        ("ERROR", {"import_failed"}),
        ("paused,cancelled", {"paused", "cancelled"}),
    ],
)
def test_the_list_filters_by_state_with_the_frontend_names(api, query, expected):
    names = {
        "active": insert_batch(is_active=True),
        "paused": insert_batch(is_active=False),
        "completed": insert_batch(is_active=True),
        "cancelled": insert_batch(is_active=False, cancelled_at=CANCELLED_AT),
        "importing": insert_batch(is_active=False, import_status="importing"),
        "import_failed": insert_batch(is_active=False, import_status="failed"),
    }
    insert_batch(deleted_at=CANCELLED_AT)
    insert_jobs(1, batch_id=names["completed"]["batch_id"], status="done")
    insert_jobs(1, batch_id=names["active"]["batch_id"], status="pending")

    response = api.get("/api/v1/batches", {"status": query})

    assert response.status_code == 200
    by_id = {document["batch_id"]: name for name, document in names.items()}
    assert {by_id[item["batch_id"]] for item in response.json()} == expected


def test_an_unknown_state_is_a_400(api):
    response = api.get("/api/v1/batches", {"status": "deleted"})

    assert response.status_code == 400
    assert "status" in response.json()["detail"]


def race(*calls):
    """Run the calls at the same moment; their responses' status codes."""
    start = threading.Barrier(len(calls))
    codes = [None] * len(calls)

    def run(index, call):
        start.wait()
        codes[index] = call().status_code

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(codes)


@pytest.mark.django_db(transaction=True)
def test_a_resume_racing_a_cancel_gets_one_success_and_one_conflict():
    resumer = token_client(make_user("ana", "change_batch"))
    canceller = token_client(make_user("bea", "change_batch"))
    outcomes = set()
    for _ in range(10):
        batch = insert_batch(is_active=False)
        insert_jobs(3, batch_id=batch["batch_id"])
        url = f"/api/v1/batches/{batch['_id']}"
        codes = race(
            lambda url=url: resumer.patch(url, {"is_active": True}, format="json"),
            lambda url=url: canceller.post(f"{url}/cancel"),
        )
        stored = stored_batch(batch["_id"])
        assert stored["cancelled_at"] is not None and stored["is_active"] is False  # never active once cancelled
        outcomes.add(tuple(codes))
        assert codes in ([200, 200], [200, 409])  # resume first then cancel, or cancel wins and resume is refused
    assert outcomes


@pytest.mark.django_db(transaction=True)
def test_two_operators_cancelling_the_same_batch_get_one_success_and_one_conflict():
    first = token_client(make_user("ana", "change_batch"))
    second = token_client(make_user("bea", "change_batch"))
    for _ in range(10):
        batch = insert_batch(is_active=True)
        insert_jobs(3, batch_id=batch["batch_id"])
        url = f"/api/v1/batches/{batch['_id']}/cancel"

        assert race(lambda url=url: first.post(url), lambda url=url: second.post(url)) == [200, 409]
