"""Live job counts on batches, and the stored counters the API keeps in step."""

import pytest

from tests.api import make_user, token_client
from tests.batch_helpers import stored_batch, worker_claims, worker_finishes
from tests.factories import insert_batch, insert_job, insert_jobs

pytestmark = pytest.mark.django_db

COUNTS = ("total_jobs", "pending_jobs", "in_progress_jobs", "completed_jobs", "failed_jobs", "cancelled_jobs")


@pytest.fixture
def api(db):
    return token_client(make_user("ana", "change_batch", "cancel_job", "retry_job"))


def counts(response):
    assert response.status_code == 200
    return tuple(response.json()[key] for key in COUNTS)


def stored_counters(batch):
    stored = stored_batch(batch["_id"])
    return tuple(stored[key] for key in ("total_jobs", "pending_jobs", "completed_jobs", "failed_jobs"))


def test_counts_follow_a_worker_moving_jobs_through_their_statuses(api):
    batch = insert_batch(is_active=True)
    paused = insert_batch(is_active=False)
    insert_jobs(4, batch_id=batch["batch_id"])
    insert_jobs(2, batch_id=paused["batch_id"])
    status_url, list_url = f"/api/v1/batches/{batch['_id']}/status", "/api/v1/batches"

    def everywhere():
        """The same counts from /status, the batch itself and the list."""
        from_status = counts(api.get(status_url))
        assert counts(api.get(f"/api/v1/batches/{batch['batch_id']}")) == from_status
        listed = next(item for item in api.get(list_url).json() if item["_id"] == str(batch["_id"]))
        assert tuple(listed[key] for key in COUNTS) == from_status
        return from_status

    assert everywhere() == (4, 4, 0, 0, 0, 0)
    first, second = worker_claims("bot-1"), worker_claims("bot-2")
    assert {first["batch_id"], second["batch_id"]} == {batch["batch_id"]}  # the paused batch is never called
    assert everywhere() == (4, 2, 2, 0, 0, 0)
    worker_finishes(first, "done")
    assert everywhere() == (4, 2, 1, 1, 0, 0)
    worker_finishes(second, "failed")
    assert everywhere() == (4, 2, 0, 1, 1, 0)
    third = worker_claims("bot-1")
    assert api.post(f"/api/v1/batches/{batch['_id']}/cancel").json()["jobs_cancelled"] == 2  # 1 pending, 1 failed
    assert everywhere() == (4, 0, 1, 1, 0, 2)
    worker_finishes(third, "done")  # the call in progress finishes normally
    assert everywhere() == (4, 0, 0, 2, 0, 2)
    assert counts(api.get(f"/api/v1/batches/{paused['_id']}/status")) == (2, 2, 0, 0, 0, 0)


def test_cancelling_a_job_moves_its_batch_counters_by_one(api):
    batch = insert_batch(total_jobs=2, pending_jobs=2)
    job = insert_job(batch_id=batch["batch_id"])
    insert_job(batch_id=batch["batch_id"])

    assert api.put(f"/api/v1/jobs/{job['_id']}/cancel").status_code == 200

    assert stored_counters(batch) == (2, 1, 0, 0)


def test_retrying_a_job_moves_its_batch_counters_by_one(api):
    batch = insert_batch(total_jobs=1, failed_jobs=1)
    job = insert_job(batch_id=batch["batch_id"], status="failed")

    assert api.put(f"/api/v1/jobs/{job['job_id']}/retry").status_code == 200

    assert stored_counters(batch) == (1, 1, 0, 0)


def test_a_bulk_cancel_moves_the_counters_of_every_batch_involved(api):
    first = insert_batch(total_jobs=1, pending_jobs=1)
    second = insert_batch(total_jobs=2, failed_jobs=1, completed_jobs=1)
    untouched = insert_batch(pending_jobs=5)
    jobs = [insert_job(batch_id=first["batch_id"]), insert_job(batch_id=second["batch_id"], status="failed")]
    insert_job(batch_id=second["batch_id"], status="done")

    response = api.post("/api/v1/jobs/cancel", {"ids": [str(job["_id"]) for job in jobs]}, format="json")

    assert len(response.json()["cancelled"]) == 2
    assert stored_counters(first) == (1, 0, 0, 0)
    assert stored_counters(second) == (2, 0, 1, 0)
    assert stored_batch(untouched["_id"])["pending_jobs"] == 5


def test_cancelling_a_job_without_a_batch_touches_no_batch(api, round_trips):
    batch = insert_batch(pending_jobs=7)
    job = insert_job(batch_id=None)

    round_trips.reset()
    api.put(f"/api/v1/jobs/{job['_id']}/cancel")

    assert not [command for command in round_trips.commands if command[1] == "batches"]
    assert stored_batch(batch["_id"])["pending_jobs"] == 7


def test_a_batch_cancel_moves_the_counters_in_bounded_round_trips(api, round_trips):
    batch = insert_batch(total_jobs=50, pending_jobs=50)
    insert_jobs(50, batch_id=batch["batch_id"])

    round_trips.reset()
    api.post(f"/api/v1/batches/{batch['_id']}/cancel")

    assert [command for command in round_trips.commands if command[1] in ("batches", "jobs")] == [
        ("find", "batches"),  # the batch, by either id form
        ("update", "batches"),  # claim: inactive, `closing` (the state filter is in the update)
        ("find", "jobs"),  # the chunk's ids and statuses
        ("update", "jobs"),  # the chunk, stamped, one conditional update per status seen
        ("update", "batches"),  # the counters' $inc
        ("update", "batches"),  # finish: cancelled_at, `closing` removed
    ]
    assert stored_counters(batch) == (50, 0, 0, 0)
