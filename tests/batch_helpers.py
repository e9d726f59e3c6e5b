"""Helpers for the batch API tests: stored state, both id forms, and a call
worker simulated the way docs/data-model.md describes it."""

import datetime

from batches.models import Batch
from jobs.models import Job
from speechai.mongo import collection, utc_now
from tests.factories import insert_job

# Every `{batch_id}` accepts the ObjectId or the custom batch_id.
ID_FORMS = ["_id", "batch_id"]
ALL_STATUSES = ["pending", "scheduled", "failed", "in_progress", "done", "completed", "suspended", "cancelled"]


def batch_ref(batch, id_form):
    return str(batch[id_form])


def one_job_per_status(batch):
    return {status: insert_job(batch_id=batch["batch_id"], status=status) for status in ALL_STATUSES}


def recently(value):
    return abs(value - datetime.datetime.utcnow()) < datetime.timedelta(seconds=30)


def stored_batch(_id):
    return collection(Batch).find_one({"_id": _id})


def stored_state():
    """Every stored job and batch, to show that a request changed nothing."""
    return (
        list(collection(Job).find().sort("_id", 1)),
        list(collection(Batch).find().sort("_id", 1)),
    )


def statuses_of(jobs):
    return [collection(Job).find_one({"_id": job["_id"]})["status"] for job in jobs]


def worker_claims(worker_id="bot-1", lease=datetime.timedelta(minutes=5)):
    """A worker takes one pending job of an active batch (one find_one_and_update)."""
    active = [batch["batch_id"] for batch in collection(Batch).find({"is_active": True}, {"batch_id": 1})]
    now = utc_now()
    return collection(Job).find_one_and_update(
        {"status": "pending", "batch_id": {"$in": active}},
        {
            "$set": {"status": "in_progress", "worker_id": worker_id, "reserved_until": now + lease, "started_at": now},
            "$inc": {"attempts": 1},
        },
    )


def worker_finishes(job, status):
    """The worker writes the call's outcome (`done` or `failed`) and, on
    success, `$inc`s the batch's counters as the real worker does."""
    collection(Job).update_one(
        {"_id": job["_id"]},
        {"$set": {"status": status, "finished_at": utc_now(), "worker_id": None, "reserved_until": None}},
    )
    if status == "done":
        collection(Batch).update_one({"batch_id": job["batch_id"]}, {"$inc": {"completed_jobs": 1, "total_cost": 12.5}})
