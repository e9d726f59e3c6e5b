import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Account
from batches.models import Batch
from jobs.models import Job, JobStatus
from speechai.mongo import collection, utc_now
from tests.api import make_user, token_client

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_fills_batches_and_jobs_in_every_status_worker_style():
    seed("--jobs", "400", "--batches", "4", "--random-seed", "7")

    jobs = collection(Job)
    assert jobs.count_documents({}) == 400
    assert collection(Batch).count_documents({}) == 4
    assert set(jobs.distinct("status")) == set(JobStatus.values)
    done = jobs.find_one({"status": "done", "call_result": {"$exists": True}})
    assert isinstance(done["call_result"]["timestamp"], datetime.datetime)
    assert jobs.count_documents({"nombre": {"$exists": True}, "contact": {"$exists": False}}) > 0
    known_batches = collection(Batch).distinct("batch_id")
    assert jobs.count_documents({"batch_id": {"$nin": [*known_batches, None]}}) > 0  # their batch is gone
    assert jobs.count_documents({"status": "in_progress", "reserved_until": {"$exists": True}}) > 0


def test_the_api_serves_every_seeded_document():
    seed("--jobs", "300", "--batches", "3", "--random-seed", "3")
    api = token_client(make_user("reader"))

    statuses = ",".join(JobStatus.values)
    response = api.get(f"/api/v1/jobs?status={statuses}&limit=1000")

    assert response.status_code == 200
    assert len(response.json()) == 300


def test_if_empty_leaves_a_database_with_data_alone():
    seed("--jobs", "60", "--batches", "2")

    output = seed("--if-empty")

    assert "no demo data added" in output
    assert collection(Job).count_documents({}) == 60


def test_the_batches_accounts_are_real_accounts_one_cl_one_ar():
    seed("--jobs", "60", "--batches", "3", "--random-seed", "5")
    seed("--jobs", "60", "--batches", "3")  # again: no duplicate accounts

    accounts = {a["account_id"]: a for a in collection(Account).find()}
    assert len(accounts) == 3
    assert set(collection(Batch).distinct("account_id")) <= set(accounts)
    assert {account["country"] for account in accounts.values()} == {"CL", "AR"}
    api = token_client(make_user("reader2"))
    assert len(api.get("/api/v1/accounts").json()) == 3


EVENT_FIELDS = (
    "created_at",
    "updated_at",
    "started_at",
    "call_started_at",
    "call_ended_at",
    "finished_at",
    "cancelled_at",
    "call_result.timestamp",
)


def test_every_event_it_writes_is_in_the_past_and_calls_spread_over_days_and_hours():
    before = utc_now()
    seed("--jobs", "600", "--batches", "6", "--random-seed", "11")
    jobs = collection(Job)

    for field in EVENT_FIELDS:
        assert jobs.count_documents({field: {"$gt": before}}) == 0, field
    assert collection(Batch).count_documents({"created_at": {"$gt": before}}) == 0
    ended = [job["call_ended_at"] for job in jobs.find({"call_ended_at": {"$exists": True}}, {"call_ended_at": 1})]
    assert len({moment.date() for moment in ended}) >= 5
    assert len({moment.hour for moment in ended}) >= 8
    assert any(before - moment < datetime.timedelta(hours=24) for moment in ended)


def test_calls_carry_outcomes_reasons_promises_and_transcripts_as_workers_write_them():
    seed("--jobs", "600", "--batches", "4", "--random-seed", "5")
    jobs = collection(Job)

    reasons = set(jobs.distinct("call_result.summary.disconnection_reason"))
    assert {"user_hangup", "agent_hangup", "dial_no_answer", "dial_busy"} <= reasons
    promised = jobs.find_one({"fecha_pago_cliente": {"$exists": True}, "monto_pago_cliente": {"$type": "int"}})
    summary = promised["call_result"]["summary"]
    assert promised["status"] in ("done", "completed") and promised["call_result"]["success"] is True
    assert summary["collected_dynamic_variables"]["fecha_pago_cliente"] == promised["fecha_pago_cliente"]
    assert summary["transcript"].startswith("Agent: ") and "\nUser: " in summary["transcript"]
    assert summary["recording_url"].startswith("https://")
    assert jobs.count_documents({"monto_pago_cliente": {"$type": "string"}}) > 0  # "50.000", as workers keep it
    failed = jobs.find_one({"status": "failed"})
    assert (
        failed["call_result"]["success"] is False and failed["last_attempt_result"] == failed["call_result"]["status"]
    )
