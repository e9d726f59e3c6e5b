"""What can happen to a job: every status change this project makes, as one
table. Nothing else in the code writes a job's `status`; the API, the admin,
the commands and the batch actions all apply these rows through
jobs/moves.py.

row            from                        to
cancel         pending, scheduled, failed  cancelled; writes cancellation_reason/_at/_by,
                                           status_before_cancel, cancel_action_id
restore        cancelled                   status_before_cancel (pending if absent); unsets
                                           the cancel fields, writes restored_at/_by
retry          failed                      pending; clears the lease and retry bookkeeping
release_stale  in_progress, lease expired  pending; clears the lease, last_error "Lease expired"
release_import scheduled                   pending (intake: the batch's import completed)

Every row also writes `updated_at` and `action_id`: the stamp of the action
(one per API call, admin action, command run or batch action). Whether an
update "won" is decided by that stamp alone: the jobs carrying our
`action_id` are the ones this action moved. A cancel also writes it as
`cancel_action_id`, which a batch restore uses to find the jobs its batch's
cancel/delete cancelled (and restore removes).

The counters stored on the job's batch follow each move by
`jobs.counters.move_deltas(from, to)`."""

import uuid
from dataclasses import dataclass, field

from audit.models import AuditAction
from jobs.models import CANCELLABLE_STATUSES, JobStatus
from speechai.mongo import utc_now

DEFAULT_CANCELLATION_REASON = "Cancelled by user"
LEASE_EXPIRED_ERROR = "Lease expired"
CANCEL_FIELDS = ("cancellation_reason", "cancelled_at", "cancelled_by", "status_before_cancel", "cancel_action_id")
_CANCELLABLE = [str(status) for status in CANCELLABLE_STATUSES]


@dataclass(frozen=True)
class Stamp:
    """Who does an action, when, why, and its unique id."""

    actor: str
    reason: str | None = None
    action_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    now: object = field(default_factory=utc_now)


def _literal(value):
    # In an update pipeline a string starting with "$" would be read as a field path.
    return {"$literal": value}


def _stamped(stamp, **fields):
    """An update pipeline: `fields` (values literal), updated_at and action_id."""
    return {**fields, "updated_at": _literal(stamp.now), "action_id": _literal(stamp.action_id)}


def _cancel(stamp):
    return [
        {
            "$set": _stamped(
                stamp,
                status=_literal(JobStatus.CANCELLED.value),
                status_before_cancel="$status",
                cancellation_reason=_literal(stamp.reason or DEFAULT_CANCELLATION_REASON),
                cancelled_at=_literal(stamp.now),
                cancelled_by=_literal(stamp.actor),
                cancel_action_id=_literal(stamp.action_id),
            )
        }
    ]


def _restore(stamp):
    # The status before the cancel when it is one a cancel starts from, else pending
    # (jobs cancelled before status_before_cancel was written).
    before = {"$cond": [{"$in": ["$status_before_cancel", _CANCELLABLE]}, "$status_before_cancel", "pending"]}
    return [
        {"$set": _stamped(stamp, status=before, restored_at=_literal(stamp.now), restored_by=_literal(stamp.actor))},
        {"$unset": list(CANCEL_FIELDS)},
    ]


def _retry(stamp):
    return [
        {
            "$set": _stamped(
                stamp,
                status=_literal(JobStatus.PENDING.value),
                worker_id=None,
                reserved_until=None,
                next_try_at=None,
            )
        },
        {"$unset": ["last_error", "failed_at"]},
    ]


def _release_stale(stamp):
    return [
        {
            "$set": _stamped(
                stamp,
                status=_literal(JobStatus.PENDING.value),
                worker_id=None,
                reserved_until=None,
                last_error=_literal(LEASE_EXPIRED_ERROR),
            )
        }
    ]


def _release_import(stamp):
    return [{"$set": _stamped(stamp, status=_literal(JobStatus.PENDING.value))}]


@dataclass(frozen=True)
class Transition:
    name: str
    verb: str  # as in "Job cannot be <verb> in status ..."
    audit_action: str
    from_statuses: tuple
    update: object  # Stamp -> update pipeline
    to_status: str | None  # None: it depends on the job (restore)
    # The status a job moved from, given the document as it is after the move
    # (rows with several from-statuses record it on the job).
    from_field: str | None = None
    # Restoring into a batch that is still cancelled or deleted is refused.
    needs_open_batch: bool = False

    @property
    def allowed(self):
        return [str(status) for status in self.from_statuses]

    def from_status_after(self, document):
        """The status a job moved from, given it as stored after the move."""
        if self.from_field is not None:
            return document.get(self.from_field)
        return self.allowed[0]

    def to_status_of(self, document):
        """The status a job as stored before the move goes to."""
        if self.to_status is not None:
            return self.to_status
        before = document.get("status_before_cancel")
        return before if before in _CANCELLABLE else JobStatus.PENDING.value


PENDING, CANCELLED = JobStatus.PENDING.value, JobStatus.CANCELLED.value
CANCEL = Transition(
    "cancel",
    "cancelled",
    AuditAction.CANCEL_JOBS,
    CANCELLABLE_STATUSES,
    _cancel,
    CANCELLED,
    from_field="status_before_cancel",
)
RESTORE = Transition(
    "restore", "restored", AuditAction.RESTORE_JOBS, (JobStatus.CANCELLED,), _restore, None, needs_open_batch=True
)
RETRY = Transition("retry", "retried", AuditAction.RETRY_JOBS, (JobStatus.FAILED,), _retry, PENDING)
RELEASE_STALE = Transition(
    "release_stale", "released", AuditAction.RELEASE_STALE_JOBS, (JobStatus.IN_PROGRESS,), _release_stale, PENDING
)
RELEASE_IMPORT = Transition(
    "release_import", "released", AuditAction.IMPORT_CONTACTS, (JobStatus.SCHEDULED,), _release_import, PENDING
)
TRANSITIONS = {row.name: row for row in (CANCEL, RESTORE, RETRY, RELEASE_STALE, RELEASE_IMPORT)}
