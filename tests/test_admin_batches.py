"""The batches changelist and actions of the admin: state, live counts,
links to the jobs, pause / resume / cancel through the batch services."""

import datetime
import re

import pytest

from audit.models import AuditEntry
from batches.models import Batch
from speechai.mongo import collection
from tests.factories import insert_batch, insert_jobs, stored_job
from tests.staff import logged_in, staff_user

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/batches/batch/"
BATCH_OPERATOR = ("view_batch", "change_batch", "view_job", "cancel_job", "retry_job")


def stored_batch(document):
    return collection(Batch).find_one({"_id": document["_id"]})


def change_url(document):
    return f"{CHANGELIST}{document['_id']}/change/"


def listed(response):
    return set(re.findall(r'name="_selected_action" value="([0-9a-f]{24})"', response.content.decode()))


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


def post_action(client, action, batches, **extra):
    data = {"action": action, "_selected_action": [str(b["_id"]) for b in batches], "index": 0, **extra}
    return client.post(CHANGELIST, data)


@pytest.fixture
def operator(client):
    return logged_in(client, staff_user("olga", *BATCH_OPERATOR))


@pytest.fixture
def campaign():
    # Stored counters in step with the jobs below.
    batch = insert_batch(name="Retail October", total_jobs=9, pending_jobs=4, failed_jobs=2, completed_jobs=2)
    jobs = {
        status: insert_jobs(count, status=status, batch_id=batch["batch_id"])
        for status, count in [("pending", 3), ("scheduled", 1), ("failed", 2), ("in_progress", 1), ("done", 2)]
    }
    return batch, jobs


def test_the_list_shows_state_and_live_counts_linking_to_the_jobs(operator, campaign):
    batch, _ = campaign
    insert_batch(name="Telco", is_active=False)

    html = operator.get(CHANGELIST).content.decode()

    assert "Retail October" in html
    assert ">Active</span>" in html and ">Paused</span>" in html
    failed_link = f'href="/admin/jobs/job/?batch={batch["batch_id"]}&amp;status=failed">2</a>'
    assert failed_link in html
    assert f'href="/admin/jobs/job/?batch={batch["batch_id"]}&amp;status=done">2</a>' in html
    assert f'href="/admin/jobs/job/?batch={batch["batch_id"]}">9</a>' in html  # all its jobs


def test_counts_cost_one_aggregation_whatever_the_number_of_batches(operator, round_trips):
    def page_round_trips():
        round_trips.reset()
        operator.get(CHANGELIST)
        return [command for command in round_trips.commands if command[1] == "jobs"]

    for _ in range(2):
        insert_jobs(2, batch_id=insert_batch()["batch_id"])
    page_round_trips()
    with_2 = page_round_trips()
    for _ in range(20):
        insert_jobs(2, batch_id=insert_batch()["batch_id"])

    assert page_round_trips() == with_2 == [("aggregate", "jobs")]


def test_filters_by_state_and_account_and_search(operator):
    active = insert_batch(name="Banco Austral — campaña 1", account_id="banco")
    paused = insert_batch(is_active=False, account_id="telco")
    cancelled = insert_batch(is_active=False, cancelled_at=datetime.datetime(2025, 10, 30))
    deleted = insert_batch(deleted_at=datetime.datetime(2025, 10, 30))

    def ids(*documents):
        return {str(d["_id"]) for d in documents}

    assert listed(operator.get(CHANGELIST, {"state": "active"})) == ids(active)
    assert listed(operator.get(CHANGELIST, {"state": "paused"})) == ids(paused)
    assert listed(operator.get(CHANGELIST, {"state": "cancelled"})) == ids(cancelled)
    assert listed(operator.get(CHANGELIST, {"state": "deleted"})) == ids(deleted)
    assert listed(operator.get(CHANGELIST, {"account": "telco"})) == ids(paused)
    assert listed(operator.get(CHANGELIST, {"q": "austral"})) == ids(active)
    assert listed(operator.get(CHANGELIST, {"q": paused["batch_id"][:15]})) >= ids(paused)
    assert listed(operator.get(CHANGELIST, {"q": str(deleted["_id"])})) == ids(deleted)


def test_pause_and_resume_go_through_the_batch_service_and_are_audited(operator):
    batch = insert_batch()

    paused = post_action(operator, "pause_batches", [batch])
    assert stored_batch(batch)["is_active"] is False
    assert messages_of(paused) == [f"Paused 1 batch(es): {batch['batch_id']}."]

    post_action(operator, "resume_batches", [batch])
    assert stored_batch(batch)["is_active"] is True

    entries = [(e.action, e.source, e.actor, e.target_ids) for e in AuditEntry.objects.order_by("created_at")]
    assert entries == [
        ("batches.pause", "admin", "olga", [str(batch["_id"])]),
        ("batches.resume", "admin", "olga", [str(batch["_id"])]),
    ]


def test_cancel_asks_for_confirmation_then_cancels_the_waiting_jobs(operator, campaign):
    batch, jobs = campaign

    confirmation = post_action(operator, "cancel_batches", [batch])

    html = confirmation.content.decode()
    assert 'id="waiting-count">6<' in html and 'id="in-progress-count">1<' in html
    assert stored_batch(batch)["is_active"] is True

    done = post_action(operator, "cancel_batches", [batch], confirm="yes", reason="Client request")

    assert done.status_code == 302
    assert messages_of(done) == [
        f"Cancelled 1 batch(es): {batch['batch_id']}; 6 waiting jobs cancelled. Calls in progress finish normally."
    ]
    stored = stored_batch(batch)
    assert (stored["is_active"], stored["cancellation_reason"]) == (False, "Client request")
    for status in ("pending", "scheduled", "failed"):
        assert {stored_job(d["_id"])["status"] for d in jobs[status]} == {"cancelled"}
    assert stored_job(jobs["in_progress"][0]["_id"])["status"] == "in_progress"
    assert stored["pending_jobs"] == 0 and stored["failed_jobs"] == 0  # stored counters moved by the jobs cancelled
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.source, entry.reason, entry.details["jobs_cancelled"]) == (
        "batches.cancel",
        "admin",
        "Client request",
        6,
    )
    assert {stored_job(d["_id"])["cancel_action_id"] for d in jobs["pending"]} == {entry.details["action_id"]}
    cancelled_job = jobs["pending"][0]
    assert str(cancelled_job["_id"]) in entry.changed_job_ids
    job_page = operator.get(f"/admin/jobs/job/{cancelled_job['_id']}/change/").content.decode()
    assert "Cancel batch" in job_page and "Client request" in job_page


def test_a_deleted_batch_is_not_changed_and_said_so(operator):
    deleted = insert_batch(deleted_at=datetime.datetime(2025, 10, 30), is_active=False)

    response = post_action(operator, "resume_batches", [deleted])

    assert stored_batch(deleted)["is_active"] is False
    assert messages_of(response) == [f"Not changed (deleted or gone): {deleted['batch_id']}."]


def test_the_change_form_writes_only_the_fields_edited(operator):
    batch = insert_batch(name="Old name", priority=1, legacy_field="kept", total_jobs=7)
    before = stored_batch(batch)

    response = operator.post(
        change_url(batch),
        {"name": "New name", "description": "", "priority": "3", "is_active": "on", "total_jobs": "0"},
    )

    assert response.status_code == 302
    after = stored_batch(batch)
    assert (after["name"], after["priority"]) == ("New name", 3)
    changed = {"name", "priority", "updated_at"}
    assert {k: v for k, v in after.items() if k not in changed} == {k: v for k, v in before.items() if k not in changed}
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.details) == ("batches.update", {"fields": {"name": "New name", "priority": 3}})


def test_unticking_active_in_the_form_pauses(operator):
    batch = insert_batch(name="Campaign", description="", priority=2)

    operator.post(change_url(batch), {"name": "Campaign", "description": "", "priority": "2"})

    assert stored_batch(batch)["is_active"] is False
    assert AuditEntry.objects.get().action == "batches.pause"


def test_the_change_page_links_to_the_batch_jobs_by_status(operator, campaign):
    batch, _ = campaign

    html = operator.get(change_url(batch)).content.decode()

    assert f'href="/admin/jobs/job/?batch={batch["batch_id"]}&amp;status=failed">Failed: 2</a>' in html
    assert f'<a href="/admin/jobs/job/?batch={batch["batch_id"]}">Open this batch' in html


def test_a_batch_with_odd_fields_renders(operator):
    odd = insert_batch(created_at="yesterday", priority="high", is_active=None, call_settings={"x": [1]})
    collection(Batch).update_one({"_id": odd["_id"]}, {"$unset": {"total_jobs": "", "name": ""}})
    bare = insert_batch()
    collection(Batch).replace_one({"_id": bare["_id"]}, {"_id": bare["_id"]})

    assert operator.get(CHANGELIST).status_code == 200
    assert operator.get(change_url(odd)).status_code == 200
    assert operator.get(change_url(bare)).status_code == 200


def test_a_read_only_supervisor_sees_batches_but_no_actions(client):
    viewer = logged_in(client, staff_user("victor", "view_batch", "view_job"))
    batch = insert_batch()

    html = viewer.get(CHANGELIST).content.decode()

    for action in ("pause_batches", "resume_batches", "cancel_batches"):
        assert f'value="{action}"' not in html
    post_action(viewer, "pause_batches", [batch])
    assert stored_batch(batch)["is_active"] is True
    assert viewer.post(change_url(batch), {"name": "x", "priority": "1"}).status_code == 403
    assert 'value="delete_selected"' not in html


def test_from_the_admin_alone_a_supervisor_retries_a_batch_failures_pauses_it_and_cancels_pending_jobs(
    operator, campaign
):
    batch, jobs = campaign
    # The batch list links its failed count to the jobs list filtered by batch and status.
    batches_page = operator.get(CHANGELIST).content.decode()
    failed_url = re.search(rf'href="(/admin/jobs/job/\?batch={batch["batch_id"]}&amp;status=failed)"', batches_page)
    failed_list = failed_url[1].replace("&amp;", "&")

    retried = operator.post(
        failed_list,
        {
            "action": "retry_selected_jobs",
            "_selected_action": [str(jobs["failed"][0]["_id"])],
            "select_across": "1",
            "index": 0,
        },
    )
    assert messages_of(retried) == ["Sent back to pending 2 of 2 matched jobs."]
    assert {stored_job(d["_id"])["status"] for d in jobs["failed"]} == {"pending"}

    post_action(operator, "pause_batches", [batch])
    assert stored_batch(batch)["is_active"] is False

    two_pending = jobs["pending"][:2]
    operator.post(
        "/admin/jobs/job/",
        {"action": "cancel_selected_jobs", "_selected_action": [str(d["_id"]) for d in two_pending], "confirm": "yes"},
    )
    assert [stored_job(d["_id"])["status"] for d in jobs["pending"]] == ["cancelled", "cancelled", "pending"]
    assert [e.action for e in AuditEntry.objects.order_by("created_at")] == [
        "jobs.retry",
        "batches.pause",
        "jobs.cancel",
    ]
