"""Creating and changing batches (pause, resume, field updates). Cancel,
soft delete, restore and purge, which also move the batch's jobs, are in
batches/lifecycle.py. Every change is one conditional update whose filter
carries the states that allow it (batches/states.py), so an action refused
by the state changes nothing and two racing operators get one success and
one 409. Every action writes its audit entry, found or not."""

import uuid

from pymongo.errors import DuplicateKeyError

from audit.models import AuditAction, AuditSource
from audit.services import one_record_writes, record_one
from batches.models import Batch
from batches.selectors import batch_get, with_live_counts
from batches.states import allowed_filter, stored_state
from jobs.counters import STORED_COUNTERS
from speechai.mongo import WriteStopped, collection, update_one_or_fail, utc_now, write_in_order

ID_ATTEMPTS = 3


class BatchNotFound(Exception):
    pass


class BatchStateConflict(Exception):
    """The batch exists but its state does not allow the action (409)."""

    def __init__(self, verb, state):
        self.state = state
        super().__init__(f"Batch cannot be {verb} in status '{state}'")


def new_batch_id(now):
    return f"batch-{now:%Y%m%d}-{uuid.uuid4().hex[:8]}"


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
        record_one(
            AuditAction.CREATE_BATCH,
            document["batch_id"],
            actor=actor,
            source=source,
            found=True,
            details={"account_id": account_id, "name": name},
        )
        return document


def current_state(document):
    """The state of a batch as stored now (with its counts when they decide it)."""
    return stored_state(document) or with_live_counts([document])[0]["status"]


def conditional_update(raw_id, verb, update, action, *, include_deleted=False, **facts):
    """Apply `update` to the batch named by either id form if its state
    allows `verb`: a read to resolve the id, then one command of the
    update_one whose filter carries the allowed states (index-served by
    `_id`) and, only if it matched, its audit entry (`action`, `facts`).
    Returns the batch as read. Raises BatchNotFound or BatchStateConflict,
    audited."""
    document = batch_get(raw_id, include_deleted=include_deleted)
    if document is None:
        record_one(action, raw_id, found=False, **facts)
        raise BatchNotFound(raw_id)
    condition = {"_id": document["_id"], **allowed_filter(verb)}
    try:
        write_in_order(
            [
                update_one_or_fail(collection(Batch), condition, update),
                *one_record_writes(action, raw_id, found=True, **facts),
            ]
        )
    except WriteStopped as stopped:
        if stopped.index or not stopped.not_matched:
            raise
        now = collection(Batch).find_one({"_id": document["_id"]})
        record_one(action, raw_id, found=False, **facts)
        if now is None or (not include_deleted and now.get("deleted_at") is not None):
            raise BatchNotFound(raw_id) from None
        raise BatchStateConflict(verb, current_state(now)) from None
    return document


def update_action(changes):
    """(audit action, verb) of an update: pause or resume when it touches is_active."""
    if "is_active" in changes:
        if changes["is_active"]:
            return AuditAction.RESUME_BATCH, "resumed"
        return AuditAction.PAUSE_BATCH, "paused"
    return AuditAction.UPDATE_BATCH, "updated"


def update_batch(raw_id, changes, *, actor, source=AuditSource.API):
    """Pause/resume (`is_active`, from active/paused/completed only) and field
    updates (any state but deleted): only the fields in `changes` and
    `updated_at` are written. Returns the custom batch_id."""
    action, verb = update_action(changes)
    update = {"$set": {**changes, "updated_at": utc_now()}}
    batch = conditional_update(raw_id, verb, update, action, actor=actor, source=source, details={"fields": changes})
    return batch.get("batch_id")
