"""Undo from the admin: "Restore selected cancelled jobs" (confirmation,
select-all across pages) and "Restore" on cancelled or deleted batches;
actions a batch's state refuses are not offered or change nothing."""

import datetime
import re

import pytest

from audit.models import AuditEntry
from tests.batch_helpers import stored_batch
from tests.factories import insert_batch, insert_jobs, stored_job
from tests.staff import logged_in, staff_user

pytestmark = pytest.mark.django_db

JOBS = "/admin/jobs/job/"
BATCHES = "/admin/batches/batch/"
OPERATOR = ("view_job", "view_batch", "change_job", "cancel_job", "retry_job", "restore_job", "change_batch")


@pytest.fixture
def operator(client):
    return logged_in(client, staff_user("olga", *OPERATOR))


def post(client, url, action, selected, query="", **extra):
    data = {"action": action, "_selected_action": [str(d["_id"]) for d in selected], "index": 0, **extra}
    return client.post(url + query, data)


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


def offered_actions(response):
    return set(re.findall(r'<option value="(\w+)"', response.content.decode())) - {""}


def test_restore_of_all_cancelled_jobs_across_pages_asks_then_restores(operator):
    batch = insert_batch()
    cancelled = insert_jobs(130, batch_id=batch["batch_id"], status="cancelled", status_before_cancel="scheduled")
    running = insert_jobs(2, batch_id=batch["batch_id"], status="in_progress")
    query = f"?batch={batch['batch_id']}&status=cancelled"

    confirmation = post(operator, JOBS, "restore_selected_jobs", cancelled[:2], query, select_across="1")

    html = confirmation.content.decode()
    assert 'id="will-restore-count">130<' in html and "Yes, restore 130 jobs" in html
    assert stored_job(cancelled[0]["_id"])["status"] == "cancelled"

    done = post(operator, JOBS, "restore_selected_jobs", cancelled[:2], query, select_across="1", confirm="yes")

    assert done.status_code == 302
    assert messages_of(done) == ["Restored 130 of 130 matched jobs."]
    assert {stored_job(d["_id"])["status"] for d in cancelled} == {"scheduled"}
    assert {stored_job(d["_id"])["status"] for d in running} == {"in_progress"}
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.source, entry.changed, entry.state) == ("jobs.restore", "admin", 130, "completed")


def test_restore_is_offered_only_with_the_restore_permission(client):
    viewer = logged_in(client, staff_user("carl", "view_job", "cancel_job"))

    assert "restore_selected_jobs" not in offered_actions(viewer.get(JOBS))


def test_a_cancelled_batch_is_restored_and_stays_paused(operator):
    batch = insert_batch(total_jobs=2, pending_jobs=2)
    jobs = insert_jobs(2, batch_id=batch["batch_id"])
    post(operator, BATCHES, "cancel_batches", [batch], confirm="yes")
    assert {stored_job(d["_id"])["status"] for d in jobs} == {"cancelled"}

    done = post(operator, BATCHES, "restore_batches", [batch])

    assert {stored_job(d["_id"])["status"] for d in jobs} == {"pending"}
    assert stored_batch(batch["_id"])["is_active"] is False
    assert "cancelled_at" not in stored_batch(batch["_id"])
    assert messages_of(done)[-1].startswith(f"Restored 1 batch(es): {batch['batch_id']}; 2 jobs back")


def test_resume_of_a_cancelled_batch_is_refused_and_not_offered_on_cancelled_batches(operator):
    cancelled = insert_batch(is_active=False, cancelled_at=datetime.datetime(2025, 10, 30))

    response = post(operator, BATCHES, "resume_batches", [cancelled])

    assert stored_batch(cancelled["_id"])["is_active"] is False
    assert messages_of(response) == [
        f"Not changed, their state does not allow it: {cancelled['batch_id']} (cancelled)."
    ]
    offered = offered_actions(operator.get(BATCHES, {"state": "cancelled"}))
    assert "restore_batches" in offered
    assert not offered & {"resume_batches", "pause_batches", "cancel_batches"}
    assert "restore_batches" not in offered_actions(operator.get(BATCHES, {"state": "active"}))


def test_the_state_column_and_filter_use_the_one_state_function(operator):
    finished = insert_batch(is_active=True, name="Finished")
    insert_jobs(1, batch_id=finished["batch_id"], status="done")
    importing = insert_batch(is_active=False, import_status="importing", name="Loading")

    page = operator.get(BATCHES).content.decode()

    assert "Completed" in page and "Importing" in page
    listed = set(
        re.findall(
            r'name="_selected_action" value="([0-9a-f]{24})"',
            operator.get(BATCHES, {"state": "completed"}).content.decode(),
        )
    )
    assert listed == {str(finished["_id"])}
    listed = set(
        re.findall(
            r'name="_selected_action" value="([0-9a-f]{24})"',
            operator.get(BATCHES, {"state": "importing"}).content.decode(),
        )
    )
    assert listed == {str(importing["_id"])}
