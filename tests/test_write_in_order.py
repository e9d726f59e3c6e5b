"""speechai.mongo.write_in_order: writes to several collections applied in
order in one command, those after an update_one_or_fail made only if it
matched."""

import pytest
from bson import ObjectId

from audit.models import AuditEntry
from batches.models import Batch
from jobs.models import Job
from speechai import mongo
from speechai.mongo import (
    NEVER_STORED,
    NOT_AN_ID,
    WriteStopped,
    collection,
    insert_one_of,
    update_one_of,
    update_one_or_fail,
    write_in_order,
)
from tests.factories import insert_batch, insert_job, stored_job

pytestmark = pytest.mark.django_db

PIPELINE = [{"$set": {"status": {"$literal": "cancelled"}, "status_before_cancel": "$status"}}]
CLASSIC = {"$set": {"status": "cancelled"}}


def writes(job, batch, status, update):
    return [
        update_one_or_fail(collection(Job), {"_id": job["_id"], "status": status}, update),
        update_one_of(collection(Batch), {"_id": batch["_id"]}, {"$inc": {"pending_jobs": -1}}),
        insert_one_of(collection(AuditEntry), {"_id": ObjectId(), "action": "test"}),
    ]


@pytest.fixture(params=[True, False], ids=["bulkWrite", "one write each"])
def server_runs_bulk_write(request, monkeypatch):
    """Both ways of writing: one command (MongoDB 8.0+, the embedded server)
    and, as on older servers, one command per write."""
    if not request.param:
        monkeypatch.setattr(mongo, "_runs_bulk_write", lambda client: False)
    return request.param


@pytest.mark.parametrize("update", [PIPELINE, CLASSIC], ids=["pipeline", "classic"])
def test_every_write_is_made_when_the_update_matches(server_runs_bulk_write, update):
    batch = insert_batch(pending_jobs=5)
    job = insert_job(batch_id=batch["batch_id"])

    write_in_order(writes(job, batch, "pending", update))

    stored = stored_job(job["_id"])
    assert stored["status"] == "cancelled"
    assert NEVER_STORED not in stored
    assert collection(Batch).find_one({"_id": batch["_id"]})["pending_jobs"] == 4
    assert collection(AuditEntry).count_documents({"action": "test"}) == 1


@pytest.mark.parametrize("update", [PIPELINE, CLASSIC], ids=["pipeline", "classic"])
def test_an_update_matching_nothing_writes_nothing_and_stops_the_rest(server_runs_bulk_write, update):
    batch = insert_batch(pending_jobs=5)
    job = insert_job(batch_id=batch["batch_id"], status="in_progress")

    with pytest.raises(WriteStopped) as stopped:
        write_in_order(writes(job, batch, "pending", update))

    assert (stopped.value.index, stopped.value.not_matched) == (0, True)
    assert stored_job(job["_id"]) == job
    assert collection(Batch).find_one({"_id": batch["_id"]})["pending_jobs"] == 5
    assert collection(AuditEntry).count_documents({}) == 0


@pytest.mark.parametrize("update", [PIPELINE, CLASSIC], ids=["pipeline", "classic"])
def test_an_update_of_a_document_gone_inserts_nothing(server_runs_bulk_write, update):
    batch = insert_batch(pending_jobs=5)
    gone = {"_id": ObjectId()}

    with pytest.raises(WriteStopped) as stopped:
        write_in_order(writes(gone, batch, "pending", update))

    assert stopped.value.not_matched
    assert collection(Job).count_documents({}) == 0
    assert collection(Job).find_one({"_id": NOT_AN_ID}) is None


def test_one_round_trip_where_the_server_runs_bulk_write(round_trips):
    batch = insert_batch(pending_jobs=5)
    job = insert_job(batch_id=batch["batch_id"])
    round_trips.reset()

    write_in_order(writes(job, batch, "pending", PIPELINE))

    assert round_trips.commands == [("bulkWrite", "jobs+batches+audit_auditentry")]


def test_a_write_failing_later_is_reported_at_its_place():
    batch = insert_batch()
    job = insert_job(batch_id=batch["batch_id"])
    taken = {"_id": ObjectId()}
    collection(AuditEntry).insert_one(taken)
    failing = [
        update_one_or_fail(collection(Job), {"_id": job["_id"]}, CLASSIC),
        insert_one_of(collection(AuditEntry), taken),
    ]

    with pytest.raises(WriteStopped) as stopped:
        write_in_order(failing)

    assert (stopped.value.index, stopped.value.not_matched) == (1, False)
    assert stored_job(job["_id"])["status"] == "cancelled"  # the write before it stands


def test_the_update_must_name_its_document():
    with pytest.raises(ValueError, match="_id"):
        update_one_or_fail(collection(Job), {"job_id": "x"}, CLASSIC)
