from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jobs.legacy import with_derived_contact_and_payload
from jobs.models import JobStatus
from speechai.serializers import (
    InputFieldsReused,
    QueryDateTimeField,
    QueryIntegerField,
    StoredDocumentSerializer,
    StrictCharField,
)

MAX_BULK_IDS = 1000
MAX_REASON_LENGTH = 500


def optional(field_class, **kwargs):
    return field_class(required=False, allow_null=True, **kwargs)


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}], "nullable": True})
class IntegerOrStringField(serializers.JSONField):
    pass


class ContactSerializer(serializers.Serializer):
    name = optional(serializers.CharField)
    dni = optional(serializers.CharField)
    phones = serializers.ListField(child=serializers.CharField(), required=False, help_text="E.164 numbers")
    next_phone_index = optional(serializers.IntegerField)


class PayloadSerializer(serializers.Serializer):
    debt_amount = optional(serializers.FloatField)
    due_date = optional(serializers.CharField, help_text="YYYY-MM-DD (a business date, kept as a string)")
    company_name = optional(serializers.CharField)
    reference_number = optional(serializers.CharField)
    additional_info = optional(serializers.DictField)


class CallResultSerializer(serializers.Serializer):
    success = optional(serializers.BooleanField)
    status = optional(serializers.CharField)
    summary = optional(serializers.DictField)
    details = optional(serializers.DictField)
    timestamp = optional(serializers.DateTimeField)


class JobSerializer(StoredDocumentSerializer):
    """A job document as stored. Keys absent from the document are absent
    here; legacy flat fields (`nombre`, `rut`, `monto_total`, ...) and any
    other stored key are passed through, and a document without `contact`
    or `payload` gets them derived from its flat fields (jobs/legacy.py)."""

    def shown(self, document):
        return with_derived_contact_and_payload(document)

    _id = serializers.CharField(help_text="MongoDB ObjectId, 24 hex characters")
    job_id = optional(serializers.CharField, help_text="Custom id, e.g. job_retail_e_20251025_174129_b96907c5")
    account_id = optional(serializers.CharField)
    batch_id = optional(serializers.CharField, help_text="The batch's custom batch_id")
    status = serializers.ChoiceField(choices=JobStatus.choices)
    mode = optional(serializers.CharField)
    attempts = optional(serializers.IntegerField)
    max_attempts = optional(serializers.IntegerField)
    deduplication_key = optional(serializers.CharField)
    contact = ContactSerializer(required=False, allow_null=True)
    to_number = optional(serializers.CharField)
    payload = PayloadSerializer(required=False, allow_null=True)
    estimated_cost = optional(serializers.FloatField)
    worker_id = optional(serializers.CharField)
    reserved_until = optional(serializers.DateTimeField)
    created_at = optional(serializers.DateTimeField)
    updated_at = optional(serializers.DateTimeField)
    started_at = optional(serializers.DateTimeField)
    finished_at = optional(serializers.DateTimeField)
    failed_at = optional(serializers.DateTimeField)
    call_id = optional(serializers.CharField)
    call_started_at = optional(serializers.DateTimeField)
    call_ended_at = optional(serializers.DateTimeField)
    call_duration_seconds = optional(serializers.FloatField)
    is_calling = optional(serializers.BooleanField)
    call_result = CallResultSerializer(required=False, allow_null=True)
    next_try_at = optional(serializers.DateTimeField)
    last_attempt_result = optional(serializers.CharField)
    last_error = optional(serializers.CharField)
    fecha_pago_cliente = optional(serializers.CharField, help_text="Promised payment date, a string")
    monto_pago_cliente = IntegerOrStringField(required=False, allow_null=True)
    cancellation_reason = optional(serializers.CharField)
    cancelled_at = optional(serializers.DateTimeField)
    cancelled_by = optional(serializers.CharField)


@extend_schema_field({"type": "array", "items": {"type": "string", "enum": JobStatus.values}})
class StatusListField(serializers.CharField):
    """One status or several comma-separated: "failed" or "pending,failed"."""

    def to_internal_value(self, data):
        values = [value.strip() for value in super().to_internal_value(data).split(",") if value.strip()]
        unknown = [value for value in values if value not in JobStatus.values]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown status {', '.join(repr(v) for v in unknown)}; allowed: {', '.join(JobStatus.values)}."
            )
        return values


# Beyond any real collection; keeps `skip` inside BSON's integer range.
MAX_SKIP = 100_000_000


class PageQuerySerializer(InputFieldsReused, serializers.Serializer):
    skip = QueryIntegerField(min_value=0, max_value=MAX_SKIP, default=0)
    limit = QueryIntegerField(min_value=1, max_value=1000, default=100)


class JobListQuerySerializer(PageQuerySerializer):
    status = StatusListField(
        required=False,
        allow_blank=True,
        help_text=f"One or several comma-separated of: {', '.join(JobStatus.values)}. "
        "Cancelled jobs are listed only when named. `done` and `completed` are equivalent.",
    )
    batch_id = serializers.CharField(
        required=False, allow_blank=True, help_text="The batch's ObjectId or custom batch_id"
    )
    account_id = serializers.CharField(required=False, allow_blank=True)
    created_after = QueryDateTimeField(required=False, help_text="ISO 8601; naive values are UTC")
    created_before = QueryDateTimeField(required=False, help_text="ISO 8601; naive values are UTC")

    def validate(self, attrs):
        attrs["statuses"] = attrs.pop("status", None)
        return attrs


def reason_field(help_text):
    """The optional free-text reason of a cancellation (stored on the jobs)."""
    return StrictCharField(
        required=False, allow_null=True, allow_blank=True, max_length=MAX_REASON_LENGTH, help_text=help_text
    )


class CancelJobSerializer(InputFieldsReused, serializers.Serializer):
    reason = reason_field('Default "Cancelled by user"')


def ids_field():
    return serializers.ListField(
        child=StrictCharField(max_length=200),
        min_length=1,
        max_length=MAX_BULK_IDS,
        help_text="ObjectIds or custom job_ids, mixed as you like",
    )


class BulkCancelJobsSerializer(CancelJobSerializer):
    ids = ids_field()


class BulkRestoreJobsSerializer(serializers.Serializer):
    ids = ids_field()


class NotCancellableSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.CharField(allow_null=True)


class BulkCancelResultSerializer(serializers.Serializer):
    cancelled = serializers.ListField(child=serializers.CharField())
    not_found = serializers.ListField(child=serializers.CharField())
    not_cancellable = NotCancellableSerializer(many=True)


class BulkRestoreResultSerializer(serializers.Serializer):
    restored = serializers.ListField(child=serializers.CharField())
    not_found = serializers.ListField(child=serializers.CharField())
    not_restorable = NotCancellableSerializer(many=True)


class RestoredSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    status = serializers.CharField(help_text="The status the job returned to")
