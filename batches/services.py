"""Every change this project makes to batches.

An action on an existing batch is one targeted update of the (not deleted)
batch named by either id form: that update is also the existence check, so
nothing changes for an unknown batch. Cancel and soft delete then cancel the
batch's waiting jobs in one conditional update_many (in-progress and
finished jobs are never touched) and refresh the batch's stored counters.
Every action writes one audit entry, found or not."""

import uuid
from functools import partial

from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

from audit.models import AuditAction, AuditSource
from audit.services import record_action
from batches.models import Batch
from batches.selectors import NOT_DELETED, batch_get, custom_id_of, job_counts
from jobs.models import CANCELLABLE_STATUSES, Job
from jobs.services import cancellation_fields
from speechai.mongo import collection, id_filters, utc_now

BATCH_CANCELLED_REASON = "Batch cancelled"
BATCH_DELETED_REASON = "Batch deleted"
# The counters stored on batch documents (data-model.md); workers `$inc` some.
STORED_COUNTERS = ("total_jobs", "pending_jobs", "completed_jobs", "failed_jobs", "suspended_jobs")
ID_ATTEMPTS = 3


class BatchNotFound(Exception):
    pass


def new_batch_id(now):
    return f"batch-{now:%Y%m%d}-{uuid.uuid4().hex[:8]}"


def _audit(action, raw_id, *, actor, source, found, reason=None, details=None, changed_job_ids=()):
    record_action(
        action,
        actor=actor,
        source=source,
        target_ids=[raw_id],
        matched=int(found),
        changed=int(found),
        changed_job_ids=changed_job_ids,
        reason=reason,
        details=details,
    )


def create_batch(*, actor, account_id, name, description="", priority=1, call_settings=None, source=AuditSource.API):
    """An empty active batch with a generated `batch_id`; returns the stored document."""
    now = utc_now()
    fields = {
        "name": name,
        "description": description,
        **dict.fromkeys(STORED_COUNTERS, 0),
        "total_cost": 0.0,
        "total_minutes": 0.0,
        "estimated_cost": 0.0,
        "is_active": True,
        "priority": priority,
        "call_settings": call_settings,
        "created_at": now,
        "updated_at": now,
        "started_at": None,
        "completed_at": None,
    }
    attempts_left = ID_ATTEMPTS
    while True:
        document = {"account_id": account_id, "batch_id": new_batch_id(now), **fields}
        try:
            collection(Batch).insert_one(document)
        except DuplicateKeyError:
            # Eight random hex digits per day: a clash on the unique index is
            # unlikely, not impossible.
            attempts_left -= 1
            if not attempts_left:
                raise
            continue
        _audit(
            AuditAction.CREATE_BATCH,
            document["batch_id"],
            actor=actor,
            source=source,
            found=True,
            details={"account_id": account_id, "name": name},
        )
        return document


def _update_batch_document(raw_id, update, audit):
    """Apply `update` to the not-deleted batch named by either id form (ObjectId
    first); returns its `_id` and `batch_id`. Raises BatchNotFound, audited."""
    batches = collection(Batch)
    for id_filter in id_filters(raw_id, "batch_id"):
        found = batches.find_one_and_update({**id_filter, **NOT_DELETED}, update, projection={"batch_id": 1})
        if found is not None:
            return found
    audit(found=False)
    raise BatchNotFound(raw_id)


def update_action(changes):
    """The audit action of an update: pause or resume when that is all it does."""
    if set(changes) == {"is_active"}:
        return AuditAction.RESUME_BATCH if changes["is_active"] else AuditAction.PAUSE_BATCH
    return AuditAction.UPDATE_BATCH


def update_batch(raw_id, changes, *, actor, source=AuditSource.API):
    """Pause/resume (`is_active`) and field updates: only the fields in
    `changes` and `updated_at` are written. Returns the custom batch_id."""
    audit = partial(_audit, update_action(changes), raw_id, actor=actor, source=source, details={"fields": changes})
    batch = _update_batch_document(raw_id, {"$set": {**changes, "updated_at": utc_now()}}, audit)
    audit(found=True)
    return batch.get("batch_id")


def refresh_batch_counters(batch_ids):
    """Rewrite the stored counters of the given batches (custom ids) from their
    jobs: one grouped aggregation and one bulk of targeted `$set`s."""
    counts = job_counts(batch_ids)
    if counts:
        updates = [
            UpdateOne({"batch_id": batch_id}, {"$set": {counter: batch_counts[counter] for counter in STORED_COUNTERS}})
            for batch_id, batch_counts in counts.items()
        ]
        collection(Batch).bulk_write(updates, ordered=False)


def _cancel_waiting_jobs(batch, reason, actor, now):
    """pending/scheduled/failed jobs of the batch -> cancelled, in one update.
    Returns the `_id`s of the jobs cancelled (read back for the audit log)."""
    batch_id = custom_id_of(batch)
    if batch_id is None:
        return []
    jobs = collection(Job)
    result = jobs.update_many(
        {"batch_id": batch_id, "status": {"$in": [str(status) for status in CANCELLABLE_STATUSES]}},
        {"$set": cancellation_fields(reason, actor, now)},
    )
    if not result.modified_count:
        return []
    refresh_batch_counters([batch_id])
    return jobs.distinct("_id", {"batch_id": batch_id, "cancelled_at": now, "cancelled_by": actor})


def cancel_batch(raw_id, *, actor, reason=None, source=AuditSource.API):
    """Stop the campaign: inactive, `cancelled_at` and `cancellation_reason`
    set, its waiting jobs cancelled; calls in progress finish normally.
    Returns the number of jobs cancelled."""
    now, reason = utc_now(), reason or BATCH_CANCELLED_REASON
    audit = partial(_audit, AuditAction.CANCEL_BATCH, raw_id, actor=actor, source=source, reason=reason)
    batch = _update_batch_document(
        raw_id,
        {"$set": {"is_active": False, "cancelled_at": now, "cancellation_reason": reason, "updated_at": now}},
        audit,
    )
    cancelled = _cancel_waiting_jobs(batch, reason, actor, now)
    audit(found=True, changed_job_ids=cancelled, details={"jobs_cancelled": len(cancelled)})
    return len(cancelled)


def delete_batch(raw_id, *, actor, reason=None, delete_jobs=False, source=AuditSource.API):
    """Soft delete (default): the batch gets `deleted_at`, becomes inactive and
    disappears from the API; its waiting jobs are cancelled, the others kept
    as history. Returns {"jobs_cancelled": N}.

    `delete_jobs=True` purges: all the batch's jobs, then the batch document,
    are removed; a soft-deleted batch can be purged too. Returns
    {"jobs_deleted": N}."""
    reason = reason or BATCH_DELETED_REASON
    audit = partial(_audit, AuditAction.DELETE_BATCH, raw_id, actor=actor, source=source, reason=reason)
    if delete_jobs:
        result = {"jobs_deleted": _purge_batch(raw_id, audit)}
        audit(found=True, details=result)
        return result
    now = utc_now()
    batch = _update_batch_document(raw_id, {"$set": {"deleted_at": now, "is_active": False, "updated_at": now}}, audit)
    cancelled = _cancel_waiting_jobs(batch, reason, actor, now)
    audit(found=True, changed_job_ids=cancelled, details={"jobs_cancelled": len(cancelled)})
    return {"jobs_cancelled": len(cancelled)}


def _purge_batch(raw_id, audit):
    batch = batch_get(raw_id, {"batch_id": 1}, include_deleted=True)
    if batch is None:
        audit(found=False, details={"delete_jobs": True})
        raise BatchNotFound(raw_id)
    batch_id = custom_id_of(batch)
    # Jobs first: if removing them fails, the batch is still there to purge again.
    jobs_deleted = collection(Job).delete_many({"batch_id": batch_id}).deleted_count if batch_id else 0
    collection(Batch).delete_one({"_id": batch["_id"]})
    return jobs_deleted
