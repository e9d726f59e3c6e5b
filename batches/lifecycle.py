"""Cancel, soft delete, restore and purge a batch: the batch actions that
also move its jobs (through jobs/transitions.py, like every job status
change).

Each runs in three steps, so an interruption (a process killed, the
database lost) never leaves a half-done change that looks finished:

1. claim: one conditional update whose filter carries the states that allow
   the action (batches/states.py) and that no other such action is under
   way; it marks the batch `closing` = {action, action_id, reason, actor,
   started_at} and, for cancel/delete, inactive at once (workers stop
   claiming its jobs), and records the action id in `cancel_action_ids`;
2. the jobs move, stamped with that action id (chunked);
3. finish: the batch gets `cancelled_at` / `deleted_at` (or loses them, for
   restore) and `closing` is removed, conditional on still holding our
   claim.

Interrupted after 1, the batch shows as `cancelling`, inactive; running the
same action again takes the claim over once CLOSING_LEASE has passed since
the interrupted one started (until then a concurrent action is assumed to be
running and the new one is a 409) and finishes. The audit entry is written
as started before step 1 and completed after step 3."""

import datetime

from audit.models import AuditAction, AuditSource, AuditState
from audit.services import finish_action, record_action, start_action
from batches.models import Batch
from batches.selectors import batch_get, custom_id_of
from batches.services import BatchNotFound, BatchStateConflict, current_state
from batches.states import allowed_filter
from jobs.models import Job
from jobs.moves import move_matching
from jobs.transitions import CANCEL, RESTORE, Stamp
from speechai.mongo import collection

BATCH_CANCELLED_REASON = "Batch cancelled"
BATCH_DELETED_REASON = "Batch deleted"
# How long a started cancel/delete/restore is presumed still running.
CLOSING_LEASE = datetime.timedelta(seconds=60)
VERBS = {"cancel": "cancelled", "delete": "deleted", "restore": "restored"}
AUDIT_ACTIONS = {
    "cancel": AuditAction.CANCEL_BATCH,
    "delete": AuditAction.DELETE_BATCH,
    "restore": AuditAction.RESTORE_BATCH,
}


def _claim(document, action, stamp):
    """Step 1; returns the batch as it was, or raises BatchStateConflict."""
    closing = document.get("closing")
    started = closing.get("started_at") if isinstance(closing, dict) else None
    if isinstance(started, datetime.datetime) and started > stamp.now - CLOSING_LEASE:
        raise BatchStateConflict(VERBS[action], current_state(document))
    # Taking over an interrupted action only if its claim is still the one we saw.
    seen = {"closing.action_id": closing.get("action_id")} if isinstance(closing, dict) else {"closing": None}
    claim = {
        "action": action,
        "action_id": stamp.action_id,
        "reason": stamp.reason,
        "actor": stamp.actor,
        "started_at": stamp.now,
    }
    update = {"$set": {"closing": claim, "is_active": False, "updated_at": stamp.now}}
    if action != "restore":
        update["$addToSet"] = {"cancel_action_ids": stamp.action_id}
    condition = {"_id": document["_id"], **seen, **allowed_filter(VERBS[action])}
    if not collection(Batch).update_one(condition, update).matched_count:
        now = collection(Batch).find_one({"_id": document["_id"]})
        if now is None:
            raise BatchNotFound(str(document["_id"]))
        raise BatchStateConflict(VERBS[action], current_state(now))


def _finish(document, stamp, update):
    """Step 3, conditional on our claim."""
    update.setdefault("$unset", {})["closing"] = ""
    collection(Batch).update_one({"_id": document["_id"], "closing.action_id": stamp.action_id}, update)


def _run(raw_id, action, *, actor, source, reason=None, include_deleted=False):
    """The three steps around `_move_jobs`; returns the jobs moved."""
    facts = {"actor": actor, "source": source, "target_ids": [raw_id], "reason": reason}
    document = batch_get(raw_id, include_deleted=include_deleted)
    if document is None:
        record_action(AUDIT_ACTIONS[action], **facts)
        raise BatchNotFound(raw_id)
    stamp = Stamp(actor, reason)
    entry = start_action(
        AUDIT_ACTIONS[action],
        **facts,
        matched=1,
        details={"action_id": stamp.action_id, "batch_id": document.get("batch_id")},
    )
    try:
        _claim(document, action, stamp)
    except (BatchNotFound, BatchStateConflict) as refused:
        found = not isinstance(refused, BatchNotFound)
        finish_action(entry, state=AuditState.FAILED, matched=int(found), details={"refused": str(refused)})
        raise
    result = _move_jobs(document, action, stamp)
    _finish(document, stamp, _final_update(document, action, stamp))
    finish_action(
        entry,
        changed=1,
        changed_job_ids=result.changed_ids if result else (),
        details={f"jobs_{'restored' if action == 'restore' else 'cancelled'}": result.changed if result else 0},
    )
    return result.changed if result else 0


def _move_jobs(document, action, stamp):
    batch_id = custom_id_of(document)
    if batch_id is None:
        return None  # a batch without a custom id has no jobs
    if action != "restore":
        return move_matching(CANCEL, {"batch_id": batch_id}, stamp, plan=False)
    # The jobs this batch's cancels/deletes cancelled: by their stamp, or for
    # cancels older than stamps by the batch's reason and time.
    by_stamp = [{"cancel_action_id": {"$in": document.get("cancel_action_ids") or []}}]
    if document.get("cancelled_at") or document.get("deleted_at"):
        by_stamp.append(
            {
                "cancel_action_id": None,
                "cancelled_at": {"$in": [t for t in (document.get("cancelled_at"), document.get("deleted_at")) if t]},
                "cancellation_reason": {
                    "$in": [document.get("cancellation_reason"), BATCH_CANCELLED_REASON, BATCH_DELETED_REASON]
                },
            }
        )
    # Disjoint (by `cancel_action_id`), each served by the batch's index; the row adds `status: cancelled`.
    queries = [{"batch_id": batch_id, **clause} for clause in by_stamp]
    return move_matching(RESTORE, queries, stamp, open_batches_only=False, plan=False)


def _final_update(document, action, stamp):
    if action == "cancel":
        fields = {"cancelled_at": stamp.now, "cancellation_reason": stamp.reason, "cancelled_by": stamp.actor}
        return {"$set": {**fields, "updated_at": stamp.now}}
    if action == "delete":
        return {"$set": {"deleted_at": stamp.now, "deleted_by": stamp.actor, "updated_at": stamp.now}}
    gone = ("cancelled_at", "cancellation_reason", "cancelled_by", "deleted_at", "deleted_by", "cancel_action_ids")
    return {"$set": {"is_active": False, "updated_at": stamp.now}, "$unset": dict.fromkeys(gone, "")}


def cancel_batch(raw_id, *, actor, reason=None, source=AuditSource.API):
    """Stop the campaign (from active, paused, completed, importing, or an
    interrupted cancel): inactive, its pending/scheduled/failed jobs
    cancelled, then `cancelled_at` and `cancellation_reason` set; calls in
    progress finish normally. Returns the number of jobs cancelled."""
    return _run(raw_id, "cancel", actor=actor, source=source, reason=reason or BATCH_CANCELLED_REASON)


def delete_batch(raw_id, *, actor, reason=None, delete_jobs=False, source=AuditSource.API):
    """Soft delete (default; from any state): like cancel, then `deleted_at`
    set; the batch disappears from the API. Returns {"jobs_cancelled": N}.

    `delete_jobs=True` purges: all the batch's jobs, then the batch document,
    are removed; a soft-deleted batch can be purged too. Returns
    {"jobs_deleted": N}."""
    reason = reason or BATCH_DELETED_REASON
    if delete_jobs:
        return {"jobs_deleted": _purge_batch(raw_id, actor=actor, source=source, reason=reason)}
    return {"jobs_cancelled": _run(raw_id, "delete", actor=actor, source=source, reason=reason)}


def restore_batch(raw_id, *, actor, source=AuditSource.API):
    """Undo a cancel or soft delete (either id form, deleted batches too):
    the jobs its cancels/deletes cancelled return to `status_before_cancel`
    (jobs cancelled one by one before stay cancelled), then the cancel and
    delete marks are removed; the batch stays paused. Returns the number of
    jobs restored."""
    return _run(raw_id, "restore", actor=actor, source=source, include_deleted=True)


def is_deleted(raw_id):
    """Whether the batch named is soft-deleted (restoring it needs the delete permission)."""
    document = batch_get(raw_id, {"deleted_at": 1}, include_deleted=True)
    return document is not None and document.get("deleted_at") is not None


def _purge_batch(raw_id, *, actor, source, reason):
    document = batch_get(raw_id, {"batch_id": 1}, include_deleted=True)
    facts = {"actor": actor, "source": source, "target_ids": [raw_id], "reason": reason}
    if document is None:
        record_action(AuditAction.DELETE_BATCH, **facts, details={"delete_jobs": True})
        raise BatchNotFound(raw_id)
    entry = start_action(AuditAction.DELETE_BATCH, **facts, matched=1, details={"delete_jobs": True})
    batch_id = custom_id_of(document)
    # Jobs first: if removing them fails, the batch is still there to purge again.
    jobs_deleted = collection(Job).delete_many({"batch_id": batch_id}).deleted_count if batch_id else 0
    collection(Batch).delete_one({"_id": document["_id"]})
    finish_action(entry, changed=1, details={"jobs_deleted": jobs_deleted})
    return jobs_deleted
