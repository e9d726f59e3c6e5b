"""Reads of the `jobs` collection for the API: whole stored documents
(unknown and legacy fields included), one query per page."""

from batches.selectors import batch_custom_id
from jobs.models import FINISHED_OK_STATUSES, Job, JobStatus
from speechai.mongo import NEWEST_FIRST, collection, find_by_any_id


def expand_statuses(statuses):
    """`done` and `completed` both mean finished OK: asking for one gives both."""
    expanded = set(statuses)
    if expanded & set(FINISHED_OK_STATUSES):
        expanded |= set(FINISHED_OK_STATUSES)
    return sorted(str(s) for s in expanded)


def job_list_filter(*, statuses=None, batch_id=None, account_id=None, created_after=None, created_before=None):
    query = {}
    if statuses:
        query["status"] = {"$in": expand_statuses(statuses)}
    else:
        # Cancelled jobs are soft-deleted: hidden unless asked for.
        query["status"] = {"$ne": JobStatus.CANCELLED.value}
    if batch_id:
        query["batch_id"] = batch_custom_id(batch_id)
    if account_id:
        query["account_id"] = account_id
    created = {}
    if created_after:
        created["$gte"] = created_after
    if created_before:
        created["$lt"] = created_before
    if created:
        query["created_at"] = created
    return query


def job_list(*, skip=0, limit=100, **filters):
    """One page of stored jobs, in one round trip (the first batch holds the page)."""
    cursor = collection(Job).find(job_list_filter(**filters), sort=NEWEST_FIRST, skip=skip, limit=limit)
    return list(cursor.batch_size(limit))


def job_get(raw_id):
    """The stored job named by either id form, or None."""
    return find_by_any_id(collection(Job), raw_id, "job_id")


def status_key(status):
    """A stored status as a dict key: oddly-typed ones (a list, an object,
    a number) count as None, like a missing status."""
    return status if isinstance(status, str) else None


def job_status_counts(query):
    """{status: number of jobs} among the jobs `query` matches: one grouped
    aggregation (jobs without a string status count under None)."""
    counts = {}
    for row in collection(Job).aggregate([{"$match": query}, {"$group": {"_id": "$status", "count": {"$sum": 1}}}]):
        key = status_key(row["_id"])
        counts[key] = counts.get(key, 0) + row["count"]
    return counts
