"""The release that completes an import (batches/intake/writing.py
`complete_import`): the batch's scheduled jobs become pending through the
transition table under the import's stamp, the batch's counters unchanged in
sum (both count as pending_jobs), and no audit entry of its own (the import
writes one, with the released count: tests/test_intake_*.py)."""

import pytest

from audit.models import AuditEntry
from batches.intake.writing import complete_import
from jobs.transitions import Stamp
from speechai.mongo import utc_now
from tests.batch_helpers import stored_batch
from tests.factories import insert_batch, insert_jobs, stored_job

pytestmark = pytest.mark.django_db


def complete(batch, stamp):
    return complete_import(batch["batch_id"], stamp, inserted=0, estimated_cost=0, stats={"created": 0})


def test_scheduled_jobs_of_the_batch_become_pending_under_the_import_stamp():
    batch = insert_batch(total_jobs=4, pending_jobs=3, failed_jobs=1, import_status="importing")
    scheduled = insert_jobs(3, batch_id=batch["batch_id"], status="scheduled")
    failed = insert_jobs(1, batch_id=batch["batch_id"], status="failed")
    elsewhere = insert_jobs(1, batch_id="another", status="scheduled")
    stamp = Stamp("intake")

    released = complete(batch, stamp)

    assert released == 3
    assert {stored_job(d["_id"])["status"] for d in scheduled} == {"pending"}
    assert {stored_job(d["_id"])["action_id"] for d in scheduled} == {stamp.action_id}
    assert stored_job(failed[0]["_id"])["status"] == "failed"
    assert stored_job(elsewhere[0]["_id"])["status"] == "scheduled"
    stored = stored_batch(batch["_id"])
    assert (stored["pending_jobs"], stored["failed_jobs"], stored["import_status"]) == (3, 1, "complete")
    assert not AuditEntry.objects.exists()


def test_a_batch_cancelled_during_the_import_keeps_its_jobs_scheduled():
    batch = insert_batch(import_status="importing", cancelled_at=utc_now())
    scheduled = insert_jobs(2, batch_id=batch["batch_id"], status="scheduled")

    assert complete(batch, Stamp("intake")) == 0

    assert {stored_job(d["_id"])["status"] for d in scheduled} == {"scheduled"}
