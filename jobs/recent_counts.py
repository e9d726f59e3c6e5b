"""Live job counts of batches (and of the jobs changelist's status views),
remembered per process for up to LIVE_COUNTS_SECONDS while the batch
documents say their jobs did not change.

Counting a batch's jobs reads every one of them (on the embedded server about
0.1 ms a job: a page of 100 batches of 100 jobs costs most of a second), and
the frontend polls lists and progress every few seconds. Every change this
project makes to a batch's jobs that changes its counts moves one of the
batch's stored counters by `$inc` (jobs/counters.py), and a worker's finished
call `$inc`s one and sets `updated_at`: so counts remembered under the batch's
counters and `updated_at` as they were read are recomputed as soon as either
changes. What no batch field shows (a worker taking a job, a worker writing a
status without its `$inc`) shows within LIVE_COUNTS_SECONDS (plus the time of
one count, during which the other requests get the previous counts)."""

from bson import json_util
from django.conf import settings

from jobs.counters import STORED_COUNTERS
from jobs.counts import job_counts, job_status_counts
from jobs.models import batch_collection
from speechai.recent import RecentValues

BATCH_VERSION_FIELDS = ("updated_at", *STORED_COUNTERS)
# Batches beyond this many counted within LIVE_COUNTS_SECONDS are counted again.
RECENT_COUNTS = RecentValues(size=10_000)
# The jobs changelist's status views, per filter.
RECENT_STATUS_COUNTS = RecentValues(size=100)


def batch_version(document):
    """What the stored batch says about its jobs' last change (values of any
    type, a list or an object included, compared by their repr)."""
    return tuple(repr(document.get(field)) for field in BATCH_VERSION_FIELDS)


def recent_job_counts(versions):
    """{batch_id: COUNT_FIELDS} for {batch_id: batch_version}: the remembered
    counts of the batches whose version is unchanged, one grouped aggregation
    for the others (none when all are remembered). The counts are shared:
    callers copy, never change them."""
    seconds = settings.LIVE_COUNTS_SECONDS
    if seconds <= 0:
        return job_counts(versions)
    counts, to_count, claimed = {}, [], []
    for batch_id, version in versions.items():
        remembered, claimed_it = RECENT_COUNTS.current(batch_id, version)
        if remembered is not None:
            counts[batch_id] = remembered
            continue
        if claimed_it:
            claimed.append(batch_id)
        to_count.append(batch_id)
    try:
        for batch_id, batch_counts in job_counts(to_count).items():
            RECENT_COUNTS.put(batch_id, (versions[batch_id], batch_counts), seconds)
            counts[batch_id] = batch_counts
    finally:
        for batch_id in claimed:
            RECENT_COUNTS.release(batch_id)
    return counts


def recent_status_counts(query):
    """{status: number} of the jobs `query` matches (the jobs changelist's
    status views), remembered the same way under the version of the batches
    they can be in (one find of their counters and `updated_at`, far cheaper
    than counting the jobs): the batch `query` names, else every batch. What
    this project changes shows at once, the rest within LIVE_COUNTS_SECONDS."""
    seconds = settings.LIVE_COUNTS_SECONDS
    if seconds <= 0:
        return job_status_counts(query)
    key = json_util.dumps(query)
    named = query.get("batch_id")
    scope = {"batch_id": named} if isinstance(named, str) else {}
    stored = batch_collection().find(scope, ["batch_id", *BATCH_VERSION_FIELDS])
    version = hash(tuple(sorted((repr(doc.get("batch_id")), batch_version(doc)) for doc in stored)))
    remembered, claimed = RECENT_STATUS_COUNTS.current(key, version)
    if remembered is not None:
        return remembered
    try:
        counts = job_status_counts(query)
        RECENT_STATUS_COUNTS.put(key, (version, counts), seconds)
    finally:
        if claimed:
            RECENT_STATUS_COUNTS.release(key)
    return counts
