"""The dashboard's charts from calls per hour, kept in a small collection of
this project's own, `dashboard_hours` (docs/data-model.md): one document per
settled hour (`_id`: the hour's start) with the calls that ended in it,
grouped by account, campaign, outcome and disconnection reason.

Rule: an hour is settled once it closed SETTLE ago (workers write a call's
result with its end time, so by then every call of the hour is written);
only settled hours are stored, never rewritten. The current hour, hours not
settled yet, hours missing from the collection and documents of another
VERSION are recomputed from `jobs` by one aggregation on every computation.
So 30 days of charts read ~1-2 hours of calls instead of 30 days of them.

A settled hour keeps its calls as they stood then: a job called again later
counts in both hours (two calls happened), as does a job whose call fields
a reset removed later. A writer of calls in the past (the demo data) calls
forget_stored_hours(); deleting the documents by hand rebuilds them too.
"""

import datetime

from django.db import connections
from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

from jobs.models import Job
from speechai.indexes import ASC, IndexSpec
from speechai.mongo import collection

HOURS_COLLECTION = "dashboard_hours"
SETTLE = datetime.timedelta(minutes=15)
# Raise when what a stored hour holds changes (its documents are then recomputed).
VERSION = 1
HOUR = datetime.timedelta(hours=1)
# Stored hours are deleted by the server this long after they were stored (a
# TTL index): longer than the dashboard's 30-day window, whose hours missing
# from the collection are computed and stored again anyway.
KEPT = datetime.timedelta(days=32)
HOURS_INDEXES = [
    IndexSpec("computed_at_ttl", (("computed_at", ASC),), {"expireAfterSeconds": int(KEPT.total_seconds())})
]
DUPLICATE_KEY = 11000

# A finished call's outcome: a payment promise (written by the worker with
# the call's result), else Retell's success flag.
HAS_PROMISE = {
    "$or": [
        {"$ne": [{"$ifNull": ["$fecha_pago_cliente", None]}, None]},
        {"$ne": [{"$ifNull": ["$monto_pago_cliente", None]}, None]},
    ]
}
OUTCOMES = {"promise": "Payment promise", "completed": "Completed, no promise", "failed": "Failed"}
OUTCOME = {
    "$switch": {
        "branches": [
            {"case": HAS_PROMISE, "then": "promise"},
            {"case": {"$eq": ["$call_result.success", True]}, "then": "completed"},
        ],
        "default": "failed",
    }
}
REASON = {
    "$cond": [
        {"$eq": [{"$type": "$call_result.summary.disconnection_reason"}, "string"]},
        "$call_result.summary.disconnection_reason",
        None,
    ]
}


def hour_start(moment):
    return moment.replace(minute=0, second=0, microsecond=0)


def hours_collection():
    return connections["default"].database[HOURS_COLLECTION]


def first_unsettled_hour(now):
    """Hours starting before this one are settled: closed SETTLE ago."""
    return hour_start(now - SETTLE)


def hour_rows_pipeline(since, now):
    """The calls ended from `since` to `now` (index `call_ended_at`), one row
    per hour, account, campaign, outcome and reason, with the last call's end."""
    return [
        {"$match": {"call_ended_at": {"$gte": since, "$lte": now}}},
        {
            "$group": {
                "_id": {
                    "hour": {"$dateTrunc": {"date": "$call_ended_at", "unit": "hour"}},
                    "account_id": "$account_id",
                    "batch_id": "$batch_id",
                    "outcome": OUTCOME,
                    "reason": REASON,
                },
                "calls": {"$sum": 1},
                "last_call": {"$max": "$call_ended_at"},
            }
        },
    ]


def computed_hours(since, now):
    """{hour start: [row]} of the calls ended from `since` to `now`."""
    hours = {}
    # A few hundred rows per hour at most: one reply, whatever the window.
    for row in collection(Job).aggregate(hour_rows_pipeline(since, now), batchSize=100_000):
        key = dict(row["_id"])
        hour = key.pop("hour")
        key.setdefault("account_id", None)
        key.setdefault("batch_id", None)
        hours.setdefault(hour, []).append({**key, "calls": row["calls"], "last_call": row["last_call"]})
    return hours


def store_settled(hours, rows_by_hour, now):
    """Upsert the settled `hours` (one bulk write). Two servers storing the
    same hour at once store the same rows: a lost upsert race is no error."""
    writes = [
        UpdateOne(
            {"_id": hour},
            {"$set": {"rows": rows_by_hour.get(hour, []), "version": VERSION, "computed_at": now}},
            upsert=True,
        )
        for hour in hours
    ]
    try:
        hours_collection().bulk_write(writes, ordered=False)
    except BulkWriteError as error:
        if any(failure.get("code") != DUPLICATE_KEY for failure in error.details.get("writeErrors", [])):
            raise


def calls_by_hour(since, now):
    """{hour start: [row]} for every hour from `since` (an hour start) to the
    current one: settled hours from `dashboard_hours`, the rest (and any
    settled hour not stored yet, which is then stored) from one aggregation
    on `jobs`. 2 round trips, 3 when hours are stored."""
    settled_until = first_unsettled_hour(now)
    wanted = [since + HOUR * n for n in range(int((hour_start(now) - since) / HOUR) + 1)]
    stored = {
        document["_id"]: document.get("rows") or []
        for document in hours_collection().find(
            {"_id": {"$gte": since, "$lt": settled_until}, "version": VERSION},
            {"rows": 1},
            batch_size=len(wanted) + 1,  # all in the first reply
        )
    }
    missing = [hour for hour in wanted if hour < settled_until and hour not in stored]
    fresh = computed_hours(missing[0] if missing else settled_until, now)
    if missing:
        store_settled(missing, fresh, now)
    return {hour: stored[hour] if hour in stored else fresh.get(hour, []) for hour in wanted}


def forget_stored_hours():
    """For writers of calls ended in settled hours: the next view recomputes
    and stores the whole window again (once)."""
    hours_collection().delete_many({})


def matches(stored, wanted):
    """MongoDB's equality on a stored value: the value, or an array holding it."""
    return stored == wanted or (isinstance(stored, list) and wanted in stored)


def in_scope(row, scope):
    return all(matches(row.get(field), value) for field, value in scope.items())
