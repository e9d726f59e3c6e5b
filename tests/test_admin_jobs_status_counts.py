"""The jobs changelist's status views remember their counts per filter
(LIVE_COUNTS_SECONDS): counted again as soon as any batch document shows a
change (what every change this project makes and a worker's finished call
do), and once the time is over for what no batch shows."""

import re
import time

import pytest

from jobs import services
from jobs.models import Job, batch_collection
from speechai.mongo import collection
from tests.factories import insert_batch, insert_jobs

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/jobs/job/"


@pytest.fixture(autouse=True)
def _counts_remembered(settings):
    settings.LIVE_COUNTS_SECONDS = 5


@pytest.fixture
def batch():
    document = insert_batch(total_jobs=3, pending_jobs=3)
    insert_jobs(3, batch_id=document["batch_id"], status="pending")
    return document


def view_count(client, label, **filters):
    html = client.get(CHANGELIST, filters).content.decode()
    return int(re.search(rf"{label} \(([\d,]+)\)", html).group(1))


def counting(round_trips):
    return [command for command in round_trips.commands if command == ("aggregate", "jobs")]


def test_a_list_counted_a_moment_ago_costs_no_aggregation(job_operator, batch, round_trips):
    assert view_count(job_operator, "Pending") == 3
    round_trips.reset()

    assert view_count(job_operator, "Pending") == 3

    assert counting(round_trips) == []
    assert ("find", "batches") in round_trips.commands  # their version: one find


def test_each_filter_has_its_own_counts(job_operator, batch):
    insert_jobs(2, batch_id="another-batch", status="failed")

    assert view_count(job_operator, "All") == 5
    assert view_count(job_operator, "All", batch=batch["batch_id"]) == 3


def test_a_list_of_one_batch_is_not_counted_again_for_another_batchs_change(job_operator, batch):
    other = insert_batch(total_jobs=1, pending_jobs=1)
    [job] = insert_jobs(1, batch_id=other["batch_id"], status="pending")
    assert view_count(job_operator, "Pending", batch=batch["batch_id"]) == 3

    services.cancel_job(str(job["_id"]), actor="olga")  # the other batch changes
    taken = {"$set": {"status": "in_progress"}}  # what no batch shows: seen only when counted again
    collection(Job).update_one({"batch_id": batch["batch_id"]}, taken)

    assert view_count(job_operator, "Pending", batch=batch["batch_id"]) == 3


def test_a_cancel_shows_at_once(job_operator, batch):
    assert view_count(job_operator, "Cancelled") == 0
    job = collection(Job).find_one({"batch_id": batch["batch_id"]})

    services.cancel_job(str(job["_id"]), actor="olga")

    assert view_count(job_operator, "Cancelled") == 1


def test_a_worker_finishing_a_call_shows_at_once(job_operator, batch):
    assert view_count(job_operator, "Done / completed") == 0
    job = collection(Job).find_one({"batch_id": batch["batch_id"]})

    collection(Job).update_one({"_id": job["_id"]}, {"$set": {"status": "completed"}})
    batch_collection().update_one({"_id": batch["_id"]}, {"$inc": {"completed_jobs": 1, "pending_jobs": -1}})

    assert view_count(job_operator, "Done / completed") == 1


def test_a_change_no_batch_shows_appears_once_the_time_is_over(settings, job_operator, batch):
    # Long enough for the second page to come within it on a loaded machine
    # (0.3 s once was not, under the full suite).
    settings.LIVE_COUNTS_SECONDS = 2
    assert view_count(job_operator, "In Progress") == 0
    collection(Job).update_one({"batch_id": batch["batch_id"]}, {"$set": {"status": "in_progress"}})

    assert view_count(job_operator, "In Progress") == 0  # remembered
    time.sleep(2.1)
    assert view_count(job_operator, "In Progress") == 1
