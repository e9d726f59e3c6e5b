"""Every change this project makes to jobs. Each state change is one
conditional update (`status` in the allowed set), so a worker claiming the
job at the same moment and the change can never both win."""

from dataclasses import dataclass, field

from jobs.models import CANCELLABLE_STATUSES, RETRYABLE_STATUSES, Job, JobStatus
from speechai.mongo import any_id_filter, collection, id_filters, utc_now

DEFAULT_CANCELLATION_REASON = "Cancelled by user"


class JobNotFound(Exception):
    pass


class JobStatusConflict(Exception):
    """The job exists but its status does not allow the action."""

    def __init__(self, action, current_status):
        self.action = action
        self.current_status = current_status
        super().__init__(f"Job cannot be {action} in status '{current_status}'")


def cancellation_fields(reason, actor, now):
    return {
        "status": JobStatus.CANCELLED.value,
        "cancellation_reason": reason or DEFAULT_CANCELLATION_REASON,
        "cancelled_at": now,
        "cancelled_by": actor,
        "updated_at": now,
    }


def _refresh_batch_counters(changed_jobs):
    """The stored counters of the changed jobs' batches follow their jobs."""
    from batches.services import refresh_batch_counters  # batches.services imports this module

    refresh_batch_counters([job.get("batch_id") for job in changed_jobs])


def _transition(raw_id, action, allowed_statuses, update):
    """Apply `update` to the job named by `raw_id` if its status allows it.

    Tries the id forms in contract order; returns the job's `_id`."""
    jobs = collection(Job)
    allowed = [str(s) for s in allowed_statuses]
    for id_filter in id_filters(raw_id, "job_id"):
        changed = jobs.find_one_and_update(
            {**id_filter, "status": {"$in": allowed}}, update, projection={"_id": 1, "batch_id": 1}
        )
        if changed is not None:
            _refresh_batch_counters([changed])
            return changed["_id"]
        current = jobs.find_one(id_filter, {"status": 1})
        if current is not None:
            raise JobStatusConflict(action, current.get("status"))
    raise JobNotFound(raw_id)


def cancel_job(raw_id, *, actor, reason=None):
    """pending/scheduled/failed -> cancelled (soft delete)."""
    update = {"$set": cancellation_fields(reason, actor, utc_now())}
    return _transition(raw_id, "cancelled", CANCELLABLE_STATUSES, update)


def retry_job(raw_id, *, actor):
    """failed -> pending, lease and retry bookkeeping cleared; attempts and
    call history kept."""
    update = {
        "$set": {
            "status": JobStatus.PENDING.value,
            "worker_id": None,
            "reserved_until": None,
            "next_try_at": None,
            "updated_at": utc_now(),
        },
        "$unset": {"last_error": "", "failed_at": ""},
    }
    return _transition(raw_id, "retried", RETRYABLE_STATUSES, update)


@dataclass
class BulkCancelResult:
    cancelled: list = field(default_factory=list)
    not_found: list = field(default_factory=list)
    not_cancellable: list = field(default_factory=list)  # [{"id": ..., "status": ...}]


def _match_ids(raw_ids, documents):
    """{raw id as sent: document}, an ObjectId match winning over a job_id match."""
    by_oid = {str(doc["_id"]): doc for doc in documents}
    by_job_id = {doc["job_id"]: doc for doc in documents if isinstance(doc.get("job_id"), str)}
    return {
        raw_id: by_oid.get(raw_id) or by_job_id.get(raw_id)
        for raw_id in raw_ids
        if raw_id in by_oid or raw_id in by_job_id
    }


def cancel_jobs(raw_ids, *, actor, reason=None):
    """Cancel many jobs named in either id form, in three round trips
    whatever their number: find, one conditional update_many, read back
    (plus two to refresh the counters of their batches, if any)."""
    jobs = collection(Job)
    projection = {"_id": 1, "job_id": 1, "status": 1, "cancelled_at": 1, "batch_id": 1}
    found = _match_ids(raw_ids, list(jobs.find(any_id_filter(raw_ids, "job_id"), projection)))
    cancellable = [str(s) for s in CANCELLABLE_STATUSES]
    candidate_ids = list({doc["_id"] for doc in found.values() if doc.get("status") in cancellable})

    now = utc_now()
    after = {}
    if candidate_ids:
        jobs.update_many(
            {"_id": {"$in": candidate_ids}, "status": {"$in": cancellable}},
            {"$set": cancellation_fields(reason, actor, now)},
        )
        after = {doc["_id"]: doc for doc in jobs.find({"_id": {"$in": candidate_ids}}, projection)}
        _refresh_batch_counters(after.values())

    result = BulkCancelResult()
    for raw_id in raw_ids:
        doc = found.get(raw_id)
        if doc is None:
            result.not_found.append(raw_id)
            continue
        current = after.get(doc["_id"], doc)
        # Ours only if this very update wrote it (a worker or another cancel may have raced us).
        if current.get("status") == JobStatus.CANCELLED and current.get("cancelled_at") == now and doc["_id"] in after:
            result.cancelled.append(raw_id)
        else:
            result.not_cancellable.append({"id": raw_id, "status": current.get("status")})
    return result
