"""A batch's state (the `status` of every batch the API returns, the admin's
state column and filter, the summary, the dashboard) and which actions each
state allows. Computed, never stored, by `batch_state`, in this order:

| state      | when |
|------------|------|
| deleted    | `deleted_at` is set |
| cancelling | a cancel or soft delete started and not finished (`closing.action`); inactive; retrying finishes it |
| cancelled  | `cancelled_at` is set |
| importing  | `import_status` is `importing` or `failed` (intake) |
| completed  | it has jobs and none is pending, scheduled or in progress |
| paused     | `is_active` is false |
| active     | otherwise |

Every action is one conditional update whose filter is `allowed_filter(verb)`:
the stored fields that decide deleted/cancelled/cancelling/importing are in
the filter. completed, paused and active differ only by job counts and
`is_active`, and every action allows all three or none, so the filter
never needs the counts."""

from django.db import models

from jobs.models import JobStatus

IMPORT_UNFINISHED = ("importing", "failed")
# `closing.action` of a cancel or soft delete under way (batches/lifecycle.py).
CLOSING_ACTIONS = ("cancel", "delete")


def closing_action(document):
    closing = document.get("closing")
    return closing.get("action") if isinstance(closing, dict) else None


class BatchState(models.TextChoices):
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    IMPORTING = "importing"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"
    DELETED = "deleted"


S = BatchState
LIVE = (S.ACTIVE, S.PAUSED, S.COMPLETED)
# verb -> the states it is allowed from. A "cancelling" batch accepts the
# cancel or delete that finishes it (once the interrupted one's lease is over).
ALLOWED = {
    "paused": LIVE,
    "resumed": LIVE,
    "updated": (*LIVE, S.IMPORTING, S.CANCELLING, S.CANCELLED),
    "cancelled": (*LIVE, S.IMPORTING, S.CANCELLING),
    "deleted": tuple(S),
    "restored": (S.CANCELLED, S.DELETED),
    # Contacts added by intake (a new import, or one that completes a failed one).
    "imported": (*LIVE, S.IMPORTING),
}
WAITING = (JobStatus.PENDING, JobStatus.SCHEDULED, JobStatus.IN_PROGRESS)


def stored_state(document):
    """The state as far as the stored fields decide it; None for the three
    live states (which need the job counts)."""
    if document.get("deleted_at") is not None:
        return S.DELETED
    if closing_action(document) in CLOSING_ACTIONS:
        return S.CANCELLING
    if document.get("cancelled_at") is not None:
        return S.CANCELLED
    if document.get("import_status") in IMPORT_UNFINISHED:
        return S.IMPORTING
    return None


def batch_state(document, counts):
    """The state of a stored batch given its live job counts (jobs.counts)."""
    state = stored_state(document)
    if state is not None:
        return state.value
    if counts["total_jobs"] and not counts["pending_jobs"] + counts["in_progress_jobs"]:
        return S.COMPLETED.value
    # Workers call only batches whose `is_active` is true: a missing one is paused.
    return (S.ACTIVE if document.get("is_active") is True else S.PAUSED).value


_SET = {"$ne": None}
_NOT_CLOSING = {"closing.action": {"$nin": list(CLOSING_ACTIONS)}}
_STORED_FILTERS = {
    S.DELETED: {"deleted_at": _SET},
    S.CANCELLING: {"deleted_at": None, "closing.action": {"$in": list(CLOSING_ACTIONS)}},
    S.CANCELLED: {"deleted_at": None, **_NOT_CLOSING, "cancelled_at": _SET},
    S.IMPORTING: {
        "deleted_at": None,
        **_NOT_CLOSING,
        "cancelled_at": None,
        "import_status": {"$in": IMPORT_UNFINISHED},
    },
}
_LIVE_FILTER = {"deleted_at": None, **_NOT_CLOSING, "cancelled_at": None, "import_status": {"$nin": IMPORT_UNFINISHED}}


def states_filter(states):
    """A filter on stored fields that matches the batches whose state may be
    one of `states` (exactly, but for completed/paused/active, which share
    one filter)."""
    clauses = [_STORED_FILTERS[S(state)] for state in states if S(state) in _STORED_FILTERS]
    if any(S(state) in LIVE for state in states):
        clauses.append(_LIVE_FILTER)
    if len(clauses) == len(_STORED_FILTERS) + 1:
        return {}
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


def allowed_filter(verb):
    return states_filter(ALLOWED[verb])


# The frontend's names (upper case) for GET /batches?status=.
FRONTEND_NAMES = {
    "RUNNING": [S.ACTIVE],
    "PAUSED": [S.PAUSED],
    "COMPLETED": [S.COMPLETED],
    "CANCELLED": [S.CANCELLED],
    "PENDING": [S.IMPORTING],
    "ERROR": ["import_failed"],
}
LISTABLE = [state.value for state in S if state != S.DELETED]
