"""`manage.py cancel_jobs`: bulk cancel by batch, status, account, creation
date or a file of ids, with a dry run, a confirmation and chunked updates."""

import datetime

import pytest
from django.core.management.base import CommandError

from audit.models import AuditEntry
from jobs.management.commands.cancel_jobs import Command
from jobs.models import Job
from speechai.mongo import collection
from tests.commands import concurrently, manage, run, unreachable_database  # noqa: F401 - fixture
from tests.factories import insert_batch, insert_job, insert_jobs, stored_job

pytestmark = pytest.mark.django_db


def statuses(documents):
    return [stored_job(document["_id"])["status"] for document in documents]


@pytest.fixture
def campaign():
    """A batch with jobs in every status, and a job of another batch."""
    batch = insert_batch()
    jobs = {
        status: insert_jobs(count, status=status, batch_id=batch["batch_id"])
        for status, count in [
            ("pending", 3),
            ("scheduled", 1),
            ("failed", 2),
            ("in_progress", 1),
            ("done", 2),
            ("completed", 1),
            ("cancelled", 1),
            ("suspended", 1),
        ]
    }
    others = insert_jobs(2, status="pending", batch_id="another-batch")
    return batch, jobs, others


def test_dry_run_then_real_run_cancels_exactly_the_pending_scheduled_and_failed_jobs_of_the_batch(campaign):
    batch, jobs, others = campaign

    dry = run("cancel_jobs", "--batch", batch["batch_id"], "--dry-run")

    assert "Matched 11 jobs." in dry  # cancelled ones are not listed (soft-deleted)
    assert "Will cancel: 6 (Failed 2, Pending 3, Scheduled 1)" in dry
    assert "Will not cancel: 5 (Completed 1, Done 2, In Progress 1, Suspended 1:" in dry
    assert "Dry run: nothing changed." in dry
    assert statuses(jobs["pending"]) == ["pending"] * 3
    assert not AuditEntry.objects.exists()

    out = run("cancel_jobs", "--batch", batch["batch_id"], "--yes")

    assert "Cancelled 6 of 11 matched jobs." in out
    for status in ("pending", "scheduled", "failed"):
        assert set(statuses(jobs[status])) == {"cancelled"}
    for status in ("in_progress", "done", "completed", "suspended"):
        assert set(statuses(jobs[status])) == {status}
    assert statuses(others) == ["pending", "pending"]


def test_the_batch_may_be_named_by_its_object_id(campaign):
    batch, jobs, _ = campaign

    run("cancel_jobs", "--batch", str(batch["_id"]), "--yes")

    assert set(statuses(jobs["pending"])) == {"cancelled"}


def test_reason_actor_and_audit_entry():
    job = insert_job(status="pending")

    out = run("cancel_jobs", "--status", "pending", "--yes", "--reason", "Debt paid", "--actor", "ops-1")

    assert "Cancelled 1 of 1" in out
    stored = stored_job(job["_id"])
    assert (stored["cancellation_reason"], stored["cancelled_by"]) == ("Debt paid", "ops-1")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.source, entry.actor, entry.reason) == ("jobs.cancel", "command", "ops-1", "Debt paid")
    assert entry.filter == {"status": {"$in": ["pending"]}}
    assert (entry.matched, entry.changed) == (1, 1)
    assert entry.changed_job_ids == [str(job["_id"])]


def test_without_a_reason_the_default_one_is_recorded():
    job = insert_job(status="failed")

    run("cancel_jobs", "--status", "failed", "--yes")

    assert stored_job(job["_id"])["cancellation_reason"] == "Cancelled by user"


def test_filter_by_status_account_and_creation_date():
    old = insert_job(status="pending", account_id="telco", created_at=datetime.datetime(2025, 9, 30, 23, 59))
    recent = insert_job(status="pending", account_id="telco", created_at=datetime.datetime(2025, 10, 1, 0, 0))
    other_account = insert_job(status="pending", account_id="retail", created_at=datetime.datetime(2025, 9, 1))
    old_failed = insert_job(status="failed", account_id="telco", created_at=datetime.datetime(2025, 9, 1))

    run("cancel_jobs", "--status", "pending", "--account", "telco", "--created-before", "2025-10-01", "--yes")

    assert statuses([old, recent, other_account, old_failed]) == ["cancelled", "pending", "pending", "failed"]


def test_ids_file_takes_either_id_form_with_comments_and_blank_lines(tmp_path):
    by_object_id, by_job_id, not_listed = insert_jobs(3, status="pending")
    running = insert_job(status="in_progress")
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(
        f"# jobs to cancel\n{by_object_id['_id']}\n\n  {by_job_id['job_id']}  \n{running['job_id']}\nno-such-job\n"
    )

    out = run("cancel_jobs", "--ids-file", str(ids_file), "--yes")

    assert statuses([by_object_id, by_job_id, not_listed, running]) == [
        "cancelled",
        "cancelled",
        "pending",
        "in_progress",
    ]
    assert "Cancelled 2 of 3 matched jobs. Skipped: In Progress 1." in out
    entry = AuditEntry.objects.get()
    assert entry.target_ids == [str(by_object_id["_id"]), by_job_id["job_id"], running["job_id"], "no-such-job"]


def test_ids_file_combines_with_the_other_filters(tmp_path, campaign):
    batch, jobs, others = campaign
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(f"{jobs['pending'][0]['job_id']}\n{others[0]['job_id']}\n")

    run("cancel_jobs", "--ids-file", str(ids_file), "--batch", batch["batch_id"], "--yes")

    assert statuses([jobs["pending"][0], others[0]]) == ["cancelled", "pending"]


def test_confirmation_prompt_yes_goes_on(monkeypatch):
    job = insert_job(status="pending")

    run("cancel_jobs", "--status", "pending", answer="yes", monkeypatch=monkeypatch)

    assert stored_job(job["_id"])["status"] == "cancelled"


@pytest.mark.parametrize("answer", ["", "n", "no", "maybe"])
def test_confirmation_prompt_anything_but_yes_changes_nothing(monkeypatch, answer):
    job = insert_job(status="pending")

    with pytest.raises(CommandError, match="Not confirmed: nothing changed"):
        run("cancel_jobs", "--status", "pending", answer=answer, monkeypatch=monkeypatch)

    assert stored_job(job["_id"])["status"] == "pending"
    assert not AuditEntry.objects.exists()


def test_nothing_to_cancel_asks_nothing(monkeypatch):
    insert_job(status="done")
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("asked for confirmation"))

    out = run("cancel_jobs", "--status", "done")

    assert "Nothing to cancel." in out


def test_large_sets_go_in_chunks_of_one_read_and_one_update_with_progress(round_trips):
    insert_jobs(5, status="pending")
    insert_jobs(2, status="done")
    round_trips.reset()

    out = run("cancel_jobs", "--status", "pending,done", "--chunk-size", "2", "--yes")

    job_commands = [name for name, target in round_trips.commands if target == "jobs"]
    assert job_commands.count("update") == 3  # ceil(5 / 2), never one per job
    assert job_commands.count("find") + job_commands.count("getMore") == 3
    assert job_commands.count("aggregate") == 2  # the plan shown, then the count the change starts from
    assert "  2 / 5\n  4 / 5\n  5 / 5\n" in out
    assert "Cancelled 5 of 7 matched jobs." in out


def test_an_ids_file_is_read_in_chunks_too(tmp_path, round_trips):
    jobs = insert_jobs(5, status="pending")
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(d["job_id"] for d in jobs))
    round_trips.reset()

    run("cancel_jobs", "--ids-file", str(ids_file), "--chunk-size", "2", "--yes")

    assert set(statuses(jobs)) == {"cancelled"}
    updates = [c for c in round_trips.commands if c == ("update", "jobs")]
    assert len(updates) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Select the jobs: give --batch, --status"),
        (["--status", "pending,bogus"], "Unknown status bogus; allowed: pending"),
        (["--created-before", "last week"], "--created-before 'last week' is not an ISO date"),
        (["--ids-file", "/nonexistent/ids.txt"], "Cannot read --ids-file /nonexistent/ids.txt"),
        (["--status", "pending", "--reason", "x" * 501], "--reason is longer than 500 characters"),
    ],
)
def test_bad_arguments_are_refused_before_anything_changes(args, message):
    job = insert_job(status="pending")

    with pytest.raises(CommandError, match=message):
        run("cancel_jobs", *args, "--yes")

    assert stored_job(job["_id"])["status"] == "pending"


def test_an_empty_ids_file_is_refused(tmp_path):
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("# nothing\n\n")

    with pytest.raises(CommandError, match="holds no ids"):
        run("cancel_jobs", "--ids-file", str(ids_file), "--yes")


@pytest.mark.usefixtures("unreachable_database")
def test_an_unreachable_database_is_a_clear_error():
    with pytest.raises(CommandError, match="Database unreachable or failing: ServerSelectionTimeoutError"):
        run("cancel_jobs", "--status", "pending", "--yes")


def test_exit_codes(mongodb_uri):
    insert_jobs(2, status="pending")
    failed = insert_job(status="failed")

    success, no_selection, bad_option, unconfirmed, unreachable = concurrently(
        lambda: manage("cancel_jobs", "--status", "pending", "--yes", mongodb_uri=mongodb_uri),
        lambda: manage("cancel_jobs", "--yes", mongodb_uri=mongodb_uri),
        lambda: manage("cancel_jobs", "--status", "pending", "--chunk-size", "0", mongodb_uri=mongodb_uri),
        lambda: manage("cancel_jobs", "--status", "failed", mongodb_uri=mongodb_uri),
        lambda: manage(
            "cancel_jobs", "--status", "pending", "--yes", mongodb_uri="mongodb://127.0.0.1:1/", timeout_ms=300
        ),
    )

    assert (success.returncode, success.stdout.splitlines()[-1]) == (0, "Cancelled 2 of 2 matched jobs.")
    assert no_selection.returncode == 1 and "Select the jobs" in no_selection.stderr
    assert bad_option.returncode == 2 and "--chunk-size" in bad_option.stderr
    assert unconfirmed.returncode == 1 and "Not confirmed: nothing changed" in unconfirmed.stderr  # no stdin
    assert stored_job(failed["_id"])["status"] == "failed"
    assert unreachable.returncode == 1 and "Database unreachable or failing" in unreachable.stderr


def test_jobs_a_worker_takes_meanwhile_are_left_alone_and_reported(monkeypatch):
    first, second = insert_jobs(2, status="pending")

    def worker_claims_the_second(self, done, total):
        collection(Job).update_one({"_id": second["_id"]}, {"$set": {"status": "in_progress"}})

    monkeypatch.setattr(Command, "progress", worker_claims_the_second)

    out = run("cancel_jobs", "--status", "pending", "--chunk-size", "1", "--yes")

    assert statuses([first, second]) == ["cancelled", "in_progress"]
    assert "Cancelled 1 of 2 matched jobs. Skipped: changed concurrently 1." in out
    assert AuditEntry.objects.get().skipped == {"changed concurrently": 1}
