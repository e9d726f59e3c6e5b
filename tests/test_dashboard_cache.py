"""The dashboard's two caches and their rules: calls per settled hour kept in
`dashboard_hours` (an hour is stored once it closed SETTLE ago; the current
and younger hours, missing hours and hours of another VERSION are read from
`jobs`), and the figures shared by the supervisors asking within a few
seconds."""

import datetime
import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command

from batches.dashboard import buckets, dashboard
from batches.dashboard_hours import SETTLE, VERSION, first_unsettled_hour, hours_collection
from batches.shared_figures import SharedFigures
from jobs.models import Job
from speechai.mongo import collection, utc_now
from tests.calls import called_job
from tests.factories import insert_batch
from tests.staff import VIEW_JOBS, logged_in, staff_user

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 30, 10, 10)  # 09:00-10:00 closed 10 minutes ago: not settled yet


def at(hour, minute=0, day=30):
    return datetime.datetime(2026, 11, day, hour, minute)


def add_call(ended_at, **fields):
    document = called_job(ended_at=ended_at, **fields)
    collection(Job).insert_one(document)
    return document


def calls_per_hour(figures):
    return {start: sum(calls.values()) for start, calls in figures["hourly"] if sum(calls.values())}


def stored_hours():
    return sorted(document["_id"] for document in hours_collection().find({}, {"_id": 1}))


def test_settled_hours_are_stored_once_and_the_figures_stay_the_same(round_trips):
    add_call(at(7, 20))
    add_call(at(9, 40), promise=("2026-12-01", 1000))
    add_call(at(3, 5, day=12), success=False)

    first = dashboard(now=NOW)

    days = buckets(NOW)[1]
    settled = int((first_unsettled_hour(NOW) - days[0]) / datetime.timedelta(hours=1))
    assert first_unsettled_hour(NOW) == at(9) and SETTLE == datetime.timedelta(minutes=15)
    assert stored_hours() == [days[0] + datetime.timedelta(hours=n) for n in range(settled)]  # up to 08:00
    round_trips.reset()
    assert dashboard(now=NOW) == first
    assert ("update", "dashboard_hours") not in round_trips.commands
    assert calls_per_hour(first) == {at(7): 1, at(9): 1} and first["calls_30d"] == 3


def test_the_current_hour_and_hours_not_settled_are_read_again_each_time():
    dashboard(now=NOW)
    add_call(at(9, 58))  # written late, in the hour that closed 10 minutes ago
    add_call(at(10, 5))

    assert calls_per_hour(dashboard(now=NOW)) == {at(9): 1, at(10): 1}
    assert at(9) not in stored_hours()


def test_a_settled_hour_keeps_its_calls_when_a_job_is_called_again():
    job = add_call(at(7, 20), success=False)
    dashboard(now=NOW)
    collection(Job).update_one({"_id": job["_id"]}, {"$set": {"call_ended_at": at(10, 2)}})

    # Two calls happened; the job's first call stays in its hour.
    assert calls_per_hour(dashboard(now=NOW)) == {at(7): 1, at(10): 1}


def test_a_missing_hour_or_one_of_another_version_is_computed_again():
    dashboard(now=NOW)
    add_call(at(5, 10))
    add_call(at(6, 10))
    assert calls_per_hour(dashboard(now=NOW)) == {}  # both hours were stored, empty

    hours_collection().delete_one({"_id": at(5)})
    hours_collection().update_one({"_id": at(6)}, {"$set": {"version": VERSION - 1}})

    assert calls_per_hour(dashboard(now=NOW)) == {at(5): 1, at(6): 1}
    assert hours_collection().find_one({"_id": at(6)})["version"] == VERSION


def test_the_stored_hours_serve_every_filter():
    a = insert_batch(account_id="acme")
    b = insert_batch(account_id="zeta")
    add_call(at(7, 20), batch_id=a["batch_id"], account_id="acme")
    add_call(at(8, 20), batch_id=b["batch_id"], account_id="zeta")
    add_call(at(8, 30), account_id=["acme", "legacy"])  # an array matches as MongoDB matches it

    everything = dashboard(now=NOW)
    assert stored_hours()  # what follows reads the stored hours

    assert everything["calls_24h"] == 3
    assert calls_per_hour(dashboard(account_id="acme", now=NOW)) == {at(7): 1, at(8): 1}
    only_b = dashboard(batch_id=b["batch_id"], now=NOW)
    assert calls_per_hour(only_b) == {at(8): 1} and [c["batch_id"] for c in only_b["campaigns"]] == [b["batch_id"]]


def test_demo_data_written_in_the_past_is_counted():
    dashboard(now=NOW)
    assert stored_hours()

    call_command("seed_demo", "--jobs", "60", "--batches", "2", "--random-seed", "3", stdout=StringIO())

    assert stored_hours() == []
    window = {"call_ended_at": {"$gte": buckets(utc_now())[1][0]}}
    assert dashboard()["calls_30d"] == collection(Job).count_documents(window) > 0


# Figures shared between supervisors


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_figures_answer_the_requests_of_the_next_seconds_then_are_computed_again():
    clock, computed = Clock(), []
    shared = SharedFigures(4, clock=clock)

    def compute():
        computed.append(clock.now)
        return len(computed)

    assert shared.get("all", compute) == 1
    clock.now = 4.0
    assert shared.get("all", compute) == 1
    assert shared.get("acme", compute) == 2  # other filters, other figures
    clock.now = 4.5
    assert shared.get("all", compute) == 3
    assert computed == [0.0, 4.0, 4.5]


def test_requests_arriving_during_a_computation_wait_for_it():
    clock, computed, all_asked = Clock(), [], threading.Event()
    shared = SharedFigures(4, clock=clock)

    def slow_compute():
        all_asked.wait(5)
        clock.now = 100.0  # it took longer than the sharing window
        computed.append(1)
        return "figures"

    answers = []
    threads = [threading.Thread(target=lambda: answers.append(shared.get("all", slow_compute))) for _ in range(5)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    all_asked.set()
    for thread in threads:
        thread.join(5)

    assert answers == ["figures"] * 5 and computed == [1]


def test_a_failed_computation_is_not_kept():
    shared = SharedFigures(4, clock=Clock())

    def failing():
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        shared.get("all", failing)
    assert shared.get("all", lambda: "figures") == "figures"


def test_supervisors_refreshing_together_cost_one_computation(client, round_trips):
    batch = insert_batch(account_id="acme")
    add_call(datetime.datetime.now(datetime.UTC).replace(tzinfo=None), batch_id=batch["batch_id"], account_id="acme")
    logged_in(client, staff_user("vera", *VIEW_JOBS))
    first = client.get("/admin/dashboard/data").json()

    round_trips.reset()
    second = client.get("/admin/dashboard/data").json()

    assert second == first and first["figures"]["calls_24h"] == 1
    assert not [command for command in round_trips.commands if command[1] in ("jobs", "batches", "dashboard_hours")]
