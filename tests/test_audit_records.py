"""An audit entry recorded by a service (audit/services.py, one insert_one
without the ORM's query compilation) is the very document the ORM writes,
and reads back through the ORM unchanged."""

import datetime

import pytest
from bson import ObjectId

from audit.models import AuditEntry, AuditState
from audit.services import record_action, start_action
from speechai.mongo import collection, insert_instance

pytestmark = pytest.mark.django_db

FACTS = {
    "actor": "ana",
    "source": "api",
    "target_ids": ["job-1", ObjectId("65f0c0ffee0000000000abcd")],
    "filter": {"status": {"$in": ["pending"]}},
    "changed_job_ids": [ObjectId("65f0c0ffee0000000000abcd")],
    "matched": 2,
    "changed": 1,
    "skipped": {"in_progress": 1},
    "reason": "Paid",
    "details": {"action_id": "a1", "nested": {"n": 1.5}},
}
VARYING = {"_id", "created_at", "completed_at"}


def stored(entry):
    document = collection(AuditEntry).find_one({"_id": entry.pk})
    return {key: value for key, value in document.items() if key not in VARYING}


def test_a_recorded_entry_is_the_document_the_orm_writes():
    recorded = record_action("jobs.cancel", **FACTS)
    created = AuditEntry.objects.create(
        action="jobs.cancel",
        actor="ana",
        source="api",
        target_ids=["job-1", "65f0c0ffee0000000000abcd"],
        filter={"status": {"$in": ["pending"]}},
        changed_job_ids=["65f0c0ffee0000000000abcd"],
        matched=2,
        changed=1,
        skipped={"in_progress": 1},
        reason="Paid",
        details={"action_id": "a1", "nested": {"n": 1.5}},
        state=AuditState.COMPLETED,
    )

    assert stored(recorded) == stored(created)
    assert set(collection(AuditEntry).find_one({"_id": recorded.pk})) == set(
        collection(AuditEntry).find_one({"_id": created.pk})
    )


def test_a_recorded_entry_reads_back_as_it_was_given():
    entry = record_action("jobs.cancel", **FACTS)

    loaded = AuditEntry.objects.get(pk=entry.pk)
    assert isinstance(entry.pk, ObjectId) and not entry._state.adding
    assert (loaded.actor, loaded.target_ids, loaded.skipped, loaded.details) == (
        "ana",
        ["job-1", "65f0c0ffee0000000000abcd"],
        {"in_progress": 1},
        {"action_id": "a1", "nested": {"n": 1.5}},
    )
    assert loaded.state == AuditState.COMPLETED
    # Stored to the millisecond, as the ORM stores them.
    assert abs(loaded.created_at - entry.created_at) < datetime.timedelta(milliseconds=1)
    assert abs(loaded.completed_at - entry.completed_at) < datetime.timedelta(milliseconds=1)


def test_a_started_entry_is_saved_and_can_be_finished():
    entry = start_action("jobs.cancel", actor="ana", source="command", target_ids=["job-1"])
    entry.state = AuditState.COMPLETED
    entry.save(update_fields=["state"])

    assert AuditEntry.objects.get(pk=entry.pk).state == AuditState.COMPLETED
    assert AuditEntry.objects.count() == 1


def test_an_insert_the_driver_retries_after_the_server_wrote_it_counts_as_written(monkeypatch):
    """The driver retries a write whose reply was lost; the embedded server
    does not recognise the retry, and finds the entry's own _id there."""
    written = ObjectId()
    collection(AuditEntry).insert_one({"_id": written, "action": "jobs.cancel"})
    monkeypatch.setattr("speechai.mongo.ObjectId", lambda: written)

    entry = insert_instance(AuditEntry(action="jobs.cancel", actor="ana", source="api"))

    assert entry.pk == written
