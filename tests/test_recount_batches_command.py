"""`manage.py recount_batches`: the stored counters compared with the jobs,
drift shown, and repaired by $inc of the difference."""

import pytest
from django.core.management.base import CommandError

from audit.models import AuditEntry
from batches.models import Batch
from jobs.counters import counter_drift, repair_counters
from speechai.mongo import collection
from tests.batch_helpers import stored_batch
from tests.commands import run
from tests.factories import insert_batch, insert_jobs

pytestmark = pytest.mark.django_db

COUNTERS = ("total_jobs", "pending_jobs", "completed_jobs", "failed_jobs", "suspended_jobs")


def counters(batch):
    stored = stored_batch(batch["_id"])
    return tuple(stored.get(name) for name in COUNTERS)


@pytest.fixture
def drifted():
    batch = insert_batch(total_jobs=1, pending_jobs=7, completed_jobs=0, failed_jobs=0, suspended_jobs="?")
    insert_jobs(2, batch_id=batch["batch_id"], status="pending")
    insert_jobs(1, batch_id=batch["batch_id"], status="scheduled")
    insert_jobs(1, batch_id=batch["batch_id"], status="done")
    right = insert_batch(total_jobs=1, pending_jobs=1)
    insert_jobs(1, batch_id=right["batch_id"])
    return batch, right


def test_dry_run_shows_the_drift_and_changes_nothing(drifted):
    batch, _ = drifted

    out = run("recount_batches", "--dry-run")

    assert (
        f"{batch['batch_id']}: total_jobs 1 -> 4, pending_jobs 7 -> 3, completed_jobs 0 -> 1, suspended_jobs ? -> 0"
        in out
    )
    assert "2 batches counted, 1 drifted, would be repaired." in out
    assert counters(batch) == (1, 7, 0, 0, "?")
    assert not AuditEntry.objects.exists()


def test_repairs_every_batch_or_one(drifted):
    batch, right = drifted

    assert "1 drifted, repaired" in run("recount_batches", "--batch", str(batch["_id"]))

    assert counters(batch) == (4, 3, 1, 0, 0)
    assert counters(right) == (1, 1, 0, 0, 0)
    assert "0 drifted" in run("recount_batches")
    entry = AuditEntry.objects.filter(action="batches.recount").last()  # the first run
    assert (entry.state, entry.changed) == ("completed", 1)


def test_a_worker_increment_between_the_count_and_the_repair_is_kept(drifted):
    batch, _ = drifted
    drift = counter_drift([batch["batch_id"]])
    # A worker finishes a call meanwhile.
    collection(Batch).update_one({"_id": batch["_id"]}, {"$inc": {"completed_jobs": 1}})

    repair_counters(drift)

    assert counters(batch)[2] == 2  # the repair's +1 and the worker's +1


def test_an_unknown_batch_is_an_error():
    with pytest.raises(CommandError, match="No batch"):
        run("recount_batches", "--batch", "batch-nope")
