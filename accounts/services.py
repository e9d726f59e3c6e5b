"""Every change this project makes to accounts, their ledger, and the
batches an account suspension pauses.

`accounts` is shared with the workers, who `$inc` minutes_used, credit_used
and calls_today after each call: an action names the account by either id
form, then writes only its own fields by `_id` (`$set` of the fields sent,
`$inc` of balances), so a worker's concurrent increment is never lost.
Every action writes one audit entry, found or not."""

import uuid
from functools import partial

from pymongo.errors import DuplicateKeyError

from accounts.models import Account, AccountStatus, PlanType, Transaction, TransactionType
from accounts.selectors import account_get, active_batches_filter, custom_id_of
from audit.models import AuditAction, AuditSource
from audit.services import one_record_writes, record_action, record_one
from batches.models import Batch
from speechai.mongo import WriteStopped, collection, insert_one_of, update_one_or_fail, utc_now, write_in_order

ID_ATTEMPTS = 3
TYPE_MISMATCH = 14  # MongoDB's error code for `$inc` on a non-number
# The balance field each top-up unit increments, and its ledger entry type.
TOPUP_UNITS = {
    "minutes": ("minutes_purchased", TransactionType.TOPUP_MINUTES),
    "credits": ("credit_balance", TransactionType.TOPUP_CREDITS),
}
ACCOUNT_PAUSED_BATCHES_REASON = "Account suspended"


class AccountNotFound(Exception):
    pass


class BalanceNotNumeric(Exception):
    """A stored balance holds something `$inc` cannot add to (e.g. a string)."""

    def __init__(self, field, account_status):
        super().__init__(f"The account's {field} is not a number; correct it before topping up.")
        self.current_status = account_status


def new_account_id():
    return f"acc-{uuid.uuid4().hex[:12]}"


def new_transaction_id():
    return f"txn_{uuid.uuid4().hex[:12]}"


def _ledger_entries(account_id, amounts, *, actor, description, now):
    """One transaction per unit topped up ({"minutes": 10, "credits": 5})."""
    return [
        {
            "transaction_id": new_transaction_id(),
            "account_id": account_id,
            "type": TOPUP_UNITS[unit][1].value,
            "amount": float(amount),
            "description": description,
            "reference_id": None,
            "created_by": actor,
            "created_at": now,
        }
        for unit, amount in amounts.items()
        if amount
    ]


def create_account(
    *,
    actor,
    account_name,
    source=AuditSource.API,
    plan_type=PlanType.CREDIT_BASED,
    country="CL",
    initial_credits=None,
    initial_minutes=None,
    max_concurrent_calls=5,
    daily_call_limit=1000,
    cost_per_minute=0.15,
    **fields,
):
    """An active account with a generated `account_id` (acc- + 12 hex); an
    initial balance also writes its ledger entries. Returns the stored document.
    `fields`: contact_name, contact_email, contact_phone, timezone, features, settings."""
    now = utc_now()
    initial = {"minutes": initial_minutes or 0, "credits": initial_credits or 0}
    document = {
        "account_name": account_name,
        "plan_type": str(plan_type),
        "status": AccountStatus.ACTIVE.value,
        "suspension_reason": None,
        "contact_name": fields.get("contact_name"),
        "contact_email": fields.get("contact_email"),
        "contact_phone": fields.get("contact_phone"),
        "country": country,
        "timezone": fields.get("timezone"),
        "minutes_purchased": float(initial["minutes"]),
        "minutes_used": 0.0,
        "minutes_reserved": 0.0,
        "credit_balance": float(initial["credits"]),
        "credit_used": 0.0,
        "credit_reserved": 0.0,
        "cost_per_minute": float(cost_per_minute),
        "cost_per_call_setup": 0.02,
        "cost_failed_call": 0.01,
        "max_concurrent_calls": max_concurrent_calls,
        "daily_call_limit": daily_call_limit,
        "calls_today": 0,
        "features": fields.get("features"),
        "settings": fields.get("settings"),
        "created_at": now,
        "updated_at": now,
        "expires_at": None,
        "last_topup_at": now if any(initial.values()) else None,
    }
    for attempt in range(ID_ATTEMPTS):
        document.pop("_id", None)
        document["account_id"] = new_account_id()
        try:
            collection(Account).insert_one(document)
            break
        except DuplicateKeyError:
            if attempt == ID_ATTEMPTS - 1:  # 48 random bits: a clash is unlikely, not impossible
                raise
    entries = _ledger_entries(document["account_id"], initial, actor=actor, description="Initial balance", now=now)
    if entries:
        collection(Transaction).insert_many(entries)
    details = {"account_name": account_name, "plan_type": str(plan_type), "initial": initial}
    record_one(
        AuditAction.CREATE_ACCOUNT, document["account_id"], actor=actor, source=source, found=True, details=details
    )
    return document


def _resolve(raw_id, audit, projection=None):
    account = account_get(raw_id, {"account_id": 1, "status": 1, **(projection or {})})
    if account is None:
        audit(found=False)
        raise AccountNotFound(raw_id)
    return account


def update_action(changes):
    if changes.get("status") == AccountStatus.SUSPENDED:
        return AuditAction.SUSPEND_ACCOUNT, "Account suspended"
    if changes.get("status") == AccountStatus.ACTIVE:
        return AuditAction.ACTIVATE_ACCOUNT, "Account activated"
    return AuditAction.UPDATE_ACCOUNT, "Account updated"


def update_account(raw_id, changes, *, actor, source=AuditSource.API, pause_batches=False):
    """Write only the fields in `changes` (and `updated_at`); `status`
    suspended keeps `suspension_reason`, active clears it. Balances are never
    written here. With `pause_batches` (a suspension) the account's active
    batches are paused too. Returns (stored document, message, batches paused)."""
    action, message = update_action(changes)
    changes = dict(changes)
    if "status" in changes:  # a reason belongs to a suspension; activating clears it
        suspended = changes["status"] == AccountStatus.SUSPENDED
        changes["suspension_reason"] = changes.get("suspension_reason") if suspended else None
    audit = partial(record_one, action, raw_id, actor=actor, source=source, reason=changes.get("suspension_reason"))
    account = _resolve(raw_id, partial(audit, details={"fields": changes}))
    accounts = collection(Account)
    if not accounts.update_one({"_id": account["_id"]}, {"$set": {**changes, "updated_at": utc_now()}}).matched_count:
        audit(found=False, details={"fields": changes})
        raise AccountNotFound(raw_id)
    paused = 0
    if pause_batches:
        paused = pause_account_batches(custom_id_of(account), actor=actor, source=source)
    details = {"account_id": account.get("account_id"), "fields": changes, "previous_status": account.get("status")}
    audit(found=True, details={**details, **({"batches_paused": paused} if pause_batches else {})})
    return accounts.find_one({"_id": account["_id"]}), message, paused


def pause_account_batches(account_id, *, actor, source=AuditSource.API, reason=ACCOUNT_PAUSED_BATCHES_REASON):
    """Pause every active batch of the account (custom id) in one update_many:
    the workers stop taking its queued jobs; calls in progress finish.
    Returns how many batches were paused. Audited as one batch pause."""
    if account_id is None:
        return 0
    query = active_batches_filter([account_id])
    result = collection(Batch).update_many(query, {"$set": {"is_active": False, "updated_at": utc_now()}})
    record_action(
        AuditAction.PAUSE_BATCH,
        actor=actor,
        source=source,
        filter=query,
        matched=result.matched_count,
        changed=result.modified_count,
        reason=reason,
        details={"account_id": account_id},
    )
    return result.modified_count


def topup_account(raw_id, *, actor, minutes=None, credits=None, description=None, source=AuditSource.API):
    """Add minutes and/or credits: one atomic `$inc` of minutes_purchased /
    credit_balance with last_topup_at and updated_at and, in the same command
    and only if it happened, one ledger entry per unit and the audit entry.
    Never a read-then-write: a worker's concurrent `$inc` of credit_used or
    minutes_used is kept. Returns the stored document."""
    amounts = {unit: amount for unit, amount in (("minutes", minutes), ("credits", credits)) if amount}
    increments = {TOPUP_UNITS[unit][0]: float(amount) for unit, amount in amounts.items()}
    details = {"amounts": amounts, "description": description}
    audit = partial(record_one, AuditAction.TOPUP_ACCOUNT, raw_id, actor=actor, source=source, details=details)
    account = _resolve(raw_id, audit, dict.fromkeys(increments, 1))
    accounts = collection(Account)
    for field in increments:
        if field in account and account[field] is None:
            # `$inc` refuses null: start the balance at 0, only if still null.
            accounts.update_one({"_id": account["_id"], field: {"$type": "null"}}, {"$set": {field: 0.0}})
    now = utc_now()
    account_id = custom_id_of(account) or str(account["_id"])
    entries = _ledger_entries(account_id, amounts, actor=actor, description=description or "Top-up", now=now)
    recorded = {"account_id": account_id, "transaction_ids": [entry["transaction_id"] for entry in entries]}
    update = {"$inc": increments, "$set": {"last_topup_at": now, "updated_at": now}}
    try:
        # The $inc, then (only if it happened) its ledger entries and audit entry: one command.
        write_in_order(
            [
                update_one_or_fail(accounts, {"_id": account["_id"]}, update),
                *(insert_one_of(collection(Transaction), entry) for entry in entries),
                *one_record_writes(
                    AuditAction.TOPUP_ACCOUNT,
                    raw_id,
                    found=True,
                    actor=actor,
                    source=source,
                    details={**details, **recorded},
                ),
            ]
        )
    except WriteStopped as stopped:
        if stopped.index:
            raise
        if stopped.not_matched:
            audit(found=False)
            raise AccountNotFound(raw_id) from None
        if stopped.code != TYPE_MISMATCH:
            raise
        field = next((name for name in increments if name in str(stopped)), " / ".join(increments))
        record_action(
            AuditAction.TOPUP_ACCOUNT,
            actor=actor,
            source=source,
            target_ids=[raw_id],
            matched=1,
            reason=f"Refused: {field} is not a number",
            details=details,
        )
        status = account.get("status")
        raise BalanceNotNumeric(field, status if isinstance(status, str) else None) from None
    return accounts.find_one({"_id": account["_id"]})
