"""The demo's stand-in worker claims pending jobs of active campaigns as a
worker does and leaves worker-shaped call results, ended now."""

import datetime

import pytest

from jobs.call_facts import last_call
from speechai.mongo import utc_now
from tests.commands import run
from tests.factories import insert_batch, insert_jobs, stored_job

pytestmark = pytest.mark.django_db


def test_it_finishes_calls_of_active_campaigns_only():
    active, paused = insert_batch(), insert_batch(is_active=False)
    waiting = insert_jobs(3, status="pending", batch_id=active["batch_id"])
    untouched = insert_jobs(2, status="pending", batch_id=paused["batch_id"])
    before = utc_now()

    run("simulate_calls", "--calls", "2", "--interval", "0")

    finished = [stored_job(job["_id"]) for job in waiting if stored_job(job["_id"])["status"] != "pending"]
    assert len(finished) == 2
    for job in finished:
        assert job["status"] in ("done", "failed") and job["attempts"] == 1
        assert before <= job["call_ended_at"] <= utc_now() + datetime.timedelta(seconds=1)
        assert last_call(job).outcome in ("Call completed", "Call failed")
    assert {stored_job(job["_id"])["status"] for job in untouched} == {"pending"}


def test_it_stops_when_nothing_is_left_to_call():
    insert_batch()
    assert "No pending job in an active batch" in run("simulate_calls", "--interval", "0")
