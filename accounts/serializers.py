from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.balances import derived_values
from accounts.models import AccountStatus, Country, PlanType, TransactionType
from batches.call_settings import NullMeansAbsentMixin, NumberField, TimeZoneField, time_zone_names
from jobs.serializers import PageQuerySerializer, optional
from speechai.schema import FREE_FORM_OBJECT, or_null
from speechai.serializers import (
    QueryChoiceField,
    QueryIntegerField,
    StoredDocumentSerializer,
    StrictBooleanField,
    StrictCharField,
    bson_problem,
    safe_key,
)

MAX_AMOUNT = 1_000_000_000  # any real top-up is far below; keeps amounts finite
EDITABLE_STATUSES = [AccountStatus.ACTIVE.value, AccountStatus.SUSPENDED.value]


class AccountSerializer(StoredDocumentSerializer):
    """An account document as stored plus its derived values. Unknown
    stored keys are passed through; amounts stored as Int64/Decimal128 come
    out as numbers."""

    _id = serializers.CharField(help_text="MongoDB ObjectId, 24 hex characters")
    account_id = optional(serializers.CharField, help_text="Custom id: acc- + 12 hex (old ones are free text)")
    account_name = optional(serializers.CharField)
    plan_type = optional(serializers.ChoiceField, choices=PlanType.choices)
    status = optional(serializers.ChoiceField, choices=AccountStatus.choices)
    suspension_reason = optional(serializers.CharField)
    contact_name = optional(serializers.CharField)
    contact_email = optional(serializers.CharField)
    contact_phone = optional(serializers.CharField)
    country = optional(serializers.CharField)
    timezone = optional(serializers.CharField)
    minutes_purchased = optional(serializers.FloatField)
    minutes_used = optional(serializers.FloatField, help_text="The workers $inc it after each call")
    minutes_reserved = optional(serializers.FloatField)
    credit_balance = optional(serializers.FloatField)
    credit_used = optional(serializers.FloatField, help_text="The workers $inc it after each call")
    credit_reserved = optional(serializers.FloatField)
    cost_per_minute = optional(serializers.FloatField)
    cost_per_call_setup = optional(serializers.FloatField)
    cost_failed_call = optional(serializers.FloatField)
    max_concurrent_calls = optional(serializers.IntegerField)
    daily_call_limit = optional(serializers.IntegerField)
    calls_today = optional(serializers.IntegerField)
    features = optional(serializers.DictField)
    settings = optional(serializers.DictField)
    created_at = optional(serializers.DateTimeField)
    updated_at = optional(serializers.DateTimeField)
    expires_at = optional(serializers.DateTimeField)
    last_topup_at = optional(serializers.DateTimeField)
    minutes_remaining = serializers.FloatField(help_text="Derived: max(0, purchased - used - reserved)")
    credit_available = serializers.FloatField(help_text="Derived: max(0, credit_balance - credit_used - reserved)")
    can_make_calls = serializers.BooleanField(
        help_text="Derived: active, has balance, and calls_today under daily_call_limit"
    )

    def shown(self, document):
        return {**document, **derived_values(document)}


class AccountListQuerySerializer(PageQuerySerializer):
    status = QueryChoiceField(choices=AccountStatus.choices, required=False)
    plan_type = QueryChoiceField(choices=PlanType.choices, required=False)
    country = QueryChoiceField(choices=Country.choices, required=False)
    search = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Start of the name (any case) or account_id"
    )


class StrictEmailField(serializers.EmailField):
    """An e-mail address as a JSON string (not a number turned into one)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a string.")
        return super().to_internal_value(data)


class FreeFormField(serializers.DictField):
    """A free-form object MongoDB can store (no NUL in its keys); one key
    inside (what the frontend sends) is checked like its top-level field."""

    nested_key = None

    def nested_field(self):
        raise NotImplementedError

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if problem := bson_problem(value):
            raise serializers.ValidationError(problem)
        if value.get(self.nested_key) is not None:
            try:
                value[self.nested_key] = self.nested_field().run_validation(value[self.nested_key])
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({self.nested_key: exc.detail}) from None
        return value


def free_form_schema(key, schema):
    return {**FREE_FORM_OBJECT, "properties": {key: or_null(schema)}}


@extend_schema_field(free_form_schema("max_concurrent_calls", {"type": "integer", "minimum": 1, "maximum": 100}))
class FeaturesField(FreeFormField):
    nested_key = "max_concurrent_calls"

    def nested_field(self):
        return serializers.IntegerField(min_value=1, max_value=100)


@extend_schema_field(free_form_schema("timezone", {"type": "string", "enum": sorted(time_zone_names())}))
class SettingsField(FreeFormField):
    """`timezone` inside must be an IANA name."""

    nested_key = "timezone"

    def nested_field(self):
        return TimeZoneField()


class AccountFieldsSerializer(NullMeansAbsentMixin, serializers.Serializer):
    """The fields shared by create and update. The frontend's nested
    `features.max_concurrent_calls` and `settings.timezone` fill the
    top-level fields when those are not sent."""

    account_name = StrictCharField(max_length=200)
    contact_name = StrictCharField(required=False, allow_blank=True, max_length=200)
    contact_email = StrictEmailField(required=False, allow_blank=True, max_length=254)
    contact_phone = StrictCharField(required=False, allow_blank=True, max_length=40)
    country = serializers.ChoiceField(choices=Country.choices, required=False)
    timezone = TimeZoneField(required=False, help_text="IANA time zone name, e.g. America/Santiago")
    plan_type = serializers.ChoiceField(choices=PlanType.choices, required=False)
    max_concurrent_calls = serializers.IntegerField(required=False, min_value=1, max_value=100)
    daily_call_limit = serializers.IntegerField(required=False, min_value=0, max_value=10_000_000)
    cost_per_minute = NumberField(required=False, min_value=0, max_value=MAX_AMOUNT)
    features = FeaturesField(
        required=False, help_text="Free-form object MongoDB can store: no NUL in keys, numbers within 64-bit integers"
    )
    settings = SettingsField(
        required=False, help_text="Free-form object MongoDB can store: no NUL in keys, numbers within 64-bit integers"
    )

    def to_internal_value(self, data):
        # The original upper-cased the country; the frontend shows statuses upper-cased.
        if isinstance(data, dict):
            data = {**data}
            for key, case in (("country", str.upper), ("status", str.lower)):
                if isinstance(data.get(key), str):
                    data[key] = case(data[key])
        return super().to_internal_value(data)

    def validate(self, attrs):
        nested_max = (attrs.get("features") or {}).get("max_concurrent_calls")
        if nested_max is not None and "max_concurrent_calls" not in attrs:
            attrs["max_concurrent_calls"] = nested_max
        nested_timezone = (attrs.get("settings") or {}).get("timezone")
        if nested_timezone is not None and "timezone" not in attrs:
            attrs["timezone"] = nested_timezone
        return attrs


class AccountCreateSerializer(AccountFieldsSerializer):
    initial_credits = NumberField(required=False, min_value=0, max_value=MAX_AMOUNT)
    initial_minutes = NumberField(required=False, min_value=0, max_value=MAX_AMOUNT)


class AccountUpdateSerializer(AccountFieldsSerializer):
    """Only these keys; any other (balances included) is an error."""

    account_name = StrictCharField(required=False, max_length=200)
    status = serializers.ChoiceField(choices=EDITABLE_STATUSES, required=False)
    is_active = StrictBooleanField(required=False, help_text="true = active, false = suspended")
    suspension_reason = StrictCharField(required=False, allow_blank=True, max_length=500)
    pause_batches = StrictBooleanField(
        required=False, default=False, help_text="With a suspension: also pause all the account's active batches"
    )

    def to_internal_value(self, data):
        unknown = [key for key in data if key not in self.fields] if isinstance(data, dict) else []
        if unknown:
            allowed = ", ".join(self.fields)
            raise serializers.ValidationError(
                {safe_key(key): [f"Not an updatable field; allowed: {allowed}."] for key in unknown}
            )
        return super().to_internal_value(data)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "is_active" in attrs:
            status = AccountStatus.ACTIVE if attrs.pop("is_active") else AccountStatus.SUSPENDED
            if attrs.get("status", status) != status:
                raise serializers.ValidationError({"is_active": "Contradicts status."})
            attrs["status"] = status.value
        suspending = attrs.get("status") == AccountStatus.SUSPENDED
        if attrs.get("pause_batches") and not suspending:
            raise serializers.ValidationError({"pause_batches": "Only with a suspension (status suspended)."})
        if not {key for key in attrs if key != "pause_batches"}:
            raise serializers.ValidationError("No fields to update")
        return attrs


class TopupSerializer(NullMeansAbsentMixin, serializers.Serializer):
    minutes = NumberField(required=False, min_value=0, max_value=MAX_AMOUNT, help_text="Minutes to add, > 0")
    credits = NumberField(required=False, min_value=0, max_value=MAX_AMOUNT, help_text="Credits (USD) to add, > 0")
    description = StrictCharField(required=False, allow_blank=True, max_length=500)

    def validate(self, attrs):
        for unit in ("minutes", "credits"):
            if attrs.get(unit) == 0:
                raise serializers.ValidationError({unit: "Must be greater than 0."})
        if not attrs.get("minutes") and not attrs.get("credits"):
            raise serializers.ValidationError("Must provide either minutes or credits")
        return attrs


class TransactionQuerySerializer(PageQuerySerializer):
    transaction_type = QueryChoiceField(choices=TransactionType.choices, required=False)
    limit = QueryIntegerField(min_value=1, max_value=200, default=50)


class TransactionSerializer(StoredDocumentSerializer):
    _id = serializers.CharField()
    transaction_id = optional(serializers.CharField, help_text="txn_ + 12 hex")
    account_id = optional(serializers.CharField)
    type = optional(serializers.ChoiceField, choices=TransactionType.choices)
    amount = optional(serializers.FloatField)
    description = optional(serializers.CharField)
    reference_id = optional(serializers.CharField)
    created_by = optional(serializers.CharField)
    created_at = optional(serializers.DateTimeField)


class AccountCreatedSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    account = AccountSerializer()


class AccountChangedSerializer(AccountCreatedSerializer):
    message = serializers.CharField(
        help_text='"Account suspended", "Account activated", "Account updated" or "Account topped up successfully"'
    )
    batches_paused = serializers.IntegerField(required=False, help_text="With pause_batches: batches paused")


class BalanceSerializer(serializers.Serializer):
    """The original's shape for each plan (unlimited: only has_balance,
    plan_type and can_make_calls)."""

    has_balance = serializers.BooleanField()
    remaining = serializers.FloatField(required=False, help_text="minutes_remaining or credit_available")
    used = serializers.FloatField(required=False)
    purchased = serializers.FloatField(required=False, help_text="Minutes plan")
    balance = serializers.FloatField(required=False, help_text="Credit plan")
    reserved = serializers.FloatField(required=False)
    unit = serializers.ChoiceField(choices=["minutes", "USD"], required=False)
    plan_type = serializers.CharField(allow_null=True)
    can_make_calls = serializers.BooleanField()


class AccountStatsSerializer(StoredDocumentSerializer):
    account_id = serializers.CharField(allow_null=True)
    account_name = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    plan_type = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField(allow_null=True)
    calls_today = serializers.IntegerField()
    daily_limit = serializers.IntegerField()
    max_concurrent = serializers.IntegerField(allow_null=True)
    batches = serializers.DictField(
        child=serializers.IntegerField(), help_text="total, active, paused, completed, cancelled, importing"
    )
    jobs = serializers.DictField(child=serializers.IntegerField(), help_text="total and one count per job status")
    success_rate = serializers.FloatField(help_text="finished OK / (finished OK + failed) * 100")


class FinancialSummarySerializer(serializers.Serializer):
    total_spent = serializers.FloatField(help_text="credit_used: what the workers charged")
    total_topups = serializers.FloatField(help_text="Credits topped up (ledger)")
    total_minutes_topped_up = serializers.FloatField(help_text="Minutes topped up (ledger)")
    transaction_count = serializers.IntegerField()


class AccountSummarySerializer(StoredDocumentSerializer):
    account = AccountSerializer()
    balance = BalanceSerializer()
    stats = AccountStatsSerializer()
    financial_summary = FinancialSummarySerializer()

    def shown(self, document):
        return {**document, "account": {**document["account"], **derived_values(document["account"])}}


class LastCallSettingsSerializer(StoredDocumentSerializer):
    success = serializers.BooleanField()
    call_settings = serializers.DictField(allow_null=True)
    from_batch = serializers.CharField(required=False, allow_null=True, help_text="The batch's custom batch_id")
    created_at = serializers.DateTimeField(required=False, allow_null=True)
    message = serializers.CharField(required=False)
