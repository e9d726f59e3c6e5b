"""The account an import is for: country, status and balance.

Read here in one place from the shared `accounts` collection (raw pymongo,
odd field types tolerated) until the accounts app's selectors own it."""

from dataclasses import dataclass

from django.db import connections

from batches.intake.errors import IntakeError
from batches.intake.normalising import COUNTRIES
from speechai.mongo import id_filters

ESTIMATED_CALL_MINUTES = 3.0


def _number(value, default=0.0):
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            return float(str(value)) if value is not None else default
        except ValueError:
            return default
    return float(value)


@dataclass(frozen=True)
class IntakeAccount:
    account_id: str
    country: str
    status: str
    plan_type: str
    minutes_remaining: float
    credit_available: float
    cost_per_minute: float
    cost_per_call_setup: float

    @property
    def cost_per_job(self):
        """A job's estimated cost: call setup + 3 minutes."""
        return round(self.cost_per_call_setup + ESTIMATED_CALL_MINUTES * self.cost_per_minute, 6)

    def check_balance(self, jobs):
        """409 when the account cannot pay for `jobs` calls (minutes plan: 3
        minutes each; credit plan: their estimated cost; unlimited: always)."""
        if self.plan_type == "unlimited" or not jobs:
            return
        if self.plan_type == "minutes_based":
            needed, available = jobs * ESTIMATED_CALL_MINUTES, self.minutes_remaining
        else:
            needed, available = jobs * self.cost_per_job, self.credit_available
        if needed > available + 1e-9:
            raise IntakeError(f"Saldo insuficiente. Necesario: {needed:.2f}, disponible: {available:.2f}", status=409)


def intake_account(raw_id):
    """The account named by its account_id (or ObjectId); 404 when unknown,
    409 when suspended or otherwise not active."""
    accounts = connections["default"].get_collection("accounts")
    document = None
    for id_filter in reversed(id_filters(raw_id, "account_id")):  # account_id first: ids are custom here
        document = accounts.find_one(id_filter)
        if document is not None:
            break
    if document is None:
        raise IntakeError("Account not found", status=404)
    status = document.get("status") if isinstance(document.get("status"), str) else "active"
    if status != "active":
        raise IntakeError(f"The account is {status}: no campaign can be started for it.", status=409)
    country = str(document.get("country") or "CL").upper()
    get = document.get
    return IntakeAccount(
        account_id=str(get("account_id") or raw_id),
        country=country if country in COUNTRIES else "CL",
        status=status,
        plan_type=str(get("plan_type") or "credit_based"),
        minutes_remaining=max(
            0.0, _number(get("minutes_purchased")) - _number(get("minutes_used")) - _number(get("minutes_reserved"))
        ),
        credit_available=max(
            0.0, _number(get("credit_balance")) - _number(get("credit_used")) - _number(get("credit_reserved"))
        ),
        cost_per_minute=_number(get("cost_per_minute"), 0.15),
        cost_per_call_setup=_number(get("cost_per_call_setup"), 0.02),
    )
