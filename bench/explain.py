"""The query shapes of the API and the bulk actions, explained by the server
(docs/scaling.md): which index each uses, how many keys and documents it
examines, how long it takes. On the embedded server unless MONGODB_URI is set.

python -m bench.explain [--jobs 20000] [--batches 200]"""

import argparse
import os
import time

import django
from pymongo import DESCENDING

from bench.processes import DATABASE_NAME, WORK, Database, new_secret_key, production_environment

NEWEST_FIRST = {"created_at": DESCENDING, "_id": DESCENDING}
CANCELLABLE = {"$in": ["pending", "scheduled", "failed"]}


def shapes(jobs, batches, tokens):
    """(name, collection, explain command body) for each shape."""
    job = jobs.find_one({"job_id": {"$type": "string"}, "batch_id": {"$type": "string"}})
    page = [b["batch_id"] for b in batches.find({}, {"batch_id": 1}).sort(list(NEWEST_FIRST.items())).limit(100)]
    ids = [j["_id"] for j in jobs.find({}, {"_id": 1}).limit(100)]
    job_ids = [j["job_id"] for j in jobs.find({"job_id": {"$type": "string"}}, {"job_id": 1}).limit(100)]
    token = tokens.find_one({})
    cancel = {"$set": {"status": "cancelled"}}
    batch_counts = [{"$group": {"_id": {"b": "$batch_id", "s": "$status"}, "n": {"$sum": 1}}}]

    def find(query, sort=None, limit=None, collection="jobs"):
        body = {"find": collection, "filter": query}
        if sort:
            body |= {"sort": sort}
        if limit:
            body |= {"limit": limit}
        return body

    return [
        ("GET job by ObjectId", find({"_id": job["_id"]}, limit=1)),
        ("GET job by job_id", find({"job_id": job["job_id"]}, limit=1)),
        ("jobs, first page", find({"status": {"$ne": "cancelled"}}, NEWEST_FIRST, 100)),
        ("jobs?status=failed", find({"status": {"$in": ["failed"]}}, NEWEST_FIRST, 100)),
        ("jobs of a batch", find({"status": {"$ne": "cancelled"}, "batch_id": job["batch_id"]}, NEWEST_FIRST, 100)),
        (
            "jobs of an account",
            find({"status": {"$ne": "cancelled"}, "account_id": job["account_id"]}, NEWEST_FIRST, 100),
        ),
        ("batches, a page", find({"deleted_at": None}, NEWEST_FIRST, 100, "batches")),
        ("batch by batch_id", find({"batch_id": job["batch_id"]}, limit=1, collection="batches")),
        (
            "counts of one batch",
            {"aggregate": "jobs", "pipeline": [{"$match": {"batch_id": job["batch_id"]}}, *batch_counts], "cursor": {}},
        ),
        (
            "counts of a page of 100 batches",
            {"aggregate": "jobs", "pipeline": [{"$match": {"batch_id": {"$in": page}}}, *batch_counts], "cursor": {}},
        ),
        (
            "cancel: update_one by _id + status",
            {"update": "jobs", "updates": [{"q": {"_id": job["_id"], "status": CANCELLABLE}, "u": cancel}]},
        ),
        (
            "cancel: findAndModify by _id + status",
            {"findAndModify": "jobs", "query": {"_id": job["_id"], "status": CANCELLABLE}, "update": cancel},
        ),
        ("bulk: find 100 _ids", find({"_id": {"$in": ids}})),
        ("bulk: find 100 job_ids", find({"job_id": {"$in": job_ids}})),
        ("bulk: $or of _ids and job_ids", find({"$or": [{"_id": {"$in": ids}}, {"job_id": {"$in": job_ids}}]})),
        (
            "bulk: update_many 100 _ids + status",
            {
                "update": "jobs",
                "updates": [{"q": {"_id": {"$in": ids}, "status": CANCELLABLE}, "u": cancel, "multi": True}],
            },
        ),
        (
            "cancel_jobs: update_many batch + status",
            {
                "update": "jobs",
                "updates": [{"q": {"batch_id": job["batch_id"], "status": CANCELLABLE}, "u": cancel, "multi": True}],
            },
        ),
        (
            "token by key",
            {
                "aggregate": "authtoken_token",
                "pipeline": [
                    {"$match": {"key": token["key"]}},
                    {"$limit": 1},
                    {"$lookup": {"from": "auth_user", "localField": "user_id", "foreignField": "_id", "as": "user"}},
                ],
                "cursor": {},
            },
        ),
    ]


def summary(plan):
    """The stages of a winning plan, innermost last: IXSCAN(index) / COLLSCAN."""
    stages = []
    while isinstance(plan, dict):
        name = plan.get("stage", "?")
        if plan.get("indexName"):
            name += f"({plan['indexName']})"
        stages.append(name)
        plan = plan.get("inputStage") or (plan.get("inputStages") or [None])[0] or plan.get("queryPlan")
    return " > ".join(stages) or "?"


def winning_plan(explained):
    planner = explained.get("queryPlanner") or {}
    if not planner and "stages" in explained:  # aggregate explain: the $cursor stage
        planner = explained["stages"][0].get("$cursor", {}).get("queryPlanner", {})
    return planner.get("winningPlan")


def shown(value):
    return "-" if value is None else value


def explain(database, body):
    started = time.perf_counter()
    explained = database.command("explain", body, verbosity="executionStats")
    milliseconds = (time.perf_counter() - started) * 1000
    stats = explained.get("executionStats") or {}
    return (
        summary(winning_plan(explained)),
        stats.get("totalKeysExamined"),
        stats.get("totalDocsExamined"),
        milliseconds,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=20000)
    parser.add_argument("--batches", type=int, default=200)
    options = parser.parse_args()
    database = Database(WORK / "explain")
    os.environ.update(production_environment(database.uri, new_secret_key(), ""))
    os.environ.pop("DB_COMMAND_MONITOR_DIR")
    django.setup()
    from django.db import connections

    from bench.dataset import seed

    database.create_template(lambda uri: seed(options.jobs, options.batches))
    database.restart_with_fresh_data()
    try:
        db = connections["default"].connection[DATABASE_NAME]
        print(f"{options.jobs:,} jobs in {options.batches} batches\n")
        print("| query shape | winning plan | keys examined | docs examined | ms |\n|---|---|---|---|---|")
        for name, body in shapes(db.jobs, db.batches, db.authtoken_token):
            try:
                plan, keys, docs, ms = explain(db, body)
                print(f"| {name} | {plan} | {shown(keys)} | {shown(docs)} | {ms:.1f} |")
            except Exception as error:  # a shape the server cannot explain is reported, not fatal
                print(f"| {name} | not explained: {str(error)[:80]} | - | - | - |")
    finally:
        database.stop()


if __name__ == "__main__":
    main()
