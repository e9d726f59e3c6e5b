"""`manage.py retry_jobs`: failed jobs back to pending, with the same
selection, dry run, confirmation and chunking as cancel_jobs."""

import datetime

import pytest
from django.core.management.base import CommandError

from audit.models import AuditEntry
from tests.commands import concurrently, manage, run
from tests.factories import insert_batch, insert_job, insert_jobs, stored_job

pytestmark = pytest.mark.django_db

LEASE = datetime.datetime(2025, 10, 25, 17, 5)


def failed_job(**fields):
    return insert_job(
        status="failed",
        attempts=3,
        worker_id="worker-7",
        reserved_until=LEASE,
        next_try_at=LEASE,
        last_error="No answer",
        failed_at=LEASE,
        **fields,
    )


def statuses(documents):
    return [stored_job(document["_id"])["status"] for document in documents]


def test_dry_run_then_retry_of_the_failed_jobs_of_a_batch():
    batch = insert_batch()
    failed = [failed_job(batch_id=batch["batch_id"]) for _ in range(2)]
    pending = insert_jobs(1, status="pending", batch_id=batch["batch_id"])
    elsewhere = failed_job(batch_id="another-batch")

    dry = run("retry_jobs", "--batch", str(batch["_id"]), "--dry-run")

    assert "Matched 3 jobs.\n  Will retry: 2 (Failed 2)\n  Will not retry: 1 (Pending 1: only failed" in dry
    assert statuses(failed) == ["failed", "failed"]

    out = run("retry_jobs", "--batch", batch["batch_id"], "--yes")

    assert "Sent back to pending 2 of 3 matched jobs. Skipped: Pending 1." in out
    for document in failed:
        stored = stored_job(document["_id"])
        assert stored["status"] == "pending"
        assert (stored["worker_id"], stored["reserved_until"], stored["next_try_at"]) == (None, None, None)
        assert "last_error" not in stored and "failed_at" not in stored
        assert stored["attempts"] == 3  # call history kept
    assert statuses([*pending, elsewhere]) == ["pending", "failed"]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.source, entry.matched, entry.changed) == ("jobs.retry", "command", 3, 2)


def test_filters_by_account_creation_date_and_ids_file(tmp_path):
    old = failed_job(account_id="telco", created_at=datetime.datetime(2025, 9, 1))
    new = failed_job(account_id="telco", created_at=datetime.datetime(2025, 10, 2))
    other = failed_job(account_id="retail", created_at=datetime.datetime(2025, 9, 1))

    run("retry_jobs", "--account", "telco", "--created-before", "2025-10-01T00:00", "--yes")
    assert statuses([old, new, other]) == ["pending", "failed", "failed"]

    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(f"{other['_id']}\n")
    run("retry_jobs", "--ids-file", str(ids_file), "--yes")
    assert statuses([new, other]) == ["failed", "pending"]


def test_confirmation_prompt(monkeypatch):
    job = failed_job()

    with pytest.raises(CommandError, match="Not confirmed"):
        run("retry_jobs", "--status", "failed", answer="no", monkeypatch=monkeypatch)
    assert statuses([job]) == ["failed"]

    run("retry_jobs", "--status", "failed", answer="y", monkeypatch=monkeypatch)
    assert statuses([job]) == ["pending"]


def test_chunks_of_one_read_and_one_update(round_trips):
    jobs = [failed_job() for _ in range(5)]
    round_trips.reset()

    out = run("retry_jobs", "--status", "failed", "--chunk-size", "2", "--yes")

    job_commands = [name for name, target in round_trips.commands if target == "jobs"]
    assert set(statuses(jobs)) == {"pending"}
    assert job_commands.count("update") == 3
    assert job_commands.count("find") + job_commands.count("getMore") == 3
    assert "  2 / 5\n  4 / 5\n  5 / 5\n" in out


def test_bad_arguments():
    with pytest.raises(CommandError, match="Select the jobs"):
        run("retry_jobs", "--yes")
    with pytest.raises(CommandError, match="Unknown status faild"):
        run("retry_jobs", "--status", "faild", "--yes")


def test_exit_codes(mongodb_uri):
    failed_job()

    success, bad, unreachable = concurrently(
        lambda: manage("retry_jobs", "--status", "failed", "--yes", mongodb_uri=mongodb_uri),
        lambda: manage("retry_jobs", "--status", "failed", "--created-before", "soon", mongodb_uri=mongodb_uri),
        lambda: manage(
            "retry_jobs", "--status", "failed", "--yes", mongodb_uri="mongodb://127.0.0.1:1/", timeout_ms=300
        ),
    )

    assert (success.returncode, success.stdout.splitlines()[-1]) == (0, "Sent back to pending 1 of 1 matched jobs.")
    assert bad.returncode == 1 and "is not an ISO date" in bad.stderr
    assert unreachable.returncode == 1 and "Database unreachable or failing" in unreachable.stderr
