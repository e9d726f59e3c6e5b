"""Reads of the `batches` collection, and the job counts shown on batches and
the dashboard. Counts come from the jobs themselves (one grouped aggregation
per response), never from the stored counters, which workers `$inc` and
which drift."""

from batches.models import Batch
from jobs.models import Job, JobStatus
from speechai.mongo import NEWEST_FIRST, collection, find_by_any_id, object_id_or_none, utc_now

# Soft-deleted batches (`deleted_at` set) are gone for the API.
NOT_DELETED = {"deleted_at": None}

# The counts every batch in a response carries, in the contract's order.
COUNT_FIELDS = (
    "total_jobs",
    "pending_jobs",
    "in_progress_jobs",
    "completed_jobs",
    "failed_jobs",
    "cancelled_jobs",
    "suspended_jobs",
)
# The count a job adds to besides `total_jobs`, by status. `scheduled` jobs are
# waiting to be called like `pending` ones; `done` and `completed` both
# mean finished OK. Unknown or missing statuses count in the total only.
COUNT_FIELD_OF_STATUS = {
    JobStatus.PENDING: "pending_jobs",
    JobStatus.SCHEDULED: "pending_jobs",
    JobStatus.IN_PROGRESS: "in_progress_jobs",
    JobStatus.DONE: "completed_jobs",
    JobStatus.COMPLETED: "completed_jobs",
    JobStatus.FAILED: "failed_jobs",
    JobStatus.CANCELLED: "cancelled_jobs",
    JobStatus.SUSPENDED: "suspended_jobs",
}


def batch_get(raw_id, projection=None, *, include_deleted=False):
    """The stored batch named by either id form (ObjectId first), or None.
    Soft-deleted batches only with `include_deleted`."""
    scope = None if include_deleted else NOT_DELETED
    return find_by_any_id(collection(Batch), raw_id, "batch_id", projection, scope)


def batch_custom_id(raw_id):
    """The custom `batch_id` jobs reference, for a batch named by either form.

    A 24-hex string naming a batch's `_id` resolves to that batch's
    `batch_id`; anything else is taken as the custom id itself (the batch
    may be gone while its jobs remain)."""
    if (oid := object_id_or_none(raw_id)) is not None:
        document = collection(Batch).find_one({"_id": oid}, {"batch_id": 1})
        if document is not None and document.get("batch_id") is not None:
            return document["batch_id"]
    return raw_id


def custom_id_of(document):
    """The batch's custom id, or None when the stored value is missing or not a
    string: such a batch has no jobs (a filter on None would match every
    job without a batch)."""
    value = document.get("batch_id")
    return value if isinstance(value, str) else None


def tally(jobs_by_status, status, number):
    """Add `number` jobs of a stored `status` (oddly-typed ones count as None)."""
    key = status if isinstance(status, str) else None
    jobs_by_status[key] = jobs_by_status.get(key, 0) + number


def counts_from_statuses(jobs_by_status):
    """{status: number of jobs} -> the COUNT_FIELDS."""
    counts = dict.fromkeys(COUNT_FIELDS, 0)
    for status, number in jobs_by_status.items():
        counts["total_jobs"] += number
        if status in COUNT_FIELD_OF_STATUS:
            counts[COUNT_FIELD_OF_STATUS[status]] += number
    return counts


NO_JOBS = counts_from_statuses({})


def job_counts(batch_ids):
    """{custom batch_id: counts} for the given batches, by one grouped
    aggregation however many they are (one row per batch, all in the first
    reply: the server needs one more slot to see the cursor is exhausted)."""
    ids = sorted({batch_id for batch_id in batch_ids if isinstance(batch_id, str)})
    if not ids:
        return {}
    jobs_by_status = {batch_id: {} for batch_id in ids}
    pipeline = [
        {"$match": {"batch_id": {"$in": ids}}},
        {"$group": {"_id": {"batch_id": "$batch_id", "status": "$status"}, "jobs": {"$sum": 1}}},
        {"$group": {"_id": "$_id.batch_id", "statuses": {"$push": {"status": "$_id.status", "jobs": "$jobs"}}}},
    ]
    for row in collection(Job).aggregate(pipeline, batchSize=len(ids) + 1):
        for group in row["statuses"]:
            tally(jobs_by_status[row["_id"]], group.get("status"), group["jobs"])
    return {batch_id: counts_from_statuses(by_status) for batch_id, by_status in jobs_by_status.items()}


def with_live_counts(documents):
    """The batch documents with their live job counts in place of the stored counters."""
    counts = job_counts(custom_id_of(document) for document in documents)
    return [{**document, **counts.get(custom_id_of(document), NO_JOBS)} for document in documents]


def batch_list(*, account_id=None, is_active=None, skip=0, limit=100):
    """A page of batches (deleted ones hidden), newest first, with live counts:
    two queries whatever the page size."""
    query = dict(NOT_DELETED)
    if account_id:
        query["account_id"] = account_id
    if is_active is not None:
        # `is_active=false` lists every batch `is_active=true` does not, legacy
        # documents without the field included (workers do not call them).
        query["is_active"] = True if is_active else {"$ne": True}
    # The whole page in the first reply (the default first batch is 101 documents).
    documents = list(collection(Batch).find(query).sort(NEWEST_FIRST).skip(skip).limit(limit).batch_size(limit))
    return with_live_counts(documents)


def percentage(part, whole):
    return round(part / whole * 100, 2) if whole else 0.0


def batch_progress(document):
    """What the frontend polls: the pause switch and the live job counts.
    `progress_percentage` is the share of jobs no longer waiting or being
    called (finished, failed, cancelled or suspended)."""
    batch = with_live_counts([document])[0]
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


def batch_summary(document):
    """`batch_progress` plus the campaign's description and a derived status:
    `completed` when it has jobs and none is waiting or being called, else
    `paused` when not active, else `active`. `completion_rate` is the share
    of jobs finished OK."""
    progress = batch_progress(document)
    if progress["total_jobs"] and not progress["pending_jobs"] + progress["in_progress_jobs"]:
        status = "completed"
    else:
        status = "active" if document.get("is_active") is True else "paused"
    return {
        **progress,
        "name": document.get("name"),
        "account_id": document.get("account_id"),
        "status": status,
        "completion_rate": percentage(progress["completed_jobs"], progress["total_jobs"]),
        "total_cost": document.get("total_cost"),
        "total_minutes": document.get("total_minutes"),
        "priority": document.get("priority"),
        "created_at": document.get("created_at"),
    }


def dashboard_stats(*, account_id=None):
    """Job counts, success rate and today's jobs from one grouped aggregation
    on `jobs`, plus one count of active batches; scoped to an account if
    given. `success_rate` = finished OK / (finished OK + failed) * 100."""
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
    active_batches = collection(Batch).count_documents({**scope, **NOT_DELETED, "is_active": True})
    return {
        **counts,
        "success_rate": percentage(counts["completed_jobs"], counts["completed_jobs"] + counts["failed_jobs"]),
        "active_batches": active_batches,
        "jobs_today": jobs_today,
        "timestamp": utc_now(),
    }
