"""The benchmark scenarios: one entry each. A scenario names its HTTP request
(or management command) for a target, the targets it draws from, the
concurrency, and its minimal floor: the least database work the request
needs, in raw pymongo. Its own floor (the commands the project actually
sends, as the server recorded them) needs no entry.

To add one, append a Scenario. Intake has its own benchmark (bench/intake.py)."""

import datetime
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from pymongo import DESCENDING

CANCELLABLE = ["pending", "scheduled", "failed"]

NEWEST_FIRST = [("created_at", DESCENDING), ("_id", DESCENDING)]
PAGE = 100
NOW = {"$currentDate": {"updated_at": True}}


@dataclass
class Scenario:
    key: str
    title: str
    clients: int
    # target -> (method, path, JSON body or None); or `command` for manage.py
    request: Callable | None
    # (database, target) -> None: the least database work for one request
    minimal: Callable
    # Targets -> list of targets (dicts of ids), each request uses the next one
    targets: Callable
    distinct: bool = False  # a write: each target is used once
    seconds: float = 8.0
    expected: set = field(default_factory=lambda: {200})
    # Runs right after `after` in the same block, on the targets it used.
    after: str | None = None
    # manage.py arguments for a target (then `request` is None)
    command: Callable | None = None
    # (Targets) -> targets, run on fresh data before each subject
    prepare: Callable | None = None
    # With `after`: (database, targets it used) -> those fit for this one
    # (default: the jobs among them now cancelled)
    again: Callable | None = None


def job(target):
    return {"_id": target["_id"], "job_id": target["job_id"]}


def page(database, collection, query):
    list(database[collection].find(query, sort=NEWEST_FIRST, limit=PAGE, batch_size=PAGE))


def cancel_one(database, target):
    database.jobs.update_one(
        {"_id": target["_id"], "status": {"$in": CANCELLABLE}},
        {"$set": {"status": "cancelled", "cancellation_reason": "Cancelled by user"}, **NOW},
    )


def cancel_many(database, target):
    database.jobs.update_many(
        {"_id": {"$in": target["ids"]}, "status": {"$in": CANCELLABLE}},
        {"$set": {"status": "cancelled", "cancellation_reason": "Cancelled by user"}, **NOW},
    )


def id_groups(size):
    def targets(data):
        pool = [job["_id"] for job in data.cancellable]
        return [{"ids": pool[i : i + size]} for i in range(0, len(pool) - size + 1, size)]

    return targets


def batch_targets(data):
    """Each batch with its `_id` and its cancellable jobs' ids: the own floor
    replays the recorded commands with these in place of the recorded batch's."""
    job_ids = defaultdict(list)
    for job in data.cancellable:
        job_ids[job["batch_id"]].append(job["_id"])
    return [{"batch_id": b["batch_id"], "_id": b["_id"], "job_ids": job_ids[b["batch_id"]]} for b in data.batches]


def cancel_batch(database, target):
    database.batches.update_one(
        {"batch_id": target["batch_id"], "cancelled_at": None, "deleted_at": None},
        {"$set": {"is_active": False, "cancelled_at": now(), "cancellation_reason": "Batch cancelled"}},
    )
    database.jobs.update_many(
        {"batch_id": target["batch_id"], "status": {"$in": CANCELLABLE}},
        {"$set": {"status": "cancelled", "cancellation_reason": "Batch cancelled"}, **NOW},
    )


def restore_batch(database, target):
    database.batches.update_one(
        {"batch_id": target["batch_id"], "cancelled_at": {"$ne": None}},
        {"$unset": {"cancelled_at": "", "cancellation_reason": ""}},
    )
    database.jobs.update_many(
        {"batch_id": target["batch_id"], "status": "cancelled"}, {"$set": {"status": "pending"}, **NOW}
    )


def cancelled_batches(database, targets):
    """The batches among `targets` now cancelled, with the stamps a restore
    reads and their cancelled jobs' ids (which the restore moves)."""
    fields = {"batch_id": 1, "cancel_action_ids": 1, "cancelled_at": 1}
    query = {"batch_id": {"$in": [t["batch_id"] for t in targets]}, "cancelled_at": {"$ne": None}}
    batches = list(database.batches.find(query, fields))
    job_ids = defaultdict(list)
    cancelled_jobs = {"batch_id": {"$in": [b["batch_id"] for b in batches]}, "status": "cancelled"}
    for job in database.jobs.find(cancelled_jobs, {"batch_id": 1}):
        job_ids[job["batch_id"]].append(job["_id"])
    return [{**batch, "job_ids": job_ids[batch["batch_id"]]} for batch in batches]


def now():
    return datetime.datetime.now(datetime.UTC)


def bulk_cancel_request(target):
    return "POST", "/api/v1/jobs/cancel", {"ids": [str(oid) for oid in target["ids"]]}


SCENARIOS = [
    Scenario(
        "job_by_oid",
        "GET a job by ObjectId",
        16,
        lambda t: ("GET", f"/api/v1/jobs/{t['_id']}", None),
        lambda db, t: db.jobs.find_one({"_id": t["_id"]}),
        lambda data: [job(t) for t in data.jobs],
    ),
    Scenario(
        "job_by_job_id",
        "GET a job by job_id",
        16,
        lambda t: ("GET", f"/api/v1/jobs/{t['job_id']}", None),
        lambda db, t: db.jobs.find_one({"job_id": t["job_id"]}),
        lambda data: [job(t) for t in data.jobs],
    ),
    Scenario(
        "batch_jobs",
        "GET jobs of a batch, 100",
        16,
        lambda t: ("GET", f"/api/v1/batches/{t['batch_id']}/jobs?limit={PAGE}", None),
        lambda db, t: page(db, "jobs", {"batch_id": t["batch_id"], "status": {"$ne": "cancelled"}}),
        lambda data: [{"batch_id": b["batch_id"]} for b in data.batches],
    ),
    Scenario(
        "jobs_failed",
        "GET jobs?status=failed, 100",
        4,
        lambda t: ("GET", f"/api/v1/jobs?status=failed&limit={PAGE}", None),
        lambda db, t: page(db, "jobs", {"status": {"$in": ["failed"]}}),
        lambda data: [{}],
    ),
    Scenario(
        "jobs_first_page",
        "GET jobs, first page of 100",
        4,
        lambda t: ("GET", f"/api/v1/jobs?limit={PAGE}", None),
        lambda db, t: page(db, "jobs", {"status": {"$ne": "cancelled"}}),
        lambda data: [{}],
    ),
    Scenario(
        "batches_list",
        "GET batches, 100 with counts",
        4,
        lambda t: ("GET", f"/api/v1/batches?limit={PAGE}", None),
        lambda db, t: page(db, "batches", {"deleted_at": None}),
        lambda data: [{}],
    ),
    Scenario(
        "batch_status",
        "GET a batch's status (polled)",
        16,
        lambda t: ("GET", f"/api/v1/batches/{t['batch_id']}/status", None),
        # The original's lookup (and the project's): the id alone.
        lambda db, t: db.batches.find_one({"batch_id": t["batch_id"]}),
        lambda data: [{"batch_id": b["batch_id"]} for b in data.batches],
    ),
    Scenario(
        "cancel",
        "PUT cancel, distinct pending jobs",
        16,
        lambda t: ("PUT", f"/api/v1/jobs/{t['_id']}/cancel", None),
        cancel_one,
        lambda data: [job(t) for t in data.cancellable],
        distinct=True,
        seconds=5,
    ),
    Scenario(
        "cancel_burst",
        "PUT cancel burst, 64 in flight",
        64,
        lambda t: ("PUT", f"/api/v1/jobs/{t['_id']}/cancel", None),
        cancel_one,
        lambda data: [job(t) for t in data.cancellable],
        distinct=True,
        seconds=5,
    ),
    Scenario(
        "cancel_refused",
        "the same 200 again (all refused)",
        64,
        lambda t: ("PUT", f"/api/v1/jobs/{t['_id']}/cancel", None),
        cancel_one,
        None,
        expected={409},
        seconds=5,
        after="cancel_burst",
    ),
    Scenario(
        "patch_batch",
        "PATCH a batch",
        16,
        lambda t: ("PATCH", f"/api/v1/batches/{t['batch_id']}", {"priority": 2}),
        lambda db, t: db.batches.update_one(
            {"batch_id": t["batch_id"], "deleted_at": None}, {"$set": {"priority": 2}, **NOW}
        ),
        lambda data: [{"batch_id": b["batch_id"], "_id": b["_id"]} for b in data.batches],
    ),
    Scenario(
        "batch_cancel",
        "POST a batch's cancel, ~100 jobs",
        4,
        lambda t: ("POST", f"/api/v1/batches/{t['batch_id']}/cancel", None),
        cancel_batch,
        batch_targets,
        distinct=True,
        seconds=5,
    ),
    Scenario(
        "batch_restore",
        "POST a batch's restore, ~100 jobs",
        4,
        lambda t: ("POST", f"/api/v1/batches/{t['batch_id']}/restore", None),
        restore_batch,
        None,
        distinct=True,
        seconds=5,
        after="batch_cancel",
        again=cancelled_batches,
    ),
    Scenario(
        "bulk_cancel_100",
        "POST jobs/cancel, 100 ids",
        1,
        bulk_cancel_request,
        cancel_many,
        id_groups(100),
        distinct=True,
        seconds=8,
    ),
    Scenario(
        "bulk_cancel_1000",
        "POST jobs/cancel, 1,000 ids",
        1,
        bulk_cancel_request,
        cancel_many,
        id_groups(1000),
        distinct=True,
        seconds=8,
    ),
    Scenario(
        "admin_changelist",
        "admin jobs changelist",
        4,
        lambda t: ("GET", "/admin/jobs/job/", None),
        lambda db, t: page(db, "jobs", {}),
        lambda data: [{}],
    ),
    Scenario(
        "admin_dashboard",
        "admin dashboard data",
        4,
        lambda t: ("GET", "/admin/dashboard/data", None),
        lambda db, t: list(db.jobs.aggregate([{"$group": {"_id": "$status", "jobs": {"$sum": 1}}}])),
        lambda data: [{}],
    ),
    Scenario(
        "cancel_jobs_command",
        "cancel_jobs command, 10k-job batch",
        1,
        None,
        lambda db, t: db.jobs.update_many(
            {"batch_id": t["batch_id"], "status": {"$in": CANCELLABLE}},
            {"$set": {"status": "cancelled", "cancellation_reason": "Cancelled by user"}, **NOW},
        ),
        None,
        command=lambda t: ["cancel_jobs", "--batch", t["batch_id"], "--yes"],
        prepare="big_batch",
    ),
]


def as_line(method, path, body):
    return f"{method}\t{path}\t{json.dumps(body) if body is not None else ''}"
