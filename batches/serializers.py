from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from batches.call_settings import CallSettingsSerializer, NullMeansAbsentMixin
from batches.states import FRONTEND_NAMES, LISTABLE, BatchState
from jobs.serializers import JobListQuerySerializer, PageQuerySerializer, optional, reason_field
from speechai.serializers import (
    EmptyIsInvalidMixin,
    InputFieldsReused,
    StoredDocumentSerializer,
    StrictBooleanField,
    StrictCharField,
    safe_key,
)

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000


class QueryBooleanField(EmptyIsInvalidMixin, serializers.BooleanField):
    """A query-string boolean: true/false, 1/0, yes/no (any case); nothing else."""

    TRUE_VALUES = {"true", "1", "yes"}
    FALSE_VALUES = {"false", "0", "no"}
    NULL_VALUES = set()
    default_empty_html = empty  # absent from the query: not False, but absent
    default_error_messages = {"invalid": "Must be one of true/false, 1/0, yes/no."}


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
    status = serializers.ChoiceField(choices=BatchState.choices, help_text="The batch's state, computed")


@extend_schema_field({"type": "array", "items": {"type": "string", "enum": [*LISTABLE, *FRONTEND_NAMES]}})
class StateListField(serializers.CharField):
    """Comma-separated states (not deleted), or the frontend's upper-case names."""

    ALLOWED = [*LISTABLE, *FRONTEND_NAMES]

    def to_internal_value(self, data):
        names = [name.strip() for name in super().to_internal_value(data).split(",") if name.strip()]
        unknown = [name for name in names if name not in self.ALLOWED]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown status {', '.join(unknown)}; allowed: {', '.join(self.ALLOWED)}."
            )
        return names


class BatchListQuerySerializer(PageQuerySerializer):
    account_id = serializers.CharField(required=False, allow_blank=True, help_text="Empty: all accounts")
    is_active = QueryBooleanField(required=False, help_text="true/false, 1/0, yes/no")
    status = StateListField(
        required=False,
        allow_blank=True,
        help_text="One or several comma-separated states (active, paused, completed, importing, cancelling, "
        "cancelled) or RUNNING, PAUSED, COMPLETED, CANCELLED, PENDING (importing), ERROR (import failed)",
    )

    def validate(self, attrs):
        attrs["statuses"] = attrs.pop("status", None) or None
        return attrs


class BatchCreateSerializer(NullMeansAbsentMixin, serializers.Serializer):
    """An empty batch. Other keys are ignored (the frontend sends `allow_duplicates`)."""

    account_id = StrictCharField(max_length=200)
    name = StrictCharField(max_length=MAX_NAME_LENGTH)
    description = StrictCharField(required=False, allow_blank=True, max_length=MAX_DESCRIPTION_LENGTH, default="")
    priority = serializers.IntegerField(
        required=False, min_value=1, max_value=4, default=1, help_text="1 low .. 4 urgent"
    )
    call_settings = CallSettingsSerializer(required=False, default=None)


class BatchUpdateSerializer(InputFieldsReused, NullMeansAbsentMixin, serializers.Serializer):
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


class BatchReasonSerializer(InputFieldsReused, serializers.Serializer):
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


class BatchRestoredSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    jobs_restored = serializers.IntegerField()


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
    status = serializers.ChoiceField(choices=BatchState.choices, help_text="The batch's state")
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
