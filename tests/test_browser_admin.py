"""A supervisor in a real browser (headless Chromium from Debian's `chromium`
package, driven by Playwright): log in, open the pending jobs, select some,
cancel them, and see them cancelled."""

import re
from pathlib import Path

import pytest

from tests.factories import insert_jobs, stored_job
from tests.staff import JOB_OPERATOR, staff_user

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


def test_a_supervisor_filters_pending_jobs_selects_some_and_cancels_them(live_server, page):
    staff_user("olga", *JOB_OPERATOR)
    pending = insert_jobs(4, status="pending")
    running = insert_jobs(1, status="in_progress")

    page.goto(f"{live_server.url}/admin/login/?next=/admin/jobs/job/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", "staff-password-1234")
    page.click("input[type=submit]")
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
