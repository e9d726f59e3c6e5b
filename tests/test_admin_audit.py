"""The audit log: one entry per operator action, whichever entry point —
API, admin or command — written by the services; shown read-only in the admin."""

import pytest

from audit.models import AuditEntry
from tests.api import make_user, token_client
from tests.commands import run
from tests.factories import insert_job, insert_jobs
from tests.staff import JOB_OPERATOR, logged_in, staff_user

pytestmark = pytest.mark.django_db

AUDIT_LIST = "/admin/audit/auditentry/"


@pytest.fixture
def api(db):
    return token_client(make_user("ana", "cancel_job", "retry_job"))


def only_entry():
    (entry,) = AuditEntry.objects.all()
    return entry


def test_api_cancel_writes_one_entry(api):
    job = insert_job(status="pending")

    api.put(f"/api/v1/jobs/{job['job_id']}/cancel", {"reason": "Paid"}, format="json")

    entry = only_entry()
    assert (entry.action, entry.source, entry.actor, entry.reason) == ("jobs.cancel", "api", "ana", "Paid")
    assert (entry.target_ids, entry.changed_job_ids) == ([job["job_id"]], [str(job["_id"])])
    assert (entry.matched, entry.changed, entry.skipped) == (1, 1, {})
    assert entry.created_at is not None


def test_an_api_cancel_refused_by_status_is_audited_too(api):
    job = insert_job(status="in_progress")

    assert api.delete(f"/api/v1/jobs/{job['_id']}").status_code == 409

    entry = only_entry()
    assert (entry.matched, entry.changed, entry.skipped, entry.changed_job_ids) == (1, 0, {"in_progress": 1}, [])


def test_an_api_cancel_of_an_unknown_job_is_audited_as_matching_nothing(api):
    assert api.delete("/api/v1/jobs/no-such-job").status_code == 404

    assert (only_entry().target_ids, only_entry().matched) == (["no-such-job"], 0)


def test_api_retry_writes_one_entry(api):
    job = insert_job(status="failed")

    api.put(f"/api/v1/jobs/{job['_id']}/retry")

    entry = only_entry()
    assert (entry.action, entry.source, entry.changed, entry.changed_job_ids) == (
        "jobs.retry",
        "api",
        1,
        [str(job["_id"])],
    )


def test_api_bulk_cancel_writes_one_entry_for_all_its_ids(api):
    pending = insert_jobs(2, status="pending")
    done = insert_job(status="done")
    ids = [pending[0]["job_id"], str(pending[1]["_id"]), done["job_id"], "missing"]

    api.post("/api/v1/jobs/cancel", {"ids": ids, "reason": "Campaign over"}, format="json")

    entry = only_entry()
    assert (entry.action, entry.source, entry.target_ids, entry.reason) == ("jobs.cancel", "api", ids, "Campaign over")
    assert (entry.matched, entry.changed, entry.skipped) == (3, 2, {"done": 1})
    assert set(entry.changed_job_ids) == {str(d["_id"]) for d in pending}


def test_api_admin_and_command_alike_write_their_entries(api, client):
    from_api, from_admin, from_command = (insert_job(status="pending") for _ in range(3))
    admin = logged_in(client, staff_user("olga", *JOB_OPERATOR))

    api.delete(f"/api/v1/jobs/{from_api['_id']}")
    admin.post(
        "/admin/jobs/job/",
        {"action": "cancel_selected_jobs", "_selected_action": [str(from_admin["_id"])], "confirm": "yes"},
    )
    run("cancel_jobs", "--status", "pending", "--actor", "cron", "--yes")

    entries = {(e.source, e.actor, tuple(e.changed_job_ids)) for e in AuditEntry.objects.all()}
    assert entries == {
        ("api", "ana", (str(from_api["_id"]),)),
        ("admin", "olga", (str(from_admin["_id"]),)),
        ("command", "cron", (str(from_command["_id"]),)),
    }


def test_a_dry_run_or_an_unconfirmed_action_writes_nothing(client):
    jobs = insert_jobs(2, status="pending")
    admin = logged_in(client, staff_user("olga", *JOB_OPERATOR))

    run("cancel_jobs", "--status", "pending", "--dry-run")
    admin.post(
        "/admin/jobs/job/", {"action": "cancel_selected_jobs", "_selected_action": [str(jobs[0]["_id"])], "index": 0}
    )

    assert not AuditEntry.objects.exists()


# The audit log in the admin


@pytest.fixture
def supervisor(client):
    return logged_in(client, staff_user("sara", "view_auditentry"))


def test_the_audit_log_lists_who_did_what_and_filters_by_user_and_action(supervisor):
    insert_job(status="pending")
    insert_job(status="failed")
    run("cancel_jobs", "--status", "pending", "--actor", "cron", "--yes")
    run("retry_jobs", "--status", "failed", "--actor", "maria", "--yes")

    listing = supervisor.get(AUDIT_LIST).content.decode()
    by_actor = supervisor.get(AUDIT_LIST, {"actor": "maria"}).content.decode()
    by_action = supervisor.get(AUDIT_LIST, {"action__exact": "jobs.cancel"}).content.decode()

    assert "cron" in listing and "maria" in listing
    assert "Retry jobs" in by_actor and "Cancel jobs</td>" not in by_actor
    assert "Cancel jobs</td>" in by_action and "Retry jobs</td>" not in by_action


def test_the_audit_log_is_read_only(supervisor):
    insert_job(status="pending")
    run("cancel_jobs", "--status", "pending", "--yes", "--reason", "Paid")
    entry = only_entry()
    page = f"{AUDIT_LIST}{entry.pk}/change/"

    html = supervisor.get(page).content.decode()

    assert "Paid" in html and "&quot;$in&quot;: [" in html  # the filter, shown as JSON
    assert 'name="_save"' not in html
    assert supervisor.post(page, {"reason": "tampered"}).status_code == 403
    assert supervisor.get(f"{AUDIT_LIST}add/").status_code == 403
    assert supervisor.post(f"{page}../delete/").status_code == 403
    assert only_entry().reason == "Paid"


def test_staff_without_the_view_permission_do_not_see_the_audit_log(client):
    nosy = logged_in(client, staff_user("nosy", "view_job"))

    assert nosy.get(AUDIT_LIST).status_code == 403


# Batch actions, from the API


@pytest.fixture
def batch_api(db):
    return token_client(make_user("bea", "add_batch", "change_batch", "delete_batch"))


def test_api_batch_actions_each_write_one_entry(batch_api):
    from tests.factories import insert_batch

    batch = insert_batch()
    waiting = insert_jobs(2, status="pending", batch_id=batch["batch_id"])
    other = insert_batch()

    created = batch_api.post("/api/v1/batches", {"account_id": "acc-1", "name": "New"}, format="json").json()
    batch_api.patch(f"/api/v1/batches/{batch['batch_id']}", {"is_active": False}, format="json")
    batch_api.patch(f"/api/v1/batches/{batch['_id']}", {"is_active": True}, format="json")
    batch_api.patch(f"/api/v1/batches/{batch['_id']}", {"priority": 4}, format="json")
    batch_api.post(f"/api/v1/batches/{batch['batch_id']}/cancel", {"reason": "Over"}, format="json")
    batch_api.delete(f"/api/v1/batches/{other['batch_id']}")
    assert batch_api.post("/api/v1/batches/no-such-batch/cancel").status_code == 404

    entries = [
        (e.action, e.source, e.actor, e.target_ids, e.matched, without_stamp(e.details))
        for e in AuditEntry.objects.order_by("created_at")
    ]
    assert entries == [
        ("batches.create", "api", "bea", [created["batch"]["batch_id"]], 0 + 1, {"account_id": "acc-1", "name": "New"}),
        ("batches.pause", "api", "bea", [batch["batch_id"]], 1, {"fields": {"is_active": False}}),
        ("batches.resume", "api", "bea", [str(batch["_id"])], 1, {"fields": {"is_active": True}}),
        ("batches.update", "api", "bea", [str(batch["_id"])], 1, {"fields": {"priority": 4}}),
        ("batches.cancel", "api", "bea", [batch["batch_id"]], 1, {"batch_id": batch["batch_id"], "jobs_cancelled": 2}),
        ("batches.delete", "api", "bea", [other["batch_id"]], 1, {"batch_id": other["batch_id"], "jobs_cancelled": 0}),
        ("batches.cancel", "api", "bea", ["no-such-batch"], 0, {}),
    ]
    cancel = AuditEntry.objects.get(action="batches.cancel", matched=1)
    assert set(cancel.changed_job_ids) == {str(d["_id"]) for d in waiting}
    assert cancel.reason == "Over"


def without_stamp(details):
    """An entry's details but its action id (random)."""
    return {key: value for key, value in details.items() if key != "action_id"}
