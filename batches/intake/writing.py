"""Writing an import so that nothing half-done reaches a worker.

The batch is marked `import_status: "importing"` (a new one is also
inactive) and its jobs go in as `scheduled`, which workers never claim.
When every chunk is in, the transition table releases them to `pending`, then one
update marks the batch complete (its stored counters moved by `$inc`) and
active as requested. A failure midway leaves `import_status: "failed"`
with what was inserted; importing the same file again into that batch
completes it, jobs already there being skipped by `deduplication_key`."""

import itertools

from pymongo.errors import BulkWriteError, PyMongoError

from batches.models import Batch
from batches.states import allowed_filter
from jobs.models import Job
from jobs.moves import move_matching
from jobs.transitions import RELEASE_IMPORT
from speechai.mongo import collection, utc_now

CHUNK = 1000
DUPLICATE_KEY = 11000


class ImportFailed(Exception):
    def __init__(self, inserted, cause):
        super().__init__(str(cause))
        self.inserted = inserted


def insert_new_batch(document, is_active):
    """Inactive while importing; `activate_after_import` keeps what was asked
    for the completion, be it this request or a later re-upload."""
    collection(Batch).insert_one(
        {**document, "import_status": "importing", "is_active": False, "activate_after_import": is_active}
    )


def start_import(batch_id):
    """Mark an existing batch whose state takes contacts as importing; False
    when it is gone or was cancelled (or is being cancelled) meanwhile."""
    result = collection(Batch).update_one(
        {"batch_id": batch_id, **allowed_filter("imported")},
        {"$set": {"import_status": "importing", "updated_at": utc_now()}},
    )
    return result.matched_count == 1


def _already_there(error):
    """A clash on deduplication_key: the job is in the batch from an earlier attempt."""
    return error.get("code") == DUPLICATE_KEY and "deduplication_key" in str(
        error.get("keyPattern") or error.get("errmsg")
    )


def insert_jobs(documents, total, on_progress=None):
    """Insert `documents` (an iterable of `total`) in chunks of CHUNK, calling
    on_progress(done, total) after each. Returns (inserted, already there).
    Raises ImportFailed on any other failure."""
    jobs = collection(Job)
    inserted = skipped = 0
    iterator = iter(documents)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        try:
            jobs.insert_many(chunk, ordered=False)
            inserted += len(chunk)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            inserted += exc.details.get("nInserted", 0)
            failures = [error for error in errors if not _already_there(error)]
            if failures:
                raise ImportFailed(inserted, failures[0].get("errmsg", "write error")) from exc
            skipped += len(errors)
        except PyMongoError as exc:
            raise ImportFailed(inserted, exc) from exc
        if on_progress:
            on_progress(inserted + skipped, total)
    return inserted, skipped


def _counters(inserted, estimated_cost):
    return {"total_jobs": inserted, "pending_jobs": inserted, "estimated_cost": round(estimated_cost, 6)}


def complete_import(batch_id, stamp, *, inserted, estimated_cost, stats, is_active=None):
    """Release the jobs under the import's stamp (its one audit entry says
    how many), then mark the batch complete (and active as asked when it was
    created by an import). Returns the jobs released. A batch cancelled or
    deleted during the import keeps its new jobs `scheduled`: never called."""
    live = {"batch_id": batch_id, **allowed_filter("imported")}
    batches = collection(Batch)
    if batches.find_one(live, {"_id": 1}) is None:
        return 0
    # scheduled -> pending through the transition table (jobs/transitions.py).
    released = move_matching(RELEASE_IMPORT, {"batch_id": batch_id}, stamp).changed
    fields = {"import_status": "complete", "import_stats": stats, "updated_at": utc_now()}
    if is_active is not None:
        fields["is_active"] = is_active
    batches.update_one(
        live, {"$set": fields, "$unset": {"activate_after_import": ""}, "$inc": _counters(inserted, estimated_cost)}
    )
    return released


def fail_import(batch_id, *, inserted, estimated_cost, stats):
    """Best effort: the database may be what failed."""
    try:
        collection(Batch).update_one(
            {"batch_id": batch_id},
            {
                "$set": {"import_status": "failed", "import_stats": stats, "updated_at": utc_now()},
                "$inc": _counters(inserted, estimated_cost),
            },
        )
    except PyMongoError:
        pass
