from django.db import models

from speechai.fields import RawBSONField, StoredDateTimeField, StoredIntegerField, StoredNumberField


class AccountStatus(models.TextChoices):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    PENDING_ACTIVATION = "pending_activation"


class PlanType(models.TextChoices):
    MINUTES_BASED = "minutes_based"
    CREDIT_BASED = "credit_based"
    UNLIMITED = "unlimited"


class Country(models.TextChoices):
    CL = "CL", "Chile"
    AR = "AR", "Argentina"


class TransactionType(models.TextChoices):
    TOPUP_CREDITS = "topup_credits"
    TOPUP_MINUTES = "topup_minutes"
    CALL_USAGE = "call_usage"
    CALL_SETUP = "call_setup"
    BONUS = "bonus"
    REFUND = "refund"
    PENALTY = "penalty"
    PLAN_UPGRADE = "plan_upgrade"
    PLAN_RENEWAL = "plan_renewal"


class Account(models.Model):
    """A customer, in the `accounts` collection shared with the workers (they
    `$inc` minutes_used, credit_used and calls_today after each call).

    Unmanaged and written only by targeted updates (accounts/services.py):
    never a full save(), which would overwrite the workers' counters."""

    account_id = models.CharField(max_length=200, unique=True, null=True)
    account_name = models.CharField(max_length=200, null=True, blank=True)
    plan_type = models.CharField(max_length=20, choices=PlanType.choices, null=True)
    status = models.CharField(max_length=20, choices=AccountStatus.choices, null=True)
    suspension_reason = models.TextField(null=True, blank=True)
    contact_name = models.CharField(max_length=200, null=True, blank=True)
    contact_email = models.CharField(max_length=254, null=True, blank=True)
    contact_phone = models.CharField(max_length=40, null=True, blank=True)
    country = models.CharField(max_length=2, choices=Country.choices, null=True, blank=True)
    timezone = models.CharField(max_length=64, null=True, blank=True)

    minutes_purchased = StoredNumberField(null=True, default=0.0)
    minutes_used = StoredNumberField(null=True, default=0.0)
    minutes_reserved = StoredNumberField(null=True, default=0.0)
    credit_balance = StoredNumberField(null=True, default=0.0)
    credit_used = StoredNumberField(null=True, default=0.0)
    credit_reserved = StoredNumberField(null=True, default=0.0)
    cost_per_minute = StoredNumberField(null=True, default=0.15)
    cost_per_call_setup = StoredNumberField(null=True, default=0.02)
    cost_failed_call = StoredNumberField(null=True, default=0.01)
    max_concurrent_calls = StoredIntegerField(null=True, default=5)
    daily_call_limit = StoredIntegerField(null=True, default=1000)
    calls_today = StoredIntegerField(null=True, default=0)

    features = RawBSONField(null=True, blank=True)
    settings = RawBSONField(null=True, blank=True)

    created_at = StoredDateTimeField(null=True, blank=True)
    updated_at = StoredDateTimeField(null=True, blank=True)
    expires_at = StoredDateTimeField(null=True, blank=True)
    last_topup_at = StoredDateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts"
        managed = False
        default_permissions = ("view", "add", "change")  # no endpoint deletes an account
        permissions = [("topup_account", "Can top up accounts")]

    def __str__(self):
        return str(self.account_name or self.account_id or self.pk)


class Transaction(models.Model):
    """One entry of the append-only ledger (`transactions`, shared)."""

    transaction_id = models.CharField(max_length=40, unique=True, null=True)
    account_id = models.CharField(max_length=200, null=True, blank=True)
    type = models.CharField(max_length=20, choices=TransactionType.choices, null=True)
    amount = StoredNumberField(null=True)
    cost = StoredNumberField(null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    reference_id = models.CharField(max_length=200, null=True, blank=True)
    created_by = models.CharField(max_length=150, null=True, blank=True)
    created_at = StoredDateTimeField(null=True, blank=True)

    class Meta:
        db_table = "transactions"
        managed = False
        default_permissions = ("view",)

    def __str__(self):
        return str(self.transaction_id or self.pk)
