"""The values derived from an account's stored balances, defined once: the
API, the admin and the summaries all read them from here.

Documents are shared with the workers and come in odd shapes (a balance
missing, an Int64, a Decimal128, a numeric string, garbage): `number()`
reads any of them, never raising; what is not a number counts as 0."""

import math
from decimal import Decimal

from bson import Decimal128

from accounts.models import AccountStatus, PlanType

DEFAULT_DAILY_CALL_LIMIT = 1000
DEFAULT_COST_PER_CALL_SETUP = 0.02


def number(value, default=0.0):
    """A stored amount as a float (`default` for anything that is not one)."""
    if isinstance(value, Decimal128):
        value = value.to_decimal()
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return default
    if isinstance(value, int | float | Decimal):
        value = float(value)
        return value if math.isfinite(value) else default
    return default


def minutes_remaining(account):
    used = number(account.get("minutes_used")) + number(account.get("minutes_reserved"))
    return _amount(number(account.get("minutes_purchased")) - used)


def credit_available(account):
    """Unlike the original, what the workers charged (`credit_used`) is spent."""
    used = number(account.get("credit_used")) + number(account.get("credit_reserved"))
    return _amount(number(account.get("credit_balance")) - used)


def _amount(difference):
    """Never below zero, and without binary noise (175.20000000000005 -> 175.2)."""
    return max(0.0, round(difference, 6))


def has_balance(account):
    plan = account.get("plan_type")
    if plan == PlanType.UNLIMITED:
        return True
    if plan == PlanType.MINUTES_BASED:
        return minutes_remaining(account) > 0
    setup = number(account.get("cost_per_call_setup"), DEFAULT_COST_PER_CALL_SETUP)
    return credit_available(account) >= setup


def can_make_calls(account):
    limit = number(account.get("daily_call_limit"), DEFAULT_DAILY_CALL_LIMIT)
    return (
        account.get("status") == AccountStatus.ACTIVE
        and has_balance(account)
        and number(account.get("calls_today")) < limit
    )


def derived_values(account):
    """The derived keys every account in a response carries."""
    return {
        "minutes_remaining": minutes_remaining(account),
        "credit_available": credit_available(account),
        "can_make_calls": can_make_calls(account),
    }


def remaining_balance(account):
    """(amount, unit) an operator reads first: what is left to call with."""
    plan = account.get("plan_type")
    if plan == PlanType.UNLIMITED:
        return None, "unlimited"
    if plan == PlanType.MINUTES_BASED:
        return minutes_remaining(account), "minutes"
    return credit_available(account), "USD"


def balance(account):
    """GET /accounts/{id}/balance: the original's shape for each plan."""
    plan = account.get("plan_type")
    calls = can_make_calls(account)
    if plan == PlanType.UNLIMITED:
        return {"has_balance": True, "plan_type": plan, "can_make_calls": calls}
    if plan == PlanType.MINUTES_BASED:
        return {
            "has_balance": has_balance(account),
            "remaining": minutes_remaining(account),
            "used": number(account.get("minutes_used")),
            "purchased": number(account.get("minutes_purchased")),
            "reserved": number(account.get("minutes_reserved")),
            "unit": "minutes",
            "plan_type": plan,
            "can_make_calls": calls,
        }
    return {
        "has_balance": has_balance(account),
        "remaining": credit_available(account),
        "used": number(account.get("credit_used")),
        "balance": number(account.get("credit_balance")),
        "reserved": number(account.get("credit_reserved")),
        "unit": "USD",
        "plan_type": plan if isinstance(plan, str) else None,
        "can_make_calls": calls,
    }
