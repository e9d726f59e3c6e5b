"""Every change this project makes to jobs. Each state change is one
conditional update (`status` in the allowed set), so a worker claiming the
job at the same moment and the change can never both win. Every operator
action writes one audit entry here, whichever entry point (API, admin,
command) asked for it."""

import itertools
from dataclasses import dataclass, field

from audit.models import AuditAction, AuditSource
from audit.services import record_action
from jobs.models import CANCELLABLE_STATUSES, RETRYABLE_STATUSES, Job, JobStatus
from jobs.selectors import job_status_counts, status_key
from speechai.mongo import any_id_filter, collection, id_filters, utc_now

DEFAULT_CANCELLATION_REASON = "Cancelled by user"
LEASE_EXPIRED_ERROR = "Lease expired"
# Jobs per round trip in bulk actions: big enough to be fast, small enough
# for a progress display and for commands of modest size.
DEFAULT_CHUNK_SIZE = 1000


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


def cancellation_update(reason, actor, now):
    return {"$set": cancellation_fields(reason, actor, now)}


def _refresh_batch_counters(changed_jobs):
    """The stored counters of the changed jobs' batches follow their jobs."""
    from batches.services import refresh_batch_counters  # batches.services imports this module

    refresh_batch_counters([job.get("batch_id") for job in changed_jobs])


def retry_update(now):
    """failed -> pending, lease and retry bookkeeping cleared; attempts and
    call history kept."""
    return {
        "$set": {
            "status": JobStatus.PENDING.value,
            "worker_id": None,
            "reserved_until": None,
            "next_try_at": None,
            "updated_at": now,
        },
        "$unset": {"last_error": "", "failed_at": ""},
    }


def release_update(now):
    """in_progress with an expired lease -> pending, lease cleared."""
    return {
        "$set": {
            "status": JobStatus.PENDING.value,
            "worker_id": None,
            "reserved_until": None,
            "last_error": LEASE_EXPIRED_ERROR,
            "updated_at": now,
        }
    }


def _statuses(statuses):
    return tuple(str(s) for s in statuses)


def _transition(raw_id, verb, allowed_statuses, update, audit):
    """Apply `update` to the job named by `raw_id` if its status allows it.

    Tries the id forms in contract order; returns the job's `_id`. The
    outcome, success or not, is audited through `audit(**counts)`."""
    jobs = collection(Job)
    allowed = list(_statuses(allowed_statuses))
    for id_filter in id_filters(raw_id, "job_id"):
        changed = jobs.find_one_and_update(
            {**id_filter, "status": {"$in": allowed}}, update, projection={"_id": 1, "batch_id": 1}
        )
        if changed is not None:
            _refresh_batch_counters([changed])
            audit(matched=1, changed=1, changed_job_ids=[changed["_id"]])
            return changed["_id"]
        current = jobs.find_one(id_filter, {"status": 1})
        if current is not None:
            audit(matched=1, skipped={status_key(current.get("status")): 1})
            raise JobStatusConflict(verb, current.get("status"))
    audit()
    raise JobNotFound(raw_id)


def _auditor(action, *, actor, source, **facts):
    def audit(**counts):
        record_action(action, actor=actor, source=source, **facts, **counts)

    return audit


def cancel_job(raw_id, *, actor, reason=None, source=AuditSource.API):
    """pending/scheduled/failed -> cancelled (soft delete)."""
    update = cancellation_update(reason, actor, utc_now())
    audit = _auditor(AuditAction.CANCEL_JOBS, actor=actor, source=source, target_ids=[raw_id], reason=reason)
    return _transition(raw_id, "cancelled", CANCELLABLE_STATUSES, update, audit)


def retry_job(raw_id, *, actor, source=AuditSource.API):
    """failed -> pending (see retry_update)."""
    audit = _auditor(AuditAction.RETRY_JOBS, actor=actor, source=source, target_ids=[raw_id])
    return _transition(raw_id, "retried", RETRYABLE_STATUSES, retry_update(utc_now()), audit)


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


def cancel_jobs(raw_ids, *, actor, reason=None, source=AuditSource.API):
    """Cancel many jobs named in either id form, in three round trips
    whatever their number: find, one conditional update_many, read back
    (plus two to refresh the counters of their batches, if any, and one
    audit entry)."""
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

    skipped = {}
    for item in result.not_cancellable:
        key = status_key(item["status"])
        skipped[key] = skipped.get(key, 0) + 1
    record_action(
        AuditAction.CANCEL_JOBS,
        actor=actor,
        source=source,
        target_ids=raw_ids,
        changed_job_ids=[found[raw_id]["_id"] for raw_id in result.cancelled],
        matched=len(found),
        changed=len(result.cancelled),
        skipped=skipped,
        reason=reason,
    )
    return result


CHANGED_CONCURRENTLY = "changed concurrently"


def status_label(status):
    return JobStatus(status).label if status in JobStatus.values else str(status)


def status_counts_phrase(counts):
    """{"in_progress": 2, "done": 1} -> "Done 1, In Progress 2"."""
    return ", ".join(f"{status_label(status)} {count:,}" for status, count in sorted(counts.items(), key=str))


@dataclass
class BulkTransitionResult:
    """What a bulk action matched, changed, and skipped by status."""

    allowed_statuses: tuple
    dry_run: bool
    by_status: dict = field(default_factory=dict)  # matched jobs per status when the action started
    changed: int = 0

    @property
    def matched(self):
        return sum(self.by_status.values())

    @property
    def eligible(self):
        """Matched jobs whose status allows the action."""
        return sum(count for status, count in self.by_status.items() if status in self.allowed_statuses)

    @property
    def skipped(self):
        """{status: count} of matched jobs left unchanged; jobs that were
        eligible but changed by someone else meanwhile (a worker claimed them)
        count under CHANGED_CONCURRENTLY."""
        skipped = {status: n for status, n in self.by_status.items() if status not in self.allowed_statuses}
        if not self.dry_run and self.changed < self.eligible:
            skipped[CHANGED_CONCURRENTLY] = self.eligible - self.changed
        return skipped


def chunked(iterable, size):
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _transition_matching(
    action,
    query,
    *,
    allowed_statuses,
    make_update,
    actor,
    source,
    ids=None,
    condition=None,
    reason=None,
    details=None,
    dry_run=False,
    chunk_size=DEFAULT_CHUNK_SIZE,
    progress=None,
):
    """Apply a state change to every job `query` matches (narrowed to `ids`,
    either form, when given) whose status is allowed and `condition` holds.

    First one grouped count per selection (what matches, by status; all a
    dry run does), then per chunk of `chunk_size` jobs one read of the next
    `_id`s and one conditional update_many that re-checks status and
    `condition`, so a job a worker took meanwhile is left alone. The changed
    documents leave the read's filter, so no job is visited twice. At the
    end, the stored counters of the batches touched are refreshed.
    `progress(done, total)` is called after each chunk."""
    jobs = collection(Job)
    allowed = _statuses(allowed_statuses)
    allowed_condition = {"status": {"$in": list(allowed)}, **(condition or {})}
    if ids is None:
        selections = [query]
    else:
        selections = [{"$and": [query, any_id_filter(chunk, "job_id")]} for chunk in chunked(ids, chunk_size)]

    result = BulkTransitionResult(allowed, dry_run)
    for selection in selections:
        for status, count in job_status_counts(selection).items():
            result.by_status[status] = result.by_status.get(status, 0) + count
    if dry_run:
        return result

    now = utc_now()
    update = make_update(now)
    # What this very update writes: tells its documents from others'.
    written_by_us = {"status": update["$set"]["status"], "updated_at": now}
    changed_ids, changed_batches = [], set()
    for selection in selections:
        eligible = jobs.find({"$and": [selection, allowed_condition]}, {"batch_id": 1}, batch_size=chunk_size)
        for chunk in chunked(eligible, chunk_size):
            chunk_ids = [document["_id"] for document in chunk]
            outcome = jobs.update_many({"_id": {"$in": chunk_ids}, **allowed_condition}, update)
            result.changed += outcome.modified_count
            if outcome.modified_count == len(chunk_ids):
                changed_ids += chunk_ids
            else:  # some were taken meanwhile: ask which ones we changed
                changed_ids += jobs.distinct("_id", {"_id": {"$in": chunk_ids}, **written_by_us})
            if outcome.modified_count:
                changed_batches.update(document.get("batch_id") for document in chunk)
            if progress is not None:
                progress(result.changed, result.eligible)
    _refresh_batch_counters({"batch_id": batch_id} for batch_id in changed_batches)

    record_action(
        action,
        actor=actor,
        source=source,
        target_ids=ids or (),
        filter=query if (ids is None or query) else None,
        changed_job_ids=changed_ids,
        matched=result.matched,
        changed=result.changed,
        skipped=result.skipped,
        reason=reason,
        details=details,
    )
    return result


def cancel_jobs_matching(query, *, actor, source, reason=None, **options):
    """Cancel (soft delete) the pending/scheduled/failed jobs among those
    `query` matches. Options: ids, dry_run, chunk_size, progress."""
    return _transition_matching(
        AuditAction.CANCEL_JOBS,
        query,
        allowed_statuses=CANCELLABLE_STATUSES,
        make_update=lambda now: cancellation_update(reason, actor, now),
        actor=actor,
        source=source,
        reason=reason,
        **options,
    )


def retry_jobs_matching(query, *, actor, source, **options):
    """Send the failed jobs among those `query` matches back to pending."""
    return _transition_matching(
        AuditAction.RETRY_JOBS,
        query,
        allowed_statuses=RETRYABLE_STATUSES,
        make_update=retry_update,
        actor=actor,
        source=source,
        **options,
    )


def release_stale_jobs(older_than, *, actor, source, **options):
    """in_progress jobs whose lease (`reserved_until`) expired more than
    `older_than` (a timedelta) ago go back to pending: their worker is gone.
    Jobs in progress without a lease are left alone."""
    expired = {"reserved_until": {"$lt": utc_now() - older_than}}
    return _transition_matching(
        AuditAction.RELEASE_STALE_JOBS,
        {"status": JobStatus.IN_PROGRESS.value, **expired},
        allowed_statuses=(JobStatus.IN_PROGRESS,),
        condition=expired,
        make_update=release_update,
        actor=actor,
        source=source,
        details={"older_than_seconds": older_than.total_seconds()},
        **options,
    )


def update_job(pk, changes, *, actor, source):
    """Write `changes` ({field: value}) and `updated_at` to the job with
    `_id` pk — only those fields, never the whole document."""
    outcome = collection(Job).update_one({"_id": pk}, {"$set": {**changes, "updated_at": utc_now()}})
    record_action(
        AuditAction.EDIT_JOB,
        actor=actor,
        source=source,
        target_ids=[pk],
        changed_job_ids=[pk] if outcome.modified_count else [],
        matched=outcome.matched_count,
        changed=outcome.modified_count,
        details={"fields": changes},
    )
    return outcome.modified_count == 1
