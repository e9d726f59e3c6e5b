"""Reads of `accounts` and `transactions` for the API and the admin: stored
documents as they are, the derived values from accounts/balances.py."""

import re

from accounts import balances
from accounts.models import Account, PlanType, Transaction, TransactionType
from batches.models import Batch
from batches.selectors import NOT_DELETED, percentage
from batches.states import BatchState, allowed_filter, batch_state
from jobs.counts import counts_from_statuses, tally
from jobs.models import FINISHED_OK_STATUSES, Job, JobStatus
from speechai.mongo import NEWEST_FIRST, collection, find_by_any_id

TOPUP_TYPES = {TransactionType.TOPUP_CREDITS: "total_topups", TransactionType.TOPUP_MINUTES: "total_minutes_topped_up"}


def active_batches_filter(account_ids):
    """The batches the workers are calling for these accounts (custom ids):
    switched on, in a state that can be paused. What suspension pauses."""
    return {**allowed_filter("paused"), "account_id": {"$in": list(account_ids)}, "is_active": True}


def custom_id_of(account):
    """The custom `account_id` batches and jobs reference, or None when the
    stored value is missing or not a string (nothing references it)."""
    value = account.get("account_id")
    return value if isinstance(value, str) else None


def account_get(raw_id, projection=None):
    """The stored account named by either id form (ObjectId first), or None."""
    return find_by_any_id(collection(Account), raw_id, "account_id", projection)


def account_list(*, status=None, plan_type=None, country=None, search=None, skip=0, limit=100):
    """A page of accounts, newest first; `search` is a prefix of the name
    (any case) or of the account_id."""
    query = {}
    for key, value in (("status", status), ("plan_type", plan_type), ("country", country)):
        if value:
            query[key] = value
    if search:
        prefix = "^" + re.escape(search)
        query["$or"] = [{"account_name": {"$regex": prefix, "$options": "i"}}, {"account_id": {"$regex": prefix}}]
    cursor = collection(Account).find(query, sort=NEWEST_FIRST, skip=skip, limit=limit)
    return list(cursor.batch_size(limit))


def active_batch_counts(account_ids):
    """{custom account_id: active batches} for many accounts: one aggregation."""
    ids = sorted({account_id for account_id in account_ids if isinstance(account_id, str)})
    if not ids:
        return {}
    pipeline = [{"$match": active_batches_filter(ids)}, {"$group": {"_id": "$account_id", "batches": {"$sum": 1}}}]
    return {row["_id"]: row["batches"] for row in collection(Batch).aggregate(pipeline, batchSize=len(ids) + 1)}


def account_activity(account_id):
    """The account's batches by state and its jobs by status: one find on
    `batches`, one grouped aggregation on `jobs`."""
    batches = {"total": 0, **{state.value: 0 for state in BatchState if state != BatchState.DELETED}}
    jobs_by_status = {}
    if account_id is None:
        return batches, {"total": 0}, 0.0
    statuses_of_batch = {}  # batch_id -> {status: jobs}
    pipeline = [
        {"$match": {"account_id": account_id}},
        {"$group": {"_id": {"batch_id": "$batch_id", "status": "$status"}, "jobs": {"$sum": 1}}},
    ]
    for row in collection(Job).aggregate(pipeline):
        status, jobs = row["_id"].get("status"), row["jobs"]
        tally(jobs_by_status, status, jobs)
        tally(statuses_of_batch.setdefault(row["_id"].get("batch_id"), {}), status, jobs)
    for batch in collection(Batch).find({"account_id": account_id, **NOT_DELETED}):
        batch_id = batch.get("batch_id")
        statuses = statuses_of_batch.get(batch_id, {}) if isinstance(batch_id, str) else {}
        batches["total"] += 1
        batches[batch_state(batch, counts_from_statuses(statuses))] += 1
    jobs = {"total": sum(jobs_by_status.values())}
    jobs.update({str(status): jobs_by_status.get(str(status), 0) for status in JobStatus})
    finished = sum(jobs[str(status)] for status in FINISHED_OK_STATUSES)
    return batches, jobs, percentage(finished, finished + jobs["failed"])


def account_stats(account):
    """The original's keys for the account's plan, plus its batches by state,
    its jobs by status and the success rate (finished OK / (OK + failed))."""
    number = balances.number
    stats = {
        "account_id": account.get("account_id"),
        "account_name": account.get("account_name"),
        "status": account.get("status"),
        "plan_type": account.get("plan_type"),
        "created_at": account.get("created_at"),
        "calls_today": int(number(account.get("calls_today"))),
        "daily_limit": int(number(account.get("daily_call_limit"), balances.DEFAULT_DAILY_CALL_LIMIT)),
        "max_concurrent": account.get("max_concurrent_calls"),
    }
    if account.get("plan_type") == PlanType.MINUTES_BASED:
        stats.update(
            minutes_purchased=number(account.get("minutes_purchased")),
            minutes_used=number(account.get("minutes_used")),
            minutes_remaining=balances.minutes_remaining(account),
            minutes_reserved=number(account.get("minutes_reserved")),
        )
    elif account.get("plan_type") != PlanType.UNLIMITED:
        stats.update(
            credit_balance=number(account.get("credit_balance")),
            credit_used=number(account.get("credit_used")),
            credit_available=balances.credit_available(account),
            credit_reserved=number(account.get("credit_reserved")),
            cost_per_minute=number(account.get("cost_per_minute")),
            cost_per_setup=number(account.get("cost_per_call_setup")),
        )
    stats["batches"], stats["jobs"], stats["success_rate"] = account_activity(custom_id_of(account))
    return stats


def transaction_list(account_id, *, transaction_type=None, skip=0, limit=50):
    query = {"account_id": account_id}
    if transaction_type:
        query["type"] = transaction_type
    cursor = collection(Transaction).find(query, sort=NEWEST_FIRST, skip=skip, limit=limit)
    return list(cursor.batch_size(limit))


def financial_summary(account):
    """From the ledger, one aggregation: credits and minutes topped up and the
    number of entries; `total_spent` is what the workers charged (credit_used)."""
    summary = {"total_spent": balances.number(account.get("credit_used")), "transaction_count": 0}
    summary.update(dict.fromkeys(TOPUP_TYPES.values(), 0.0))
    account_id = custom_id_of(account)
    if account_id is None:
        return summary
    pipeline = [
        {"$match": {"account_id": account_id}},
        {"$group": {"_id": "$type", "entries": {"$sum": 1}, "amount": {"$sum": "$amount"}}},
    ]
    for row in collection(Transaction).aggregate(pipeline):
        summary["transaction_count"] += row["entries"]
        if row["_id"] in TOPUP_TYPES:
            summary[TOPUP_TYPES[row["_id"]]] += balances.number(row["amount"])
    return summary


def account_summary(account):
    return {
        "account": account,
        "balance": balances.balance(account),
        "stats": account_stats(account),
        "financial_summary": financial_summary(account),
    }


def last_call_settings(account_id):
    """The newest (not deleted) batch of the account with call settings, or None."""
    if account_id is None:
        return None
    query = {"account_id": account_id, "call_settings": {"$ne": None}, **NOT_DELETED}
    projection = {"batch_id": 1, "call_settings": 1, "created_at": 1}
    return collection(Batch).find_one(query, projection, sort=NEWEST_FIRST)
