"""Live counts remembered a few seconds (LIVE_COUNTS_SECONDS): a batch's jobs
are counted again as soon as the batch document shows a change (a stored
counter or updated_at), which every change the project makes and a worker's
finished call do; what leaves the batch document alone (a worker taking a
job) shows once the time is over."""

import time

import pytest

from jobs.models import Job, batch_collection
from jobs.recent_counts import RECENT_COUNTS
from speechai.mongo import collection, utc_now
from tests.api import make_user, token_client
from tests.factories import insert_batch, insert_job, insert_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _counts_remembered(settings):
    settings.LIVE_COUNTS_SECONDS = 5


@pytest.fixture
def operator(db):
    return token_client(make_user("operator", "view_job", "view_batch", "cancel_job"))


def pending_jobs(client, batch):
    response = client.get(f"/api/v1/batches/{batch['batch_id']}/status")
    assert response.status_code == 200
    return response.json()["pending_jobs"]


def batch_counted_then_its_job_taken(client):
    """A batch of one pending job, counted once; then a worker takes the job
    (which changes nothing on the batch document)."""
    batch = insert_batch()
    job = insert_job(batch_id=batch["batch_id"], status="pending")
    assert pending_jobs(client, batch) == 1
    collection(Job).update_one({"_id": job["_id"]}, {"$set": {"status": "in_progress"}})
    return batch


def counting_commands(round_trips):
    return [command for command in round_trips.commands if command == ("aggregate", "jobs")]


def test_a_page_counted_a_moment_ago_costs_no_aggregation(operator, round_trips):
    batches = [insert_batch() for _ in range(3)]
    for batch in batches:
        insert_jobs(2, batch_id=batch["batch_id"], status="pending")

    round_trips.reset()
    first = operator.get("/api/v1/batches")
    first_counting = counting_commands(round_trips)
    round_trips.reset()
    second = operator.get("/api/v1/batches")

    assert first.json() == second.json()
    assert [batch["pending_jobs"] for batch in second.json()] == [2, 2, 2]
    assert len(first_counting) == 1
    assert round_trips.commands == [("aggregate", "authtoken_token"), ("find", "batches")]


def test_a_cancel_shows_at_once(operator):
    batch = insert_batch(pending_jobs=2, total_jobs=2)
    job, _ = insert_jobs(2, batch_id=batch["batch_id"], status="pending")
    assert pending_jobs(operator, batch) == 2

    assert operator.put(f"/api/v1/jobs/{job['_id']}/cancel").status_code == 200

    assert pending_jobs(operator, batch) == 1


def test_a_worker_finishing_a_call_shows_at_once(operator):
    batch = insert_batch(pending_jobs=1, total_jobs=1)
    job = insert_job(batch_id=batch["batch_id"], status="in_progress")
    assert operator.get(f"/api/v1/batches/{batch['batch_id']}/status").json()["completed_jobs"] == 0

    collection(Job).update_one({"_id": job["_id"]}, {"$set": {"status": "done"}})
    batch_collection().update_one(
        {"batch_id": batch["batch_id"]}, {"$inc": {"completed_jobs": 1}, "$set": {"updated_at": utc_now()}}
    )

    assert operator.get(f"/api/v1/batches/{batch['batch_id']}/status").json()["completed_jobs"] == 1


def test_a_change_no_batch_field_shows_appears_once_the_time_is_over(settings, operator):
    settings.LIVE_COUNTS_SECONDS = 0.3
    batch = batch_counted_then_its_job_taken(operator)

    remembered = pending_jobs(operator, batch)
    time.sleep(0.4)

    assert remembered == 1
    assert pending_jobs(operator, batch) == 0


def test_a_batch_with_odd_counter_values_is_counted_and_remembered(operator, round_trips):
    batch = insert_batch(total_jobs=[1, 2], pending_jobs={"n": 1}, updated_at="yesterday")
    insert_job(batch_id=batch["batch_id"], status="failed")

    assert operator.get(f"/api/v1/batches/{batch['batch_id']}/status").json()["failed_jobs"] == 1
    round_trips.reset()
    assert operator.get(f"/api/v1/batches/{batch['batch_id']}/status").json()["failed_jobs"] == 1
    assert counting_commands(round_trips) == []


def test_with_the_time_at_zero_every_request_counts(settings, operator, round_trips):
    settings.LIVE_COUNTS_SECONDS = 0
    batch = insert_batch()
    insert_job(batch_id=batch["batch_id"])

    round_trips.reset()
    operator.get("/api/v1/batches")
    operator.get("/api/v1/batches")

    assert len(counting_commands(round_trips)) == 2


def test_while_one_request_counts_an_expired_batch_again_the_others_get_its_last_counts(settings, operator):
    settings.LIVE_COUNTS_SECONDS = 0.1
    batch = batch_counted_then_its_job_taken(operator)
    time.sleep(0.2)

    assert RECENT_COUNTS.claim(batch["batch_id"])  # as if another request were counting it now
    meanwhile = pending_jobs(operator, batch)
    RECENT_COUNTS.release(batch["batch_id"])

    assert meanwhile == 1
    assert pending_jobs(operator, batch) == 0


def test_a_batch_without_jobs_is_remembered_too(operator, round_trips):
    batch = insert_batch()
    pending_jobs(operator, batch)

    round_trips.reset()
    assert pending_jobs(operator, batch) == 0
    assert counting_commands(round_trips) == []
