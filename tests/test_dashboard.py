import datetime

import pytest
from rest_framework.test import APIClient

from tests.api import make_user, token_client
from tests.factories import insert_batch, insert_job, insert_jobs

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.datetime(2025, 10, 1)


@pytest.fixture
def api(db):
    return token_client(make_user("reader"))


def today_at(hour):
    return datetime.datetime.utcnow().replace(hour=hour, minute=0, second=0, microsecond=0)


def test_counts_jobs_by_status_with_success_rate_and_active_batches(api):
    insert_jobs(2, status="pending", created_at=LONG_AGO)
    insert_job(status="scheduled", created_at=LONG_AGO)
    insert_job(status="in_progress", created_at=LONG_AGO)
    insert_jobs(2, status="done", created_at=LONG_AGO)
    insert_job(status="completed", created_at=LONG_AGO)
    insert_job(status="failed", created_at=LONG_AGO)
    insert_job(status="cancelled", created_at=LONG_AGO)
    insert_batch(is_active=True)
    insert_batch(is_active=True, deleted_at=LONG_AGO)
    insert_batch(is_active=False)

    response = api.get("/api/v1/dashboard/stats")

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in body if key != "timestamp"} == {
        "total_jobs": 9,
        "pending_jobs": 3,
        "in_progress_jobs": 1,
        "completed_jobs": 3,
        "failed_jobs": 1,
        "cancelled_jobs": 1,
        "suspended_jobs": 0,
        "success_rate": 75.0,
        "active_batches": 1,
        "jobs_today": 0,
    }
    assert body["timestamp"].endswith("Z")


def test_jobs_today_counts_from_utc_midnight(api):
    insert_job(created_at=today_at(0))
    insert_job(created_at=today_at(0) - datetime.timedelta(milliseconds=1))
    insert_job(created_at=LONG_AGO)

    assert api.get("/api/v1/dashboard/stats").json()["jobs_today"] == 1


def test_scoped_to_an_account(api):
    insert_jobs(2, account_id="acc-1", status="done", created_at=today_at(0))
    insert_job(account_id="acc-1", status="failed")
    insert_jobs(3, account_id="acc-2", status="failed")
    insert_batch(account_id="acc-1")
    insert_batch(account_id="acc-2")

    body = api.get("/api/v1/dashboard/stats", {"account_id": "acc-1"}).json()

    assert (body["total_jobs"], body["completed_jobs"], body["failed_jobs"]) == (3, 2, 1)
    assert (body["success_rate"], body["active_batches"], body["jobs_today"]) == (66.67, 1, 2)
    assert api.get("/api/v1/dashboard/stats", {"account_id": ""}).json()["total_jobs"] == 6


def test_an_empty_database_has_a_zero_success_rate(api):
    body = api.get("/api/v1/dashboard/stats").json()

    assert (body["total_jobs"], body["success_rate"], body["active_batches"]) == (0, 0.0, 0)


def test_two_round_trips_whatever_the_number_of_jobs(api, round_trips):
    insert_jobs(200, status="pending")

    round_trips.reset()
    api.get("/api/v1/dashboard/stats/")

    assert [command for command in round_trips.commands if command[1] in ("batches", "jobs")] == [
        ("aggregate", "jobs"),
        ("aggregate", "batches"),  # count_documents
    ]


def test_needs_authentication():
    assert APIClient().get("/api/v1/dashboard/stats").status_code == 401
