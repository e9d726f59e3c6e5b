"""A supervisor in a real browser (headless Chromium from Debian's `chromium`
package, driven by Playwright): log in, open the pending jobs, select some,
cancel them, and see them cancelled; watch the dashboard's charts draw and
its figures follow the database without a reload."""

import datetime
import re
from pathlib import Path

import pytest

from jobs.models import Job
from speechai.mongo import collection, utc_now
from tests.calls import called_job
from tests.factories import insert_batch, insert_jobs, stored_job
from tests.staff import JOB_OPERATOR, VIEW_JOBS, staff_user

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium package (/usr/bin/chromium)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own
    # ORM calls are synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def log_in(page, live_server, username, next_path):
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", "staff-password-1234")
    page.click("input[type=submit]")


def test_a_supervisor_filters_pending_jobs_selects_some_and_cancels_them(live_server, page):
    staff_user("olga", *JOB_OPERATOR)
    pending = insert_jobs(4, status="pending")
    running = insert_jobs(1, status="in_progress")

    log_in(page, live_server, "olga", "/admin/jobs/job/")
    page.get_by_role("link", name="Pending (4)").click()
    page.wait_for_url(re.compile(r"status=pending"))

    assert page.locator("#result_list tbody tr").count() == 4
    chosen = pending[:3]
    for job in chosen:
        page.check(f"input[name=_selected_action][value='{job['_id']}']")
    page.select_option("select[name=action]", "cancel_selected_jobs")
    page.click("button[name=index]")

    page.wait_for_selector("text=Will be cancelled: 3")
    page.fill("textarea[name=reason]", "Paid at the branch")
    page.click("input[type=submit][value='Yes, cancel 3 jobs']")

    page.wait_for_selector("ul.messagelist")
    assert "Cancelled 3 of 3 matched jobs." in page.locator("ul.messagelist").inner_text()
    assert page.get_by_role("link", name="Pending (1)").is_visible()
    page.get_by_role("link", name="Cancelled (3)").click()
    page.wait_for_url(re.compile(r"status=cancelled"))
    assert page.locator("#result_list tbody tr").count() == 3
    assert page.locator("#result_list .badge", has_text="Cancelled").count() == 3

    for job in chosen:
        stored = stored_job(job["_id"])
        assert (stored["status"], stored["cancellation_reason"], stored["cancelled_by"]) == (
            "cancelled",
            "Paid at the branch",
            "olga",
        )
    assert stored_job(pending[3]["_id"])["status"] == "pending"
    assert stored_job(running[0]["_id"])["status"] == "in_progress"


def test_the_dashboard_draws_its_charts_and_follows_the_calls_without_reloading(live_server, page):
    staff_user("vera", *VIEW_JOBS)
    batch = insert_batch(name="Campaña noviembre", account_id="acme")
    now = utc_now()
    jobs = collection(Job)
    jobs.insert_many(
        [
            called_job(ended_at=now - datetime.timedelta(minutes=m), batch_id=batch["batch_id"], account_id="acme")
            for m in (5, 40, 70)
        ]
        + [called_job(ended_at=now - datetime.timedelta(minutes=20), success=False, batch_id=batch["batch_id"])]
    )
    insert_jobs(2, status="pending", batch_id=batch["batch_id"], account_id="acme")

    log_in(page, live_server, "vera", "/admin/")
    page.get_by_role("link", name="Campaigns dashboard").click()
    page.wait_for_selector("#chart-hourly")

    for chart in ("#chart-hourly", "#chart-daily", "#chart-reasons"):
        box = page.locator(chart).bounding_box()
        assert box["width"] > 100 and box["height"] > 10
        assert page.locator(f"{chart} rect.bar").count() > 0
    drawn = sum(
        int(n) for n in page.locator("#chart-hourly rect.bar").evaluate_all("bars => bars.map(b => b.dataset.calls)")
    )
    assert drawn == jobs.count_documents({"call_ended_at": {"$gte": now - datetime.timedelta(hours=2)}}) == 4
    card = page.locator(f".campaign[data-batch='{batch['batch_id']}']")
    assert card.locator("[data-figure=total]").inner_text() == str(
        jobs.count_documents({"batch_id": batch["batch_id"]})
    )
    assert card.locator("[data-figure=success-rate]").inner_text() == "75.0%"
    assert page.locator("[data-figure=calls-24h]").inner_text() == "4"

    # A worker finishes another call: the figures follow, the page is not reloaded.
    page.evaluate("window.stillTheSamePage = true")
    jobs.insert_one(called_job(ended_at=utc_now(), batch_id=batch["batch_id"], account_id="acme"))
    page.wait_for_function("document.querySelector('[data-figure=calls-24h]').textContent === '5'", timeout=20_000)
    assert page.evaluate("window.stillTheSamePage") is True
    assert card.locator("[data-figure=total]").inner_text() == "7"
