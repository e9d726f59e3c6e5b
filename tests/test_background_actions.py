"""Admin bulk actions over more jobs than ADMIN_BULK_SYNC_LIMIT run in the
background: the request queues them and answers at once with a page that
follows their progress; `manage.py run_background_actions` runs them through
the same services as the request would, and the services audit them."""

import signal
import subprocess
import sys
import threading
import time
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connections

from audit.models import AuditAction, AuditEntry, BackgroundAction
from jobs import background_actions
from speechai.mongo import collection, utc_now
from tests.commands import run, unreachable_database  # noqa: F401 - fixture
from tests.environment import ROOT, production_environment
from tests.factories import insert_job, insert_jobs, stored_job
from tests.staff import logged_in, staff_user
from tests.test_admin_jobs import messages_of, post_action

pytestmark = pytest.mark.django_db

AUTO_REFRESH = '<meta http-equiv="refresh"'


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.ADMIN_BULK_SYNC_LIMIT = 3


def cancel_all(job_operator, jobs, query="?status=pending", **form):
    """ "Select all" on the changelist, then "Yes, cancel"."""
    return post_action(job_operator, "cancel_selected_jobs", jobs[:2], query, select_across="1", confirm="yes", **form)


def page_of(job_operator, action):
    response = job_operator.get(f"/admin/audit/backgroundaction/{action.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_select_all_above_the_limit_answers_at_once_with_the_progress_page(job_operator, round_trips):
    pending = insert_jobs(5, status="pending")
    confirmation = post_action(job_operator, "cancel_selected_jobs", pending[:2], "?status=pending", select_across="1")
    assert 'name="planned" value="5"' in confirmation.content.decode()
    round_trips.reset()

    response = cancel_all(job_operator, pending, reason="Campaign stopped", planned="5")

    # The changelist's status counts only: the selection is not counted again, nor changed.
    assert round_trips.commands.count(("aggregate", "jobs")) == 1
    assert ("update", "jobs") not in round_trips.commands
    action = BackgroundAction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/audit/backgroundaction/{action.pk}/change/"
    assert "runs in the background" in messages_of(response)[0]
    assert (action.action, action.actor, action.state, action.options) == (
        "jobs.cancel",
        "olga",
        "queued",
        {"reason": "Campaign stopped"},
    )
    assert all(stored_job(job["_id"])["status"] == "pending" for job in pending)
    assert not AuditEntry.objects.exists()
    html = page_of(job_operator, action)
    assert "Waiting for a worker" in html
    assert AUTO_REFRESH in html


def test_the_confirmation_page_says_that_the_cancel_will_run_in_the_background(job_operator):
    pending = insert_jobs(5, status="pending")

    above = post_action(job_operator, "cancel_selected_jobs", pending[:1], "?status=pending", select_across="1")
    below = post_action(job_operator, "cancel_selected_jobs", pending[:3])

    assert 'id="in-background"' in above.content.decode()
    assert 'id="in-background"' not in below.content.decode()


def test_the_worker_runs_it_through_the_service_and_the_page_shows_its_end(job_operator):
    pending = insert_jobs(5, status="pending")
    running = insert_job(status="in_progress")
    cancel_all(job_operator, pending, query="", reason="Campaign stopped")
    action = BackgroundAction.objects.get()

    output = run("run_background_actions", "--once")

    assert f"#{action.pk} completed" in output
    for job in pending:
        stored = stored_job(job["_id"])
        assert (stored["status"], stored["cancellation_reason"], stored["cancelled_by"]) == (
            "cancelled",
            "Campaign stopped",
            "olga",
        )
    assert stored_job(running["_id"])["status"] == "in_progress"
    action.refresh_from_db()
    assert (action.state, action.done, action.total, action.matched, action.changed) == ("completed", 5, 5, 6, 5)
    assert action.skipped == {"in_progress": 1}
    assert action.finished_at is not None
    html = page_of(job_operator, action)
    assert "Completed" in html
    assert "5 of 5 jobs" in html
    assert AUTO_REFRESH not in html
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.source, entry.actor, entry.changed, entry.reason) == (
        "jobs.cancel",
        "admin",
        "olga",
        5,
        "Campaign stopped",
    )


def test_supervisors_see_every_background_action_and_its_page(client):
    call_command("create_supervisor_groups", stdout=StringIO())
    supervisor = staff_user("sara")
    supervisor.groups.add(Group.objects.get(name="Supervisors (read-only)"))
    logged_in(client, supervisor)
    action = background_actions.enqueue(AuditAction.RETRY_JOBS, {"status": "failed"}, None, actor="olga")

    listing = client.get("/admin/audit/backgroundaction/")

    assert listing.status_code == 200
    assert "Retry jobs" in listing.content.decode()
    assert "Waiting for a worker" in page_of(client, action)


def test_retry_above_the_limit_runs_in_the_background_too(job_operator):
    failed = insert_jobs(4, status="failed")
    response = post_action(job_operator, "retry_selected_jobs", failed[:1], "?status=failed", select_across="1")
    action = BackgroundAction.objects.get()
    assert response["Location"].endswith(f"/{action.pk}/change/")

    run("run_background_actions", "--once")

    assert all(stored_job(job["_id"])["status"] == "pending" for job in failed)
    action.refresh_from_db()
    assert (action.action, action.state, action.changed) == ("jobs.retry", "completed", 4)
    assert AuditEntry.objects.get().action == "jobs.retry"


def test_up_to_the_limit_the_action_stays_in_the_request(job_operator):
    pending = insert_jobs(3, status="pending")

    response = cancel_all(job_operator, pending, planned="3")

    assert messages_of(response) == ["Cancelled 3 of 3 matched jobs."]
    assert all(stored_job(job["_id"])["status"] == "cancelled" for job in pending)
    assert not BackgroundAction.objects.exists()


def test_only_one_of_several_workers_claims_an_action():
    background_actions.enqueue(AuditAction.CANCEL_JOBS, {}, None, actor="olga")
    claims = []
    workers = [
        threading.Thread(target=lambda n=n: claims.append(background_actions.claim_next(f"w{n}"))) for n in range(6)
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    (winner,) = [claim for claim in claims if claim is not None]
    assert BackgroundAction.objects.get().worker == winner.worker
    assert BackgroundAction.objects.get().state == "running"


def test_an_action_that_fails_is_marked_failed_with_its_error(job_operator):
    insert_jobs(2, status="pending")
    action = background_actions.enqueue(AuditAction.CANCEL_JOBS, {"status": {"$nosuchoperator": 1}}, None, actor="olga")

    output = run("run_background_actions", "--once")

    assert f"#{action.pk} failed" in output
    action.refresh_from_db()
    assert action.state == "failed"
    assert action.error
    html = page_of(job_operator, action)
    assert "Failed" in html
    assert AUTO_REFRESH not in html


def test_a_worker_killed_midway_leaves_the_action_visibly_unfinished(job_operator, mongodb_uri):
    pending = insert_jobs(2500, status="pending")
    cancel_all(job_operator, pending)
    action = BackgroundAction.objects.get()
    environment = production_environment(
        MONGODB_URI=mongodb_uri, MONGODB_NAME=connections["default"].settings_dict["NAME"], DJANGO_DEBUG="1"
    )
    worker = subprocess.Popen([sys.executable, "manage.py", "run_background_actions"], cwd=ROOT, env=environment)
    try:
        deadline = time.monotonic() + 120
        while BackgroundAction.objects.get().done == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()

    action.refresh_from_db()
    assert action.state == "running"
    assert 0 < action.done < 2500
    assert action.total == 2500
    html = page_of(job_operator, action)
    assert f"{action.done:,} of 2,500 jobs" in html
    assert AUTO_REFRESH in html
    collection(BackgroundAction).update_one({"_id": action.pk}, {"$set": {"updated_at": utc_now().replace(year=2020)}})
    assert "its worker has probably stopped" in page_of(job_operator, action)


@pytest.mark.usefixtures("unreachable_database")
def test_the_worker_outlives_an_unreachable_database():
    errors = StringIO()

    call_command("run_background_actions", "--once", stdout=StringIO(), stderr=errors)

    assert "Database unreachable" in errors.getvalue()
