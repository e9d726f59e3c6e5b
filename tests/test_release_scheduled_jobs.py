"""The function intake calls once a batch's import completed: its scheduled
jobs become pending, the batch's counters unchanged in sum (both count as
pending_jobs), audited."""

import pytest

from audit.models import AuditEntry
from jobs.services import release_scheduled_jobs
from tests.batch_helpers import stored_batch
from tests.factories import insert_batch, insert_jobs, stored_job

pytestmark = pytest.mark.django_db


def test_scheduled_jobs_of_the_batch_become_pending():
    batch = insert_batch(total_jobs=4, pending_jobs=3, failed_jobs=1)
    scheduled = insert_jobs(3, batch_id=batch["batch_id"], status="scheduled")
    failed = insert_jobs(1, batch_id=batch["batch_id"], status="failed")
    elsewhere = insert_jobs(1, batch_id="another", status="scheduled")

    result = release_scheduled_jobs(batch["batch_id"], actor="intake")

    assert result.changed == 3
    assert {stored_job(d["_id"])["status"] for d in scheduled} == {"pending"}
    assert stored_job(failed[0]["_id"])["status"] == "failed"
    assert stored_job(elsewhere[0]["_id"])["status"] == "scheduled"
    assert (stored_batch(batch["_id"])["pending_jobs"], stored_batch(batch["_id"])["failed_jobs"]) == (3, 1)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.changed, entry.state) == ("batches.import", "intake", 3, "completed")
