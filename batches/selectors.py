"""Reads of the `batches` collection: batches with their state and live job
counts (jobs/counts.py: one grouped aggregation per response, never the
stored counters, which drift; remembered a few seconds by
jobs/recent_counts.py), progress, summary and the dashboard."""

from batches.models import Batch
from batches.states import FRONTEND_NAMES, LIVE, BatchState, batch_state, states_filter
from jobs.counts import COUNT_FIELDS, NO_JOBS, counts_from_statuses, tally
from jobs.models import Job
from jobs.recent_counts import batch_version, recent_job_counts
from speechai.mongo import NEWEST_FIRST, collection, find_by_any_id, utc_now

# Soft-deleted batches (`deleted_at` set) are gone for the API.
NOT_DELETED = {"deleted_at": None}
# Batches read per aggregation when a state filter needs the job counts.
STATE_SCAN_CHUNK = 200


def batch_get(raw_id, projection=None, *, include_deleted=False):
    """The stored batch named by either id form (ObjectId first), or None.
    Soft-deleted batches only with `include_deleted`."""
    return find_by_any_id(collection(Batch), raw_id, "batch_id", projection, skip_deleted=not include_deleted)


def custom_id_of(document):
    """The batch's custom id, or None when the stored value is missing or not a
    string: such a batch has no jobs (a filter on None would match every
    job without a batch)."""
    value = document.get("batch_id")
    return value if isinstance(value, str) else None


def with_live_counts(documents):
    """The batch documents with their live job counts in place of the stored
    counters, and their state as `status`."""
    counts = recent_job_counts(
        {batch_id: batch_version(document) for document in documents if (batch_id := custom_id_of(document))}
    )
    batches = []
    for document in documents:
        batch_counts = counts.get(custom_id_of(document), NO_JOBS)
        batches.append({**document, **batch_counts, "status": batch_state(document, batch_counts)})
    return batches


def expand_state_names(names):
    """API and frontend names -> states ("import_failed" for ERROR)."""
    states = set()
    for name in names:
        states.update(FRONTEND_NAMES.get(name, [name]))
    return states


def _state_query(states):
    if "import_failed" in states:
        failed = {**states_filter([BatchState.IMPORTING]), "import_status": "failed"}
        others = states - {"import_failed"}
        return {"$or": [states_filter(others), failed]} if others else failed
    return states_filter(states)


def batch_list(*, account_id=None, is_active=None, statuses=None, skip=0, limit=100):
    """A page of batches (deleted ones hidden), newest first, with state and
    live counts: two queries whatever the page size. A state filter among
    completed/paused/active (which need the counts) reads candidates in
    chunks until the page is full."""
    query = dict(NOT_DELETED)
    if account_id:
        query["account_id"] = account_id
    if is_active is not None:
        # `is_active=false` lists every batch `is_active=true` does not, legacy
        # documents without the field included (workers do not call them).
        query["is_active"] = True if is_active else {"$ne": True}
    states = expand_state_names(statuses) if statuses else None
    if states:
        query = {"$and": [query, _state_query(states)]}
    cursor = collection(Batch).find(query).sort(NEWEST_FIRST)
    if not states or not (states & set(LIVE)) or set(LIVE) <= states:
        # The whole page in the first reply (the default first batch is 101 documents).
        return with_live_counts(list(cursor.skip(skip).limit(limit).batch_size(limit)))
    wanted = {state.value if isinstance(state, BatchState) else state for state in states}
    page, to_skip = [], skip
    cursor = cursor.batch_size(STATE_SCAN_CHUNK)
    while len(page) < limit:
        chunk = [document for _, document in zip(range(STATE_SCAN_CHUNK), cursor, strict=False)]
        if not chunk:
            break
        for batch in with_live_counts(chunk):
            if batch["status"] in wanted or (batch.get("import_status") == "failed" and "import_failed" in wanted):
                if to_skip:
                    to_skip -= 1
                elif len(page) < limit:
                    page.append(batch)
    return page


def percentage(part, whole):
    return round(part / whole * 100, 2) if whole else 0.0


def _progress(batch):
    counts = {field: batch[field] for field in COUNT_FIELDS}
    left_to_call = counts["pending_jobs"] + counts["in_progress_jobs"]
    return {
        "batch_id": batch.get("batch_id"),
        "is_active": batch.get("is_active"),
        **counts,
        "progress_percentage": percentage(counts["total_jobs"] - left_to_call, counts["total_jobs"]),
        "started_at": batch.get("started_at"),
        "completed_at": batch.get("completed_at"),
    }


def batch_progress(document):
    """What the frontend polls: the pause switch and the live job counts.
    `progress_percentage` is the share of jobs no longer waiting or being
    called (finished, failed, cancelled or suspended)."""
    return _progress(with_live_counts([document])[0])


def batch_summary(document):
    """`batch_progress` plus the campaign's description and its state
    (`status`, batches/states.py). `completion_rate` is the share of jobs
    finished OK."""
    batch = with_live_counts([document])[0]
    progress = _progress(batch)
    return {
        **progress,
        "status": batch["status"],
        "name": document.get("name"),
        "account_id": document.get("account_id"),
        "completion_rate": percentage(progress["completed_jobs"], progress["total_jobs"]),
        "total_cost": document.get("total_cost"),
        "total_minutes": document.get("total_minutes"),
        "priority": document.get("priority"),
        "created_at": document.get("created_at"),
    }


def dashboard_stats(*, account_id=None):
    """Job counts, success rate and today's jobs from one grouped aggregation
    on `jobs`, plus one count of active batches; scoped to an account if
    given. `success_rate` = finished OK / (finished OK + failed) * 100.
    `active_batches`: batches whose stored state is live (not deleted,
    cancelled, cancelling or importing) and switched on; telling the
    completed ones apart would need every batch's job counts."""
    scope = {"account_id": account_id} if account_id else {}
    midnight = utc_now().replace(hour=0, minute=0, second=0, microsecond=0)
    pipeline = [
        {"$match": scope},
        {
            "$group": {
                "_id": "$status",
                "jobs": {"$sum": 1},
                "today": {"$sum": {"$cond": [{"$gte": ["$created_at", midnight]}, 1, 0]}},
            }
        },
    ]
    jobs_by_status, jobs_today = {}, 0
    for row in collection(Job).aggregate(pipeline):
        tally(jobs_by_status, row["_id"], row["jobs"])
        jobs_today += row["today"]
    counts = counts_from_statuses(jobs_by_status)
    active = {**scope, **states_filter([BatchState.ACTIVE]), "is_active": True}
    return {
        **counts,
        "success_rate": percentage(counts["completed_jobs"], counts["completed_jobs"] + counts["failed_jobs"]),
        "active_batches": collection(Batch).count_documents(active),
        "jobs_today": jobs_today,
        "timestamp": utc_now(),
    }


def batch_ids_in_state(state):
    """The `_id`s of the batches (deleted ones included) in `state`: one find
    on stored fields, plus for completed/paused/active one aggregation of
    job counts per STATE_SCAN_CHUNK candidates."""
    candidates = collection(Batch).find(states_filter([state]), {"_id": 1, "batch_id": 1, "is_active": 1})
    if BatchState(state) not in LIVE:
        return [document["_id"] for document in candidates]
    found = []
    while chunk := [document for _, document in zip(range(STATE_SCAN_CHUNK), candidates, strict=False)]:
        found += [batch["_id"] for batch in with_live_counts(chunk) if batch["status"] == state]
    return found
