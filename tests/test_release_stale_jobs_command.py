"""`manage.py release_stale_jobs --older-than 15m`: in-progress jobs whose
worker lease expired long ago go back to pending (their worker is gone)."""

import datetime

import pytest
from django.core.management.base import CommandError

from audit.models import AuditEntry
from speechai.mongo import utc_now
from tests.commands import concurrently, manage, run
from tests.factories import insert_job, stored_job

pytestmark = pytest.mark.django_db


def in_progress(lease_expired_ago=None, **fields):
    """An in-progress job whose lease expired that long ago (negative: still running)."""
    if lease_expired_ago is not None:
        fields["reserved_until"] = utc_now() - lease_expired_ago
    return insert_job(status="in_progress", worker_id="worker-3", attempts=1, **fields)


def statuses(documents):
    return [stored_job(document["_id"])["status"] for document in documents]


@pytest.fixture
def leases():
    minutes = datetime.timedelta(minutes=1)
    return {
        "expired_90_minutes_ago": in_progress(90 * minutes),
        "expired_20_minutes_ago": in_progress(20 * minutes),
        "expired_5_minutes_ago": in_progress(5 * minutes),
        "still_running": in_progress(-2 * minutes),
        "no_lease": in_progress(None, reserved_until=None),
        "pending_with_old_lease": insert_job(status="pending", reserved_until=utc_now() - 60 * minutes),
    }


def test_dry_run_then_release_of_leases_expired_longer_ago_than_asked(leases):
    dry = run("release_stale_jobs", "--older-than", "15m", "--dry-run")

    assert "Matched 2 jobs.\n  Will release: 2 (In Progress 2)\n  Will not release: 0\n" in dry
    assert set(statuses(leases.values())) == {"in_progress", "pending"}
    assert not AuditEntry.objects.exists()

    out = run("release_stale_jobs", "--older-than", "15m", "--yes")

    assert "Released 2 of 2 matched jobs." in out
    for name in ("expired_90_minutes_ago", "expired_20_minutes_ago"):
        stored = stored_job(leases[name]["_id"])
        assert stored["status"] == "pending"
        assert (stored["worker_id"], stored["reserved_until"], stored["last_error"]) == (None, None, "Lease expired")
        assert stored["attempts"] == 1
    assert statuses([leases[n] for n in ("expired_5_minutes_ago", "still_running", "no_lease")]) == ["in_progress"] * 3
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.source, entry.changed) == ("jobs.release_stale", "command", 2)
    assert entry.details["older_than_seconds"] == 900.0
    assert all(
        stored_job(leases[n]["_id"])["action_id"] == entry.details["action_id"]
        for n in ("expired_90_minutes_ago", "expired_20_minutes_ago")
    )


def test_the_default_is_15_minutes(leases):
    out = run("release_stale_jobs", "--yes")

    assert "Released 2 of 2 matched jobs." in out


@pytest.mark.parametrize(("older_than", "released"), [("90s", 3), ("1h", 1), ("2h", 0), ("30m", 1), ("1d", 0)])
def test_older_than_units(leases, older_than, released):
    out = run("release_stale_jobs", "--older-than", older_than, "--yes")

    assert f"Matched {released} jobs." in out


@pytest.mark.parametrize("older_than", ["15", "0m", "fifteen minutes", "2w"])
def test_a_malformed_duration_is_refused(older_than):
    with pytest.raises(CommandError, match="is not a positive duration like 90s, 15m, 2h or 1d"):
        run("release_stale_jobs", "--older-than", older_than, "--yes")


def test_confirmation_prompt(leases, monkeypatch):
    with pytest.raises(CommandError, match="Not confirmed"):
        run("release_stale_jobs", answer="", monkeypatch=monkeypatch)
    assert stored_job(leases["expired_90_minutes_ago"]["_id"])["status"] == "in_progress"

    run("release_stale_jobs", answer="yes", monkeypatch=monkeypatch)
    assert stored_job(leases["expired_90_minutes_ago"]["_id"])["status"] == "pending"


def test_chunks_of_one_read_and_one_update(round_trips):
    jobs = [in_progress(datetime.timedelta(hours=1)) for _ in range(3)]
    round_trips.reset()

    run("release_stale_jobs", "--chunk-size", "1", "--yes")

    job_commands = [name for name, target in round_trips.commands if target == "jobs"]
    assert set(statuses(jobs)) == {"pending"}
    assert job_commands.count("update") == 3
    assert job_commands.count("find") + job_commands.count("getMore") == 4  # the last read finds the end


def test_exit_codes(mongodb_uri):
    in_progress(datetime.timedelta(hours=1))

    success, bad, unreachable = concurrently(
        lambda: manage("release_stale_jobs", "--older-than", "15m", "--yes", mongodb_uri=mongodb_uri),
        lambda: manage("release_stale_jobs", "--older-than", "soon", mongodb_uri=mongodb_uri),
        lambda: manage("release_stale_jobs", "--yes", mongodb_uri="mongodb://127.0.0.1:1/", timeout_ms=300),
    )

    assert (success.returncode, success.stdout.splitlines()[-1]) == (0, "Released 1 of 1 matched jobs.")
    assert bad.returncode == 1 and "--older-than 'soon'" in bad.stderr
    assert unreachable.returncode == 1 and "Database unreachable or failing" in unreachable.stderr
