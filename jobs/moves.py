"""The one function family that applies a row of jobs/transitions.py: to one
job (`move_one`), to a list of ids (`move_ids`) or to every job a filter
matches (`move_matching`, chunked). Each is a conditional update whose
filter carries the allowed statuses; the jobs it moved are those carrying
the action's stamp (`action_id`); the counters stored on their batches
follow by `$inc` of exactly those moves. Auditing is the caller's
(jobs/services.py, batches/lifecycle.py)."""

import itertools
from dataclasses import dataclass

from pymongo import UpdateMany

from jobs.counters import CounterDeltas
from jobs.counts import job_status_counts, status_key
from jobs.models import Job, batch_collection
from jobs.outcomes import BulkTransitionResult, IdsOutcome
from speechai.mongo import (
    WriteStopped,
    any_id_filters,
    collection,
    find_by_any_ids,
    flat_and,
    id_filters,
    update_one_or_fail,
    write_in_order,
)

# Jobs per round trip in bulk actions: big enough to be fast, small enough
# for a progress display and for commands of modest size.
DEFAULT_CHUNK_SIZE = 1000
# Ids per update statement of a chunk. The embedded server checks each
# document against the whole `$in` list: 1,000 jobs cost ~1.3 s as one
# statement of 1,000 ids, ~0.33 s as ten of 100. The statements go in one
# bulk_write, so the round trips stay the same (mongod: the same work).
IDS_PER_UPDATE = 100
# A single move re-reads and retries when the job changed between its read and its update.
RACE_RETRIES = 3
PROJECTION = {"_id": 1, "job_id": 1, "status": 1, "batch_id": 1, "status_before_cancel": 1, "action_id": 1}


class JobNotFound(Exception):
    pass


class JobStatusConflict(Exception):
    """The job exists but its status (or its batch's) does not allow the action."""

    def __init__(self, verb, current_status, message=None):
        self.current_status = status_key(current_status)  # an oddly-typed status as None (a dict key)
        super().__init__(message or f"Job cannot be {verb} in status '{current_status}'")


@dataclass
class Move:
    job_id: object  # the job's _id
    batch_id: object
    from_status: str
    to_status: str


# What says whether a batch is still closed (batch_closed_as).
CLOSED_BATCH_FIELDS = {"batch_id": 1, "deleted_at": 1, "cancelled_at": 1, "closing": 1}
CLOSING_ACTIONS = ("cancel", "delete")


def batch_closed_as(batch):
    """ "deleted" or "cancelled" for a batch document still closed (being
    cancelled or deleted counts as cancelled), else None."""
    closing = batch.get("closing")
    closings = closing if isinstance(closing, list) else [closing]
    if (
        batch.get("deleted_at") is None
        and batch.get("cancelled_at") is None
        and not any(isinstance(each, dict) and each.get("action") in CLOSING_ACTIONS for each in closings)
    ):
        return None
    return "deleted" if batch.get("deleted_at") else "cancelled"


def closed_batches(batch_ids):
    """{batch_id: "cancelled" | "deleted"} of the given batches still closed."""
    ids = sorted({batch_id for batch_id in batch_ids if isinstance(batch_id, str)})
    if not ids:
        return {}
    documents = batch_collection().find({"batch_id": {"$in": ids}}, CLOSED_BATCH_FIELDS)
    return {doc["batch_id"]: closed for doc in documents if (closed := batch_closed_as(doc))}


def read_one(row, query):
    """(the job `query` finds, or None; "cancelled" | "deleted" when the row
    needs an open batch and the job's is closed, else None), in one round
    trip: a find, or for such a row an aggregation joining its batch."""
    jobs = collection(Job)
    if not row.needs_open_batch:
        return jobs.find_one(query, PROJECTION), None
    found = jobs.aggregate(
        [
            {"$match": query},
            {"$limit": 1},
            {"$project": PROJECTION},
            {
                "$lookup": {
                    "from": batch_collection().name,
                    "localField": "batch_id",
                    "foreignField": "batch_id",
                    "pipeline": [{"$project": CLOSED_BATCH_FIELDS}, {"$limit": 1}],
                    "as": "batch",
                }
            },
        ]
    )
    document = next(found, None)
    if document is None:
        return None, None
    batches = document.pop("batch")
    # A job without a batch_id (or an odd one) joins whatever lacks one: not its batch.
    if not isinstance(document.get("batch_id"), str) or not batches:
        return document, None
    return document, batch_closed_as(batches[0])


def batch_closed_conflict(row, status):
    return JobStatusConflict(row.verb, status, f"The job's batch is {status}")


def move_one(row, raw_id, stamp, *, writes_with_move=None):
    """Move the job named by either id form, in two round trips: the read
    (read_one, joined to its batch for a restore; two when a 24-hex custom
    job_id is tried as _id first), then one command
    (speechai.mongo.write_in_order) of the job's update, conditional on
    `_id` + the status and stamp seen (index-served, unlike findAndModify
    on the embedded server), the `$inc` of its batch's counters and
    `writes_with_move(move)` (its audit entry), those two only if the job
    moved. A job changed meanwhile is read again and retried."""
    jobs = collection(Job)
    document, closed = next(
        (read for f in id_filters(raw_id, "job_id") if (read := read_one(row, f))[0] is not None), (None, None)
    )
    for _ in range(RACE_RETRIES):
        if document is None:
            raise JobNotFound(raw_id)
        status = document.get("status")
        if status not in row.allowed:
            raise JobStatusConflict(row.verb, status)
        if closed:
            raise batch_closed_conflict(row, closed)
        move = Move(document["_id"], document.get("batch_id"), status, row.to_status_of(document))
        seen = {"_id": document["_id"], "status": status, "action_id": document.get("action_id")}
        deltas = CounterDeltas()
        deltas.add(move.batch_id, move.from_status, move.to_status)
        also = writes_with_move(move) if writes_with_move else []
        try:
            write_in_order([update_one_or_fail(jobs, seen, row.update(stamp)), *deltas.writes(), *also])
            return move
        except WriteStopped as stopped:
            if stopped.index or not stopped.not_matched:
                raise
        document, closed = read_one(row, {"_id": document["_id"]})  # changed meanwhile: look again
        if document is not None and document.get("action_id") == stamp.action_id:
            # Ours already: the driver retried a command the server had run
            # (the embedded server does not recognise retried writes).
            return move
    raise JobStatusConflict(row.verb, document.get("status") if document else None)


def match_ids(raw_ids, documents):
    """{raw id as sent: document}, an ObjectId match winning over a job_id match."""
    by_oid = {str(doc["_id"]): doc for doc in documents}
    by_job_id = {doc["job_id"]: doc for doc in documents if isinstance(doc.get("job_id"), str)}
    return {
        raw_id: by_oid.get(raw_id) or by_job_id.get(raw_id)
        for raw_id in raw_ids
        if raw_id in by_oid or raw_id in by_job_id
    }


def move_ids(row, raw_ids, stamp):
    """Move the jobs named (either id form) in a bounded number of round
    trips whatever their number: one find per id form present (each served
    by its index; speechai/mongo.py), one conditional update_many, one
    read-back of the candidates (ours carry the stamp), one bulk `$inc` of
    their batches' counters (a restore adds one read of their batches)."""
    jobs = collection(Job)
    found = match_ids(raw_ids, find_by_any_ids(jobs, raw_ids, "job_id", PROJECTION))
    candidates = {doc["_id"]: doc for doc in found.values() if doc.get("status") in row.allowed}
    closed = closed_batches(doc.get("batch_id") for doc in candidates.values()) if row.needs_open_batch else {}
    ids = [_id for _id, doc in candidates.items() if doc.get("batch_id") not in closed]
    after = {}
    if ids:
        jobs.update_many({"_id": {"$in": ids}, "status": {"$in": row.allowed}}, row.update(stamp))
        after = {doc["_id"]: doc for doc in jobs.find({"_id": {"$in": ids}}, PROJECTION)}
    deltas = CounterDeltas()
    outcome = IdsOutcome(matched=len(found))
    for raw_id in raw_ids:
        doc = found.get(raw_id)
        if doc is None:
            outcome.not_found.append(raw_id)
            continue
        current = after.get(doc["_id"], doc)
        if current.get("action_id") == stamp.action_id:
            outcome.moved.append(raw_id)
            if doc["_id"] not in outcome.moved_job_ids:
                outcome.moved_job_ids.append(doc["_id"])
                deltas.add(current.get("batch_id"), row.from_status_after(current), current.get("status"))
        elif doc.get("batch_id") in closed and doc["_id"] in candidates:
            outcome.refused.append({"id": raw_id, "status": closed[doc["batch_id"]]})
        else:
            outcome.refused.append({"id": raw_id, "status": current.get("status")})
    deltas.write()
    return outcome


def chunked(iterable, size):
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _and(*clauses):
    """One filter matching every clause, flat where it can be
    (speechai.mongo.flat_and) with `_id` first: the embedded server scans
    the collection for any `$and`, and serves a flat filter from the index
    of its first field that has one."""
    clauses = [clause for clause in clauses if clause]
    query = flat_and({"$and": clauses}) if len(clauses) > 1 else next(iter(clauses), {})
    if "_id" not in query:
        return query
    return {"_id": query["_id"], **{key: value for key, value in query.items() if key != "_id"}}


def move_matching(
    row,
    query,
    stamp,
    *,
    ids=None,
    condition=None,
    dry_run=False,
    chunk_size=DEFAULT_CHUNK_SIZE,
    progress=None,
    open_batches_only=True,
    plan=True,
):
    """Move every job `query` matches (narrowed to `ids`, either form, when
    given) whose status is allowed and `condition` holds. `query` may be a
    list of disjoint filters, each read on its own (an `$or` of them would
    be a collection scan on the embedded server).

    First (unless `plan` is false) one grouped count per selection (what
    matches, by status; all a dry run does); then per chunk of `chunk_size`
    jobs: the next `_id`s with their status (one cursor batch), one
    bulk_write of conditional update_many, one per status seen (and per
    IDS_PER_UPDATE ids), that
    re-check it and `condition` (a job a worker took meanwhile is left
    alone), a read-back of the chunk's stamped jobs only when some did not
    move or the to-status depends on the job, and one bulk `$inc` of the
    counters of the chunk's batches. Moved jobs leave the filter, so none is
    visited twice. `progress(done, total)` after each chunk."""
    jobs = collection(Job)
    allowed = {"status": {"$in": row.allowed}, **(condition or {})}
    queries = query if isinstance(query, list) else [query]
    if ids is None:
        selections = queries
    else:
        selections = [
            _and(each, by_id)
            for each in queries
            for chunk in chunked(ids, chunk_size)
            for by_id in any_id_filters(chunk, "job_id")
        ]

    result = BulkTransitionResult(tuple(row.allowed), dry_run, planned=plan)
    for selection in selections if plan else ():
        for status, count in job_status_counts(selection).items():
            result.by_status[status] = result.by_status.get(status, 0) + count
    if dry_run:
        if row.needs_open_batch and open_batches_only:
            result.blocked = sum(_in_closed_batches(_and(selection, allowed)) for selection in selections)
        return result

    for selection in selections:
        eligible = jobs.find(_and(selection, allowed), PROJECTION, batch_size=chunk_size)
        for chunk in chunked(eligible, chunk_size):
            _move_chunk(row, stamp, chunk, allowed, result, open_batches_only=open_batches_only)
            if progress is not None:
                progress(result.changed, result.eligible)
    return result


def _in_closed_batches(query):
    """How many jobs `query` matches in batches still cancelled or deleted:
    one aggregation grouped by batch, one read of those batches."""
    rows = collection(Job).aggregate([{"$match": query}, {"$group": {"_id": "$batch_id", "jobs": {"$sum": 1}}}])
    by_batch = {row["_id"]: row["jobs"] for row in rows if isinstance(row["_id"], str)}
    return sum(by_batch[batch_id] for batch_id in closed_batches(by_batch))


def _move_chunk(row, stamp, chunk, allowed, result, *, open_batches_only):
    jobs = collection(Job)
    if row.needs_open_batch and open_batches_only:
        closed = closed_batches(doc.get("batch_id") for doc in chunk)
        result.blocked += sum(doc.get("batch_id") in closed for doc in chunk)
        chunk = [doc for doc in chunk if doc.get("batch_id") not in closed]
    # `status: {$in: [...]}` also matches an array holding an allowed status:
    # only a string status is one a transition starts from.
    chunk = [doc for doc in chunk if isinstance(doc.get("status"), str)]
    if not chunk:
        return
    # One update per status seen (one round trip): when all of them match,
    # every job moved from the status read, and nothing needs reading back.
    by_status = {}
    for doc in chunk:
        by_status.setdefault(doc.get("status"), []).append(doc["_id"])
    updates = [
        UpdateMany({"_id": {"$in": some_ids}, **allowed, "status": status}, row.update(stamp))
        for status, ids in by_status.items()
        for some_ids in chunked(ids, IDS_PER_UPDATE)
    ]
    modified = jobs.bulk_write(updates, ordered=False).modified_count
    if modified == len(chunk) and row.to_status is not None:
        moved = [(doc, doc.get("status"), row.to_status) for doc in chunk]
    elif modified:
        chunk_ids = [doc["_id"] for doc in chunk]
        stamped = jobs.find({"_id": {"$in": chunk_ids}, "action_id": stamp.action_id}, PROJECTION)
        moved = [(doc, row.from_status_after(doc), doc.get("status")) for doc in stamped]
    else:
        moved = []
    deltas = CounterDeltas()
    for doc, from_status, to_status in moved:
        deltas.add(doc.get("batch_id"), from_status, to_status)
        result.changed_ids.append(doc["_id"])
    deltas.write()
    result.changed += len(moved)
