"""`manage.py restore_jobs`: the selection, dry run and confirmation of the
other bulk commands, returning cancelled jobs to their previous status."""

import datetime

import pytest
from django.core.management.base import CommandError

from audit.models import AuditEntry
from tests.commands import run
from tests.factories import insert_batch, insert_jobs, stored_job

pytestmark = pytest.mark.django_db


def statuses(documents):
    return [stored_job(document["_id"])["status"] for document in documents]


def test_dry_run_then_restore_of_a_selection(monkeypatch):
    batch = insert_batch(total_jobs=5)
    was_failed = insert_jobs(2, batch_id=batch["batch_id"], status="cancelled", status_before_cancel="failed")
    old_cancel = insert_jobs(1, batch_id=batch["batch_id"], status="cancelled")
    running = insert_jobs(2, batch_id=batch["batch_id"], status="in_progress")

    dry = run("restore_jobs", "--batch", batch["batch_id"], "--status", "cancelled,in_progress", "--dry-run")

    assert "Will restore: 3 (Cancelled 3)" in dry and "Dry run: nothing changed." in dry
    assert statuses(was_failed) == ["cancelled"] * 2

    with pytest.raises(CommandError, match="Not confirmed"):
        run("restore_jobs", "--batch", batch["batch_id"], "--status", "cancelled", answer="no", monkeypatch=monkeypatch)
    out = run(
        "restore_jobs", "--batch", batch["batch_id"], "--status", "cancelled", answer="yes", monkeypatch=monkeypatch
    )

    assert "Restored 3 of 3 matched jobs." in out
    assert statuses(was_failed) == ["failed"] * 2 and statuses(old_cancel) == ["pending"]
    assert statuses(running) == ["in_progress"] * 2
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.source, entry.state, entry.changed) == ("jobs.restore", "command", "completed", 3)


def test_jobs_of_a_cancelled_batch_are_left_for_the_batch_restore():
    closed = insert_batch(cancelled_at=datetime.datetime(2025, 10, 30))
    jobs = insert_jobs(2, batch_id=closed["batch_id"], status="cancelled")

    dry = run("restore_jobs", "--batch", closed["batch_id"], "--status", "cancelled", "--dry-run")
    out = run("restore_jobs", "--batch", closed["batch_id"], "--status", "cancelled", "--yes")

    assert "Will not restore: 2 (batch cancelled or deleted 2" in dry
    assert "Nothing to restore." in out
    assert "batch cancelled or deleted 2" in out
    assert statuses(jobs) == ["cancelled"] * 2
