"""The job counters stored on batch documents (`total_jobs`, `pending_jobs`,
`completed_jobs`, `failed_jobs`, `suspended_jobs`). Workers `$inc` some of
them; this project moves them only by `$inc` deltas of exactly the jobs an
action moved (never a read-then-`$set`, which would lose or double the
workers' concurrent increments). `repair_counters` is the one place that
writes them from a recount, and it too writes differences by `$inc`."""

from pymongo import UpdateOne

from jobs.counts import statuses_by_batch
from jobs.models import JobStatus, batch_collection
from speechai.mongo import update_one_of

STORED_COUNTERS = ("total_jobs", "pending_jobs", "completed_jobs", "failed_jobs", "suspended_jobs")
# The stored counter a job of this status adds to besides total_jobs
# (in_progress and cancelled jobs have none).
STORED_COUNTER_OF_STATUS = {
    JobStatus.PENDING: "pending_jobs",
    JobStatus.SCHEDULED: "pending_jobs",
    JobStatus.DONE: "completed_jobs",
    JobStatus.COMPLETED: "completed_jobs",
    JobStatus.FAILED: "failed_jobs",
    JobStatus.SUSPENDED: "suspended_jobs",
}


def move_deltas(from_status, to_status, number=1):
    """{counter: delta} for `number` jobs moved from one status to another."""
    deltas = {}
    if (counter := STORED_COUNTER_OF_STATUS.get(from_status)) is not None:
        deltas[counter] = deltas.get(counter, 0) - number
    if (counter := STORED_COUNTER_OF_STATUS.get(to_status)) is not None:
        deltas[counter] = deltas.get(counter, 0) + number
    return {counter: delta for counter, delta in deltas.items() if delta}


class CounterDeltas:
    """Deltas gathered per batch while jobs move, written in one bulk_write."""

    def __init__(self):
        self.by_batch = {}

    def add(self, batch_id, from_status, to_status, number=1):
        if not isinstance(batch_id, str):
            return  # a job without a batch (or an oddly-typed batch_id) moves no counter
        batch = self.by_batch.setdefault(batch_id, {})
        for counter, delta in move_deltas(from_status, to_status, number).items():
            batch[counter] = batch.get(counter, 0) + delta

    def changed(self):
        return [(batch_id, deltas) for batch_id, deltas in sorted(self.by_batch.items()) if any(deltas.values())]

    def write(self):
        """One round trip (none when nothing moved a counter); a single
        batch's (a single job's move) by update_one, cheaper than a bulk."""
        changed = self.changed()
        if len(changed) == 1:
            ((batch_id, deltas),) = changed
            batch_collection().update_one({"batch_id": batch_id}, {"$inc": deltas})
        elif changed:
            updates = [UpdateOne({"batch_id": batch_id}, {"$inc": deltas}) for batch_id, deltas in changed]
            batch_collection().bulk_write(updates, ordered=False)
        self.by_batch = {}

    def writes(self):
        """The same `$inc`s as speechai.mongo.write_in_order writes, to make
        in the command of the moves they count."""
        return [update_one_of(batch_collection(), {"batch_id": b}, {"$inc": deltas}) for b, deltas in self.changed()]


def counted_from_jobs(by_status):
    """The stored counters as the jobs (`{status: number}`) say they should be."""
    counters = dict.fromkeys(STORED_COUNTERS, 0)
    for status, number in by_status.items():
        counters["total_jobs"] += number
        if status in STORED_COUNTER_OF_STATUS:
            counters[STORED_COUNTER_OF_STATUS[status]] += number
    return counters


def counter_drift(batch_ids):
    """{batch_id: {counter: (stored, counted)}} for the counters that differ."""
    documents = list(batch_collection().find({"batch_id": {"$in": list(batch_ids)}}, ["batch_id", *STORED_COUNTERS]))
    by_batch = statuses_by_batch(batch_ids)
    drift = {}
    for document in documents:
        counted = counted_from_jobs(by_batch.get(document["batch_id"], {}))
        differing = {
            counter: (document.get(counter), value)
            for counter, value in counted.items()
            if document.get(counter) != value
        }
        if differing:
            drift[document["batch_id"]] = differing
    return drift


def repair_counters(drift):
    """Bring the stored counters to the counted values by `$inc` of the
    difference (a missing or oddly-typed counter is `$set`, conditional on
    still being what was read), so an increment a worker makes between the
    count and this write is kept, not overwritten."""
    updates = []
    for batch_id, counters in drift.items():
        increments = {c: counted - stored for c, (stored, counted) in counters.items() if _is_number(stored)}
        if increments:
            updates.append(UpdateOne({"batch_id": batch_id}, {"$inc": increments}))
        for counter, (stored, counted) in counters.items():
            if not _is_number(stored):
                updates.append(UpdateOne({"batch_id": batch_id, counter: stored}, {"$set": {counter: counted}}))
    if updates:
        batch_collection().bulk_write(updates, ordered=False)


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)
