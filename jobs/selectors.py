"""Reads of the `jobs` collection for the API: whole stored documents
(unknown and legacy fields included), one query per page."""

from jobs.models import FINISHED_OK_STATUSES, Job, JobStatus, batch_collection
from speechai.mongo import NEWEST_FIRST, collection, find_by_any_id, object_id_or_none


def batch_custom_id(raw_id):
    """The custom `batch_id` jobs reference, for a batch named by either form.

    A 24-hex string naming a batch's `_id` resolves to that batch's
    `batch_id`; anything else is taken as the custom id itself (the batch
    may be gone while its jobs remain)."""
    if (oid := object_id_or_none(raw_id)) is not None:
        document = batch_collection().find_one({"_id": oid}, {"batch_id": 1})
        if document is not None and document.get("batch_id") is not None:
            return document["batch_id"]
    return raw_id


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
