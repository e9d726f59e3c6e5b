"""The account an import is for: country, status and balance.

Read through the accounts app (its selector and its one definition of the
derived balances), odd field types tolerated."""

from dataclasses import dataclass

from accounts import balances
from accounts.selectors import account_get
from batches.intake.errors import IntakeError
from batches.intake.normalising import COUNTRIES

ESTIMATED_CALL_MINUTES = 3.0


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
    document = account_get(raw_id)
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
        minutes_remaining=balances.minutes_remaining(document),
        credit_available=balances.credit_available(document),
        cost_per_minute=balances.number(get("cost_per_minute"), 0.15),
        cost_per_call_setup=balances.number(get("cost_per_call_setup"), 0.02),
    )
