"""What the supervisors' dashboard shows, read with a bounded number of
round trips whatever the number of jobs:

- the charts (outcomes per day over 30 days and per hour over 24 hours,
  disconnection reasons over 24 hours, the campaigns called in the last 7
  days) from calls per hour (batches/dashboard_hours.py: settled hours from
  the `dashboard_hours` collection, the last hour or two from `jobs`): 2
  round trips, 3 when hours are stored;
- one find on `batches` for the campaigns shown (active or called in the
  last 7 days; at most MAX_CAMPAIGNS), then per campaign its summary
  (batches.selectors.batch_summary: live counts by status and its state)
  (index `batch_status`) and one aggregation of its called jobs (index
  `batch_call_ended`).
"""

import datetime

from batches.dashboard_hours import HAS_PROMISE, OUTCOMES, calls_by_hour, hour_start, in_scope
from batches.models import Batch
from batches.selectors import NOT_DELETED, batch_summary, percentage
from jobs.models import Job
from speechai.mongo import NEWEST_FIRST, collection, utc_now

MAX_CAMPAIGNS = 12
RECENTLY_CALLED = datetime.timedelta(days=7)
HOURS, DAYS = 24, 30
EPOCH = datetime.datetime(1970, 1, 1)


def day_start(moment):
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def buckets(now):
    """The hour and day starts the charts show, oldest first."""
    hours = [hour_start(now) - datetime.timedelta(hours=n) for n in reversed(range(HOURS))]
    days = [day_start(now) - datetime.timedelta(days=n) for n in reversed(range(DAYS))]
    return hours, days


def call_activity(scope, now):
    """Calls ended in the window (of the account and/or campaign in `scope`),
    by outcome per hour and per day, by disconnection reason, and the
    campaigns called lately."""
    hours, days = buckets(now)
    hourly = {start: dict.fromkeys(OUTCOMES, 0) for start in hours}
    daily = {start: dict.fromkeys(OUTCOMES, 0) for start in days}
    reasons, recent_batch_ids = {}, set()
    for hour, rows in calls_by_hour(days[0], now).items():
        for row in rows:
            if not in_scope(row, scope):
                continue
            outcome, calls = row["outcome"], row["calls"]
            daily[day_start(hour)][outcome] += calls
            if hour in hourly:
                hourly[hour][outcome] += calls
                reasons[row.get("reason")] = reasons.get(row.get("reason"), 0) + calls
            if isinstance(row["batch_id"], str) and row["last_call"] >= now - RECENTLY_CALLED:
                recent_batch_ids.add(row["batch_id"])
    return {
        "hourly": list(hourly.items()),
        "daily": list(daily.items()),
        "reasons": sorted(reasons.items(), key=lambda item: (-item[1], str(item[0]))),
        "recent_batch_ids": sorted(recent_batch_ids),
    }


def campaign_calls_pipeline(batch_id, now):
    return [
        # Only the jobs with a call: index `batch_call_ended` (range on the date).
        {"$match": {"batch_id": batch_id, "call_ended_at": {"$gte": EPOCH}}},
        {
            "$group": {
                "_id": None,
                "last_hour": {
                    "$sum": {"$cond": [{"$gte": ["$call_ended_at", now - datetime.timedelta(hours=1)]}, 1, 0]}
                },
                "promises": {"$sum": {"$cond": [HAS_PROMISE, 1, 0]}},
                # Amounts stored as numbers are summed; text ones ("50.000") are counted.
                "promised_amount": {
                    "$sum": {"$cond": [{"$isNumber": "$monto_pago_cliente"}, "$monto_pago_cliente", 0]}
                },
                "text_amounts": {"$sum": {"$cond": [{"$eq": [{"$type": "$monto_pago_cliente"}, "string"]}, 1, 0]}},
                "cost_cents": {"$sum": "$call_result.summary.call_cost.combined_cost"},
                "duration_ms": {"$sum": "$call_result.summary.duration_ms"},
            }
        },
    ]


def campaign_calls(batch_id, now):
    """Calls, payment promises, cost and minutes of one campaign's called jobs
    (their last call each): one aggregation on the `batch_call_ended` index."""
    row = next(collection(Job).aggregate(campaign_calls_pipeline(batch_id, now)), None) or {}
    return {
        "last_hour": row.get("last_hour", 0),
        "promises": row.get("promises", 0),
        "promised_amount": row.get("promised_amount", 0),
        "text_amounts": row.get("text_amounts", 0),
        "cost_usd": round((row.get("cost_cents") or 0) / 100, 2),
        "minutes": round((row.get("duration_ms") or 0) / 60000, 1),
    }


def campaign(document, now):
    summary = batch_summary(document)
    return {
        **summary,
        **campaign_calls(summary["batch_id"], now),
        "success_rate": percentage(summary["completed_jobs"], summary["completed_jobs"] + summary["failed_jobs"]),
    }


def campaigns(*, account_id, batch_id, recent_batch_ids, now):
    """The campaigns shown: the one asked for, else those active or called
    in the last 7 days, newest first; ([campaign], more were left out)."""
    query = dict(NOT_DELETED)
    if account_id:
        query["account_id"] = account_id
    if batch_id:
        query["batch_id"] = batch_id
    else:
        query["$or"] = [{"is_active": True}, {"batch_id": {"$in": recent_batch_ids}}]
    documents = list(collection(Batch).find(query, sort=NEWEST_FIRST, limit=MAX_CAMPAIGNS + 1))
    shown = [
        campaign(document, now) for document in documents[:MAX_CAMPAIGNS] if isinstance(document.get("batch_id"), str)
    ]
    return shown, len(documents) > MAX_CAMPAIGNS


def dashboard(*, account_id=None, batch_id=None, now=None):
    """Everything the dashboard shows, for one account and/or campaign (custom batch_id) or all."""
    now = now or utc_now()
    scope = {key: value for key, value in (("account_id", account_id), ("batch_id", batch_id)) if value}
    activity = call_activity(scope, now)
    shown, more = campaigns(
        account_id=account_id, batch_id=batch_id, recent_batch_ids=activity["recent_batch_ids"], now=now
    )
    return {
        "now": now,
        "campaigns": shown,
        "more_campaigns": more,
        "hourly": activity["hourly"],
        "daily": activity["daily"],
        "reasons": activity["reasons"],
        "calls_24h": sum(sum(calls.values()) for _, calls in activity["hourly"]),
        "calls_30d": sum(sum(calls.values()) for _, calls in activity["daily"]),
    }


def filter_choices(account_id=None):
    """(accounts, campaigns) for the filters: the accounts of the batches and
    the newest campaigns (of the account, if one is chosen); two finds on
    `batches`, a small collection."""
    batches = collection(Batch)
    accounts = sorted(a for a in batches.distinct("account_id", NOT_DELETED) if isinstance(a, str) and a)
    query = {**NOT_DELETED, **({"account_id": account_id} if account_id else {})}
    documents = batches.find(query, {"batch_id": 1, "name": 1}, sort=NEWEST_FIRST, limit=200)
    choices = [(d["batch_id"], d.get("name") or d["batch_id"]) for d in documents if isinstance(d.get("batch_id"), str)]
    return accounts, choices
