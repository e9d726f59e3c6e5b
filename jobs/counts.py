"""How many jobs of each status: the live counts shown on batches and on the
dashboard, computed from the jobs themselves with one grouped aggregation
(never from the counters stored on batch documents, which drift)."""

from jobs.models import Job, JobStatus, status_label
from speechai.mongo import collection

# The counts every batch in a response carries, in the order the API lists them.
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


def status_key(status):
    """A stored status as a dict key: oddly-typed ones (a list, an object,
    a number) count as None, like a missing status."""
    return status if isinstance(status, str) else None


def tally(jobs_by_status, status, number):
    """Add `number` jobs of a stored `status` (oddly-typed ones count as None)."""
    key = status_key(status)
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


def job_status_counts(query):
    """{status: number of jobs} among the jobs `query` matches: one grouped
    aggregation (jobs without a string status count under None)."""
    counts = {}
    for row in collection(Job).aggregate([{"$match": query}, {"$group": {"_id": "$status", "count": {"$sum": 1}}}]):
        tally(counts, row["_id"], row["count"])
    return counts


def statuses_by_batch(batch_ids):
    """{custom batch_id: {status: number of jobs}} by one grouped aggregation
    however many batches (one row per batch, all in the first reply: the
    server needs one more slot to see the cursor is exhausted)."""
    ids = sorted({batch_id for batch_id in batch_ids if isinstance(batch_id, str)})
    if not ids:
        return {}
    jobs_by_status = {batch_id: {} for batch_id in ids}
    match = {"batch_id": ids[0]} if len(ids) == 1 else {"batch_id": {"$in": ids}}
    pipeline = [
        {"$match": match},
        {"$group": {"_id": {"batch_id": "$batch_id", "status": "$status"}, "jobs": {"$sum": 1}}},
        {"$group": {"_id": "$_id.batch_id", "statuses": {"$push": {"status": "$_id.status", "jobs": "$jobs"}}}},
    ]
    for row in collection(Job).aggregate(pipeline, batchSize=len(ids) + 1):
        for group in row["statuses"]:
            tally(jobs_by_status[row["_id"]], group.get("status"), group["jobs"])
    return jobs_by_status


def job_counts(batch_ids):
    """{custom batch_id: COUNT_FIELDS} for the given batches, in one aggregation."""
    return {batch_id: counts_from_statuses(by_status) for batch_id, by_status in statuses_by_batch(batch_ids).items()}


def status_counts_phrase(counts):
    """{"in_progress": 2, "done": 1} -> "Done 1, In Progress 2"."""
    return ", ".join(f"{status_label(status)} {count:,}" for status, count in sorted(counts.items(), key=str))
