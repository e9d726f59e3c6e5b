import functools
import re
import zoneinfo

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from jobs.serializers import JobListQuerySerializer, PageQuerySerializer, optional, reason_field
from speechai.serializers import (
    EmptyIsInvalidMixin,
    StoredDocumentSerializer,
    StrictBooleanField,
    StrictCharField,
    bson_problem,
    safe_key,
)

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
SCALAR_TYPES = (str, int, float, bool, type(None))


@functools.cache
def time_zone_names():
    return frozenset(zoneinfo.available_timezones())


class QueryBooleanField(EmptyIsInvalidMixin, serializers.BooleanField):
    """A query-string boolean: true/false, 1/0, yes/no (any case); nothing else."""

    TRUE_VALUES = {"true", "1", "yes"}
    FALSE_VALUES = {"false", "0", "no"}
    NULL_VALUES = set()
    default_empty_html = empty  # absent from the query: not False, but absent
    default_error_messages = {"invalid": "Must be one of true/false, 1/0, yes/no."}


class NumberField(serializers.FloatField):
    """A JSON number (or numeric string); booleans are not numbers."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


def time_of_day_field():
    return StrictCharField(validators=[RegexValidator(TIME_OF_DAY, "Must be a time HH:MM (00:00..23:59).")])


@extend_schema_field({"type": "string", "enum": sorted(time_zone_names())})
class TimeZoneField(StrictCharField):
    def to_internal_value(self, data):
        name = super().to_internal_value(data)
        if name not in time_zone_names():
            raise serializers.ValidationError(f"Unknown time zone {name!r}; use an IANA name like America/Santiago.")
        return name


class NullMeansAbsentMixin:
    """A null value is taken as "not sent" (as the original API did): it
    neither changes nor clears a field."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            data = {key: value for key, value in data.items() if value is not None}
        return super().to_internal_value(data)


class AllowedHoursSerializer(serializers.Serializer):
    start = time_of_day_field()
    end = time_of_day_field()

    def validate(self, attrs):
        # "HH:MM" strings order like times. The workers have no overnight windows.
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": "Must be later than start."})
        return attrs


class CallSettingsSerializer(NullMeansAbsentMixin, serializers.Serializer):
    """The settings the call workers read (data-model.md). Every key is
    optional; other keys are kept only when they hold a scalar."""

    max_call_duration = serializers.IntegerField(required=False, min_value=60, max_value=3600, help_text="Seconds")
    ring_timeout = serializers.IntegerField(required=False, min_value=10, max_value=120, help_text="Seconds")
    max_attempts = serializers.IntegerField(required=False, min_value=1, max_value=10)
    retry_delay_hours = NumberField(required=False, min_value=0, max_value=168)
    allowed_hours = AllowedHoursSerializer(required=False, help_text="Daily calling window, end after start")
    days_of_week = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7),
        required=False,
        min_length=1,
        help_text="ISO weekdays: 1 = Monday .. 7 = Sunday, no duplicates",
    )
    timezone = TimeZoneField(required=False, help_text="IANA time zone name, e.g. America/Santiago")

    def validate_days_of_week(self, days):
        if len(set(days)) != len(days):
            raise serializers.ValidationError("Must not repeat a day.")
        return days

    def to_internal_value(self, data):
        errors, validated = {}, {}
        try:
            validated = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors = exc.detail
        extra = {key: value for key, value in data.items() if key not in self.fields} if isinstance(data, dict) else {}
        for key, value in extra.items():
            if not isinstance(value, SCALAR_TYPES):
                errors[safe_key(key)] = ["Unknown setting; only a string, number, boolean or null is kept."]
            elif isinstance(value, str) and "\x00" in value:
                errors[safe_key(key)] = ["Null characters are not allowed."]
            elif problem := bson_problem({key: value}):
                errors[safe_key(key)] = [problem]
        if errors:
            raise serializers.ValidationError(errors)
        return {**validated, **extra}


class BatchCountsSerializer(serializers.Serializer):
    """Live counts from the batch's jobs (not the stored counters)."""

    total_jobs = serializers.IntegerField()
    pending_jobs = serializers.IntegerField(help_text="pending and scheduled")
    in_progress_jobs = serializers.IntegerField()
    completed_jobs = serializers.IntegerField(help_text="done and completed")
    failed_jobs = serializers.IntegerField()
    cancelled_jobs = serializers.IntegerField()
    suspended_jobs = serializers.IntegerField()


class BatchSerializer(StoredDocumentSerializer, BatchCountsSerializer):
    """A batch document as stored, with live job counts in place of the stored
    counters. Unknown stored keys are passed through."""

    _id = serializers.CharField(help_text="MongoDB ObjectId, 24 hex characters")
    batch_id = optional(serializers.CharField, help_text="Custom id, e.g. batch-20251028-1a2b3c4d")
    account_id = optional(serializers.CharField)
    name = optional(serializers.CharField)
    description = optional(serializers.CharField)
    is_active = optional(serializers.BooleanField, help_text="The pause switch: workers call active batches only")
    priority = optional(serializers.IntegerField, help_text="1 low .. 4 urgent")
    call_settings = CallSettingsSerializer(required=False, allow_null=True)
    total_cost = optional(serializers.FloatField)
    total_minutes = optional(serializers.FloatField)
    estimated_cost = optional(serializers.FloatField)
    created_at = optional(serializers.DateTimeField)
    updated_at = optional(serializers.DateTimeField)
    started_at = optional(serializers.DateTimeField)
    completed_at = optional(serializers.DateTimeField)
    cancelled_at = optional(serializers.DateTimeField)
    cancellation_reason = optional(serializers.CharField)


class BatchListQuerySerializer(PageQuerySerializer):
    account_id = serializers.CharField(required=False, allow_blank=True, help_text="Empty: all accounts")
    is_active = QueryBooleanField(required=False, help_text="true/false, 1/0, yes/no")


class BatchCreateSerializer(NullMeansAbsentMixin, serializers.Serializer):
    """An empty batch. Other keys are ignored (the frontend sends `allow_duplicates`)."""

    account_id = StrictCharField(max_length=200)
    name = StrictCharField(max_length=MAX_NAME_LENGTH)
    description = StrictCharField(required=False, allow_blank=True, max_length=MAX_DESCRIPTION_LENGTH, default="")
    priority = serializers.IntegerField(
        required=False, min_value=1, max_value=4, default=1, help_text="1 low .. 4 urgent"
    )
    call_settings = CallSettingsSerializer(required=False, default=None)


class BatchUpdateSerializer(NullMeansAbsentMixin, serializers.Serializer):
    """Only these keys; any other is an error. `call_settings` replaces the
    stored settings as a whole (send them all; `{}` clears them)."""

    is_active = StrictBooleanField(required=False, help_text="false pauses the batch, true resumes it")
    name = StrictCharField(required=False, max_length=MAX_NAME_LENGTH)
    description = StrictCharField(required=False, allow_blank=True, max_length=MAX_DESCRIPTION_LENGTH)
    priority = serializers.IntegerField(required=False, min_value=1, max_value=4, help_text="1 low .. 4 urgent")
    call_settings = CallSettingsSerializer(required=False)

    def to_internal_value(self, data):
        unknown = [key for key in data if key not in self.fields] if isinstance(data, dict) else []
        if unknown:
            allowed = ", ".join(self.fields)
            raise serializers.ValidationError(
                {safe_key(key): [f"Not an updatable field; allowed: {allowed}."] for key in unknown}
            )
        return super().to_internal_value(data)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("No fields to update")
        return attrs


class BatchReasonSerializer(serializers.Serializer):
    reason = reason_field("Stored as the cancelled jobs' cancellation_reason")


class BatchDeleteQuerySerializer(BatchReasonSerializer):
    delete_jobs = QueryBooleanField(
        required=False,
        default=False,
        help_text="false (default): soft delete, waiting jobs cancelled. true: the batch and all its jobs are removed.",
    )


class BatchJobListQuerySerializer(JobListQuerySerializer):
    """/jobs's query, the batch coming from the path."""

    batch_id = None


class BatchCreatedSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    batch = BatchSerializer()


class BatchUpdatedSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.ChoiceField(choices=["Batch paused", "Batch resumed", "Batch updated successfully"])
    batch_id = serializers.CharField(allow_null=True, help_text="The custom batch_id")
    updated_fields = serializers.ListField(child=serializers.CharField(), help_text="The fields sent, and updated_at")


class BatchCancelledSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    jobs_cancelled = serializers.IntegerField()


class BatchDeletedSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    jobs_cancelled = serializers.IntegerField(required=False, help_text="Soft delete: waiting jobs cancelled")
    jobs_deleted = serializers.IntegerField(required=False, help_text="delete_jobs=true: jobs removed")


class BatchStatusSerializer(StoredDocumentSerializer, BatchCountsSerializer):
    batch_id = serializers.CharField(allow_null=True)
    is_active = serializers.BooleanField(allow_null=True)
    progress_percentage = serializers.FloatField(
        help_text="Share of jobs no longer waiting or being called, 0..100, 2 decimals"
    )
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)


class BatchSummarySerializer(BatchStatusSerializer):
    name = serializers.CharField(allow_null=True)
    account_id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(
        choices=["completed", "paused", "active"],
        help_text="completed: has jobs, none waiting or in progress; else paused when inactive; else active",
    )
    completion_rate = serializers.FloatField(help_text="Share of jobs finished OK (done/completed), 0..100")
    total_cost = serializers.FloatField(allow_null=True)
    total_minutes = serializers.FloatField(allow_null=True)
    priority = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField(allow_null=True)


class DashboardQuerySerializer(serializers.Serializer):
    account_id = serializers.CharField(required=False, allow_blank=True, help_text="Empty: all accounts")


class DashboardStatsSerializer(StoredDocumentSerializer, BatchCountsSerializer):
    success_rate = serializers.FloatField(help_text="finished OK / (finished OK + failed) * 100, 2 decimals; 0 if none")
    active_batches = serializers.IntegerField(help_text="Active, not deleted batches")
    jobs_today = serializers.IntegerField(help_text="Jobs created since 00:00 UTC")
    timestamp = serializers.DateTimeField()
