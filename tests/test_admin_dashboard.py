"""The supervisors' dashboard: each campaign's progress and results, calls
per hour and per day and disconnection reasons, against figures computed by
hand from worker-shaped jobs; a bounded number of indexed aggregations.
The rules of the calls kept per hour and of the figures shared between
supervisors are in tests/test_dashboard_cache.py."""

import datetime

import pytest

from batches.dashboard import MAX_CAMPAIGNS, campaign_calls_pipeline, dashboard
from batches.dashboard_hours import hour_rows_pipeline
from jobs.models import Job
from speechai.mongo import collection, utc_now
from tests.calls import called_job
from tests.factories import insert_batch, insert_job, job_document
from tests.staff import VIEW_JOBS, logged_in, staff_user

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 30, 10, 30)


def ago(**delta):
    return NOW - datetime.timedelta(**delta)


def call(batch, minutes_ago, **kwargs):
    return called_job(ended_at=ago(minutes=minutes_ago), batch_id=batch["batch_id"], account_id="acme", **kwargs)


@pytest.fixture
def campaigns():
    """A (active, acme), B (paused, called 2 days ago), C (paused, idle) and D (deleted)."""
    a = insert_batch(account_id="acme", name="A", created_at=ago(days=3))
    b = insert_batch(account_id="acme", name="B", is_active=False, created_at=ago(days=5))
    c = insert_batch(account_id="acme", name="C", is_active=False, created_at=ago(days=20))
    d = insert_batch(account_id="acme", name="D", deleted_at=ago(days=1), created_at=ago(days=1))
    collection(Job).insert_many(
        [
            call(a, 10, duration=60, cost_cents=20, promise=("2026-12-05", 50000)),
            call(a, 50, duration=30, cost_cents=10, reason="agent_hangup"),
            call(a, 120, success=False, duration=0, cost_cents=0, reason="dial_no_answer"),
            call(a, 3 * 24 * 60, duration=120, cost_cents=30, promise=("viernes", "50.000")),
            job_document(batch_id=a["batch_id"], account_id="acme", status="pending"),
            job_document(batch_id=a["batch_id"], account_id="acme", status="in_progress"),
            call(b, 2 * 24 * 60, duration=60, cost_cents=5, promise=("2026-12-01", 1000)),
            call(b, 40 * 24 * 60, success=False, reason="dial_busy"),
            call(c, 9 * 24 * 60),
            call(d, 30),
            called_job(ended_at=ago(minutes=5 * 60), success=False, reason="dial_busy", account_id="other"),
        ]
    )
    return a, b, c, d


def by_batch(figures):
    return {campaign["batch_id"]: campaign for campaign in figures["campaigns"]}


def test_each_active_or_recently_called_campaign_with_its_figures(campaigns):
    a, b, _, _ = campaigns

    figures = dashboard(now=NOW)

    assert [c["batch_id"] for c in figures["campaigns"]] == [a["batch_id"], b["batch_id"]]  # newest first
    shown = by_batch(figures)
    assert {k: shown[a["batch_id"]][k] for k in ("status", "total_jobs", "completed_jobs", "failed_jobs")} == {
        "status": "active",
        "total_jobs": 6,
        "completed_jobs": 3,
        "failed_jobs": 1,
    }
    assert {
        k: shown[a["batch_id"]][k]
        for k in ("success_rate", "promises", "promised_amount", "text_amounts", "cost_usd", "minutes", "last_hour")
    } == {
        "success_rate": 75.0,
        "promises": 2,
        "promised_amount": 50000,
        "text_amounts": 1,
        "cost_usd": 0.6,
        "minutes": 3.5,
        "last_hour": 2,
    }
    assert {k: shown[b["batch_id"]][k] for k in ("status", "success_rate", "promises", "promised_amount")} == {
        "status": "completed",
        "success_rate": 50.0,
        "promises": 1,
        "promised_amount": 1000,
    }


def test_calls_per_hour_per_day_and_by_disconnection_reason(campaigns):
    figures = dashboard(now=NOW)

    # The deleted campaign's call (30 min ago) counts too: calls happened.
    hourly = {start: calls for start, calls in figures["hourly"] if sum(calls.values())}
    assert len(figures["hourly"]) == 24 and figures["hourly"][-1][0] == datetime.datetime(2026, 11, 30, 10)
    assert hourly == {
        datetime.datetime(2026, 11, 30, 10): {"promise": 1, "completed": 1, "failed": 0},  # D's call too
        datetime.datetime(2026, 11, 30, 9): {"promise": 0, "completed": 1, "failed": 0},
        datetime.datetime(2026, 11, 30, 8): {"promise": 0, "completed": 0, "failed": 1},
        datetime.datetime(2026, 11, 30, 5): {"promise": 0, "completed": 0, "failed": 1},
    }
    daily = {start.date().isoformat(): sum(calls.values()) for start, calls in figures["daily"] if sum(calls.values())}
    assert len(figures["daily"]) == 30
    assert daily == {"2026-11-21": 1, "2026-11-27": 1, "2026-11-28": 1, "2026-11-30": 5}
    assert figures["calls_24h"] == 5 and figures["calls_30d"] == 8
    assert figures["reasons"] == [("user_hangup", 2), ("agent_hangup", 1), ("dial_busy", 1), ("dial_no_answer", 1)]


def test_filters_by_account_and_by_campaign(campaigns):
    c = campaigns[2]

    other = dashboard(account_id="other", now=NOW)
    assert other["campaigns"] == [] and other["calls_24h"] == 1 and other["reasons"] == [("dial_busy", 1)]

    only_c = dashboard(batch_id=c["batch_id"], now=NOW)  # asked for: shown though idle
    assert [campaign["batch_id"] for campaign in only_c["campaigns"]] == [c["batch_id"]]
    assert only_c["calls_30d"] == 1 and only_c["calls_24h"] == 0


def test_odd_documents_count_without_error():
    batch = insert_batch()
    for odd in (
        {"call_result": "boom", "call_ended_at": ago(minutes=5)},
        {"call_result": [{"success": True}], "call_ended_at": ago(minutes=5)},
        {"call_result": {"summary": {"disconnection_reason": 3, "call_cost": "12"}}, "call_ended_at": ago(minutes=5)},
        {"call_ended_at": "yesterday", "monto_pago_cliente": {"x": 1}},
        {"status": ["odd"]},
    ):
        insert_job(batch_id=batch["batch_id"], **odd)

    figures = dashboard(now=NOW)

    assert figures["calls_24h"] == 3
    assert figures["reasons"] == [(None, 3)]
    assert by_batch(figures)[batch["batch_id"]]["total_jobs"] == 5


def test_a_bounded_number_of_round_trips_whatever_the_number_of_jobs(campaigns, round_trips):
    a, _, _, _ = campaigns
    per_campaign = [("aggregate", "jobs")] * 4  # A and B: its summary, its calls
    dashboard(now=NOW)
    # The stored hours, the calls since the first hour not stored, storing the settled ones; the campaigns.
    hours = [("find", "dashboard_hours"), ("aggregate", "jobs")]
    assert round_trips.commands == [*hours, ("update", "dashboard_hours"), ("find", "batches"), *per_campaign]

    collection(Job).insert_many([call(a, minutes, duration=5) for minutes in range(0, 3000, 3)])
    round_trips.reset()
    dashboard(now=NOW)
    assert round_trips.commands == [*hours, ("find", "batches"), *per_campaign]


def test_at_most_max_campaigns_are_read(round_trips):
    for _ in range(MAX_CAMPAIGNS + 3):
        insert_batch()
    round_trips.reset()
    figures = dashboard(now=NOW)
    assert len(figures["campaigns"]) == MAX_CAMPAIGNS and figures["more_campaigns"]
    assert round_trips.count == 4 + 2 * MAX_CAMPAIGNS


def winning_indexes(pipeline):
    from django.db import connections

    explained = (
        connections["default"]
        .get_collection("jobs")
        .database.command("aggregate", "jobs", pipeline=pipeline, explain=True)
    )
    text = str(explained)
    return {name for name in ("call_ended_at", "batch_call_ended") if f"'indexName': '{name}'" in text}


def test_the_aggregations_are_served_by_indexes(campaigns):
    a, _, _, _ = campaigns
    assert "call_ended_at" in winning_indexes(hour_rows_pipeline(ago(days=30), NOW))
    assert "batch_call_ended" in winning_indexes(campaign_calls_pipeline(a["batch_id"], NOW))


# The admin page


@pytest.fixture
def viewer(client):
    return logged_in(client, staff_user("victor", *VIEW_JOBS))


def test_the_page_shows_campaigns_and_charts_and_the_index_links_to_it(viewer):
    batch = insert_batch(name="Retail noviembre", account_id="acme")
    collection(Job).insert_one(
        called_job(ended_at=utc_now() - datetime.timedelta(minutes=3), batch_id=batch["batch_id"], account_id="acme")
    )

    assert 'href="/admin/dashboard/"' in viewer.get("/admin/").content.decode()
    html = viewer.get("/admin/dashboard/").content.decode()
    assert "Retail noviembre" in html
    assert f'data-batch="{batch["batch_id"]}" data-total="1"' in html
    assert '<svg id="chart-hourly"' in html and '<svg id="chart-daily"' in html and '<svg id="chart-reasons"' in html
    assert html.count('class="bar bar-promise"') == 0 and html.count('class="bar bar-completed"') == 2
    assert 'data-figure="calls-24h">1<' in html
    assert 'src="/static/batches/admin/dashboard.js"' in html


def test_the_data_endpoint_refreshes_the_body_with_the_filters(viewer):
    batch = insert_batch(account_id="acme")
    collection(Job).insert_one(
        called_job(ended_at=utc_now() - datetime.timedelta(minutes=3), batch_id=batch["batch_id"], account_id="acme")
    )

    data = viewer.get("/admin/dashboard/data?account=acme").json()
    assert data["figures"]["calls_24h"] == 1
    assert data["figures"]["campaigns"][0]["batch_id"] == batch["batch_id"]
    assert '<svg id="chart-hourly"' in data["html"]
    assert viewer.get("/admin/dashboard/data?account=nobody").json()["figures"]["calls_24h"] == 0


def test_only_staff_who_can_view_jobs_see_it(client):
    assert client.get("/admin/dashboard/").status_code == 302  # to the login page
    logged_in(client, staff_user("nobody"))
    assert client.get("/admin/dashboard/").status_code == 403
    assert client.get("/admin/dashboard/data").status_code == 403
    assert 'href="/admin/dashboard/"' not in client.get("/admin/").content.decode()
