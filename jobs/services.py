"""Every operator action on jobs, whichever entry point (API, admin,
command) asks for it: each applies a row of jobs/transitions.py through
jobs/moves.py and writes its own audit entry.

Public API for other apps: cancel_job, retry_job, restore_job (one job),
cancel_jobs, restore_jobs (a list of ids), cancel_jobs_matching,
retry_jobs_matching, restore_jobs_matching, release_stale_jobs (a filter,
chunked), update_job. (Intake releases its imported jobs itself, under the
import's stamp and audit entry: batches/intake/writing.py.)"""

from audit.models import AuditAction, AuditSource
from audit.services import action_record_writes, finish_action, record_action, start_action
from jobs.models import Job, JobStatus
from jobs.moves import JobNotFound, JobStatusConflict, move_ids, move_matching, move_one
from jobs.transitions import CANCEL, RELEASE_STALE, RESTORE, RETRY, Stamp
from speechai.mongo import collection, utc_now

# The errors of the single-job actions, for their callers (views, admin).
__all__ = ["JobNotFound", "JobStatusConflict"]


def _move_one_audited(row, raw_id, *, actor, source, reason=None):
    stamp = Stamp(actor, reason)
    facts = {"actor": actor, "source": source, "target_ids": [raw_id], "reason": reason}
    details = {"action_id": stamp.action_id}

    def recorded(move):
        return action_record_writes(
            row.audit_action, **facts, matched=1, changed=1, changed_job_ids=[move.job_id], details=details
        )

    try:
        return move_one(row, raw_id, stamp, writes_with_move=recorded)
    except JobStatusConflict as conflict:
        record_action(row.audit_action, **facts, matched=1, skipped={conflict.current_status: 1}, details=details)
        raise
    except JobNotFound:
        record_action(row.audit_action, **facts, details=details)
        raise


def cancel_job(raw_id, *, actor, reason=None, source=AuditSource.API):
    """pending/scheduled/failed -> cancelled (soft delete). Returns the Move."""
    return _move_one_audited(CANCEL, raw_id, actor=actor, source=source, reason=reason)


def retry_job(raw_id, *, actor, source=AuditSource.API):
    """failed -> pending."""
    return _move_one_audited(RETRY, raw_id, actor=actor, source=source)


def restore_job(raw_id, *, actor, source=AuditSource.API):
    """cancelled -> the status it had before (pending for old cancels); a 409
    (JobStatusConflict) while its batch is still cancelled or deleted.
    Returns the Move (`to_status` is where it returned)."""
    return _move_one_audited(RESTORE, raw_id, actor=actor, source=source)


def _move_ids_audited(row, raw_ids, *, actor, source, reason=None):
    stamp = Stamp(actor, reason)
    entry = start_action(
        row.audit_action,
        actor=actor,
        source=source,
        target_ids=raw_ids,
        reason=reason,
        details={"action_id": stamp.action_id},
    )
    outcome = move_ids(row, raw_ids, stamp)
    finish_action(
        entry,
        changed_job_ids=outcome.moved_job_ids,
        matched=outcome.matched,
        changed=len(outcome.moved_job_ids),
        skipped=outcome.skipped,
    )
    return outcome


def cancel_jobs(raw_ids, *, actor, reason=None, source=AuditSource.API):
    """Cancel many jobs named in either id form (bounded round trips, see
    jobs.moves.move_ids). Returns an IdsOutcome: moved, not_found, refused."""
    return _move_ids_audited(CANCEL, raw_ids, actor=actor, source=source, reason=reason)


def restore_jobs(raw_ids, *, actor, source=AuditSource.API):
    """Restore many cancelled jobs; those of a still cancelled/deleted batch are refused."""
    return _move_ids_audited(RESTORE, raw_ids, actor=actor, source=source)


def _move_matching_audited(row, query, *, actor, source, reason=None, details=None, ids=None, **options):
    """A chunked bulk action, audited as started before its first write and
    completed after its last (a dry run writes no entry)."""
    stamp = Stamp(actor, reason)
    if options.get("dry_run"):
        return move_matching(row, query, stamp, ids=ids, **options)
    entry = start_action(
        row.audit_action,
        actor=actor,
        source=source,
        target_ids=ids or (),
        filter=query if (ids is None or query) else None,
        reason=reason,
        details={**(details or {}), "action_id": stamp.action_id},
    )
    result = move_matching(row, query, stamp, ids=ids, **options)
    finish_action(
        entry,
        changed_job_ids=result.changed_ids,
        matched=result.matched,
        changed=result.changed,
        skipped=result.skipped,
    )
    return result


def cancel_jobs_matching(query, *, actor, source, reason=None, **options):
    """Cancel (soft delete) the pending/scheduled/failed jobs among those
    `query` matches. Options: ids, dry_run, chunk_size, progress."""
    return _move_matching_audited(CANCEL, query, actor=actor, source=source, reason=reason, **options)


def retry_jobs_matching(query, *, actor, source, **options):
    """Send the failed jobs among those `query` matches back to pending."""
    return _move_matching_audited(RETRY, query, actor=actor, source=source, **options)


def restore_jobs_matching(query, *, actor, source, **options):
    """Restore the cancelled jobs among those `query` matches, except those
    of batches still cancelled or deleted (restore the batch instead)."""
    return _move_matching_audited(RESTORE, query, actor=actor, source=source, **options)


def release_stale_jobs(older_than, *, actor, source, **options):
    """in_progress jobs whose lease (`reserved_until`) expired more than
    `older_than` (a timedelta) ago go back to pending: their worker is gone.
    Jobs in progress without a lease are left alone."""
    expired = {"reserved_until": {"$lt": utc_now() - older_than}}
    return _move_matching_audited(
        RELEASE_STALE,
        {"status": JobStatus.IN_PROGRESS.value, **expired},
        actor=actor,
        source=source,
        condition=expired,
        details={"older_than_seconds": older_than.total_seconds()},
        **options,
    )


def update_job(pk, changes, *, actor, source):
    """Write `changes` ({field: value}) and `updated_at` to the job with
    `_id` pk — only those fields, never the whole document (and never
    `status`: that is jobs/transitions.py's)."""
    if "status" in changes:
        raise ValueError("A job's status changes only through jobs/transitions.py.")
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
