"""The multipart forms of the intake endpoints (exactly what the React
frontend sends: booleans as "true"/"false", call settings as a JSON string)
and their documented responses."""

import json

from rest_framework import serializers
from rest_framework.fields import empty

from accounts.models import Country
from batches.call_settings import validate_call_settings
from batches.intake.planning import Options
from batches.serializers import MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, BatchSerializer

PLACEHOLDER_ACCOUNT_IDS = {"", "string", "undefined", "null", "none"}
USE_CASES = {
    "debt_collection": "Cobranza de deudas: recordatorio de pago con monto, vencimiento y compromiso de pago.",
    "marketing": "Campañas de marketing: ofertas con descuento y categoría de producto, sin monto de deuda.",
}


class AccountIdField(serializers.CharField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value.strip().lower() in PLACEHOLDER_ACCOUNT_IDS:
            raise serializers.ValidationError(
                f"account_id inválido: {value!r}. Debe ser un ID válido como 'acc-a1b2c3d4e5f6'."
            )
        return value.strip()


class FormBooleanField(serializers.BooleanField):
    """ "true" or "false", as the React frontend sends them (empty or absent: the default)."""

    default_error_messages = {"invalid": 'Must be "true" or "false".'}
    default_empty_html = empty  # absent: the default, not False

    def to_internal_value(self, data):
        if data not in ("true", "false"):
            self.fail("invalid")
        return data == "true"


class FormOptionalIntegerField(serializers.IntegerField):
    """Empty or "null" (what JavaScript's FormData makes of null): not given."""

    def get_value(self, dictionary):
        value = super().get_value(dictionary)
        return None if value == "null" else value


def optional_days(help_text):
    return FormOptionalIntegerField(required=False, allow_null=True, min_value=0, max_value=3650, help_text=help_text)


class FileFormSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="xlsx, xls, ods or csv (UTF-8 or Latin-1, `,` or `;`), by content")


class PreviewFormSerializer(FileFormSerializer):
    account_id = AccountIdField(
        required=False,
        max_length=200,
        help_text="Form field, or the query parameter: one of them is required (a rule no schema states)",
    )


class PreviewQuerySerializer(serializers.Serializer):
    account_id = AccountIdField(required=False, max_length=200, help_text="Alternative to the form field")


class UploadFormSerializer(FileFormSerializer):
    allow_duplicates = FormBooleanField(required=False, default=False, help_text='"true" / "false"')
    processing_type = serializers.ChoiceField(["basic", "acquisition"], required=False, default="basic")

    def options(self, data):
        return Options(processing_type=data["processing_type"], allow_duplicates=data["allow_duplicates"])


class CreateFormSerializer(UploadFormSerializer):
    account_id = AccountIdField(max_length=200)
    batch_name = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_NAME_LENGTH, help_text='Default "Campaña YYYY-MM-DD HH:MM"'
    )
    batch_description = serializers.CharField(required=False, allow_blank=True, max_length=MAX_DESCRIPTION_LENGTH)
    call_settings_json = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100_000,
        help_text="The batch's call_settings (same rules as CallSettingsRequest) as the JSON text of the object; "
        "blank: none.",
    )
    dias_fecha_limite = optional_days("due_date = today (UTC) + N days, instead of the file's dates")
    dias_fecha_maxima = optional_days("fecha_maxima = today (UTC) + N days, instead of the file's dates")
    priority = serializers.IntegerField(
        required=False, min_value=1, max_value=4, default=1, help_text="1 low .. 4 urgent"
    )
    start_paused = FormBooleanField(required=False, default=False, help_text='"true" leaves the batch paused')

    def validate_call_settings_json(self, text):
        if not text.strip():
            return None
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise serializers.ValidationError(f"call_settings_json debe ser un JSON válido: {exc}") from None
        if not isinstance(value, dict):
            raise serializers.ValidationError("Must be a JSON object.")
        return validate_call_settings(value)

    def options(self, data):
        call_settings = data.get("call_settings_json") or {}
        return Options(
            processing_type=data["processing_type"],
            allow_duplicates=data["allow_duplicates"],
            dias_fecha_limite=data.get("dias_fecha_limite"),
            dias_fecha_maxima=data.get("dias_fecha_maxima"),
            max_attempts=call_settings.get("max_attempts", 3),
        )


class UseCaseFormSerializer(UploadFormSerializer):
    account_id = AccountIdField(max_length=200)
    company_name = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_NAME_LENGTH, help_text="Company for rows without one"
    )
    batch_name = serializers.CharField(required=False, allow_blank=True, max_length=MAX_NAME_LENGTH)
    batch_description = serializers.CharField(required=False, allow_blank=True, max_length=MAX_DESCRIPTION_LENGTH)
    discount_percentage = serializers.FloatField(required=False, min_value=0, max_value=100, default=0.0)
    offer_description = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    product_category = serializers.CharField(required=False, allow_blank=True, max_length=200, default="general")

    def options_for(self, data, use_case):
        marketing = use_case == "marketing"
        extra = (
            {key: data[key] for key in ("discount_percentage", "offer_description", "product_category")}
            if marketing
            else {}
        )
        return Options(
            processing_type="basic",
            allow_duplicates=data["allow_duplicates"],
            max_attempts=2 if marketing else 3,
            use_case=use_case,
            company_name=data.get("company_name", ""),
            extra_info={**extra, "use_case": use_case},
        )


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="1-based line in the file")
    column = serializers.CharField()
    value = serializers.JSONField()
    message = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    total_rows = serializers.IntegerField()
    valid_debtors = serializers.IntegerField(help_text="People (rows merged by national id) that can be called")
    with_valid_phone = serializers.IntegerField()
    without_phone = serializers.IntegerField(help_text="Rows without a usable phone")
    invalid_rows = serializers.IntegerField(help_text="Rows that are not jobs")
    total_debt_amount = serializers.FloatField()
    duplicates_found = serializers.IntegerField(help_text="People with an unfinished job of the account already")
    duplicates_preview = serializers.ListField(child=serializers.DictField(), help_text="At most 5")
    sample_debtors = serializers.ListField(
        child=serializers.DictField(), help_text="At most 3 jobs as they would be stored"
    )
    sample_rows = serializers.ListField(child=serializers.DictField(), help_text="At most 5 raw rows")
    detected_columns = serializers.DictField(child=serializers.CharField(), help_text="{header: meaning}")
    country_format = serializers.CharField(help_text="CL or AR: the numbering plan and national id rules used")
    file_format = serializers.ChoiceField(["xlsx", "xls", "ods", "csv"])
    jobs_to_create = serializers.IntegerField()
    estimated_cost = serializers.FloatField()


class PreviewResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    filename = serializers.CharField()
    preview = PreviewSerializer()
    errors = RowErrorSerializer(many=True, help_text="At most 100")


class ImportCountsSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    duplicates_skipped = serializers.IntegerField()
    invalid_rows = serializers.IntegerField()
    errors = RowErrorSerializer(many=True, help_text="At most 100")


class CreateResponseSerializer(ImportCountsSerializer):
    batch_id = serializers.CharField()
    batch_name = serializers.CharField()
    processing_type = serializers.CharField()
    total_jobs = serializers.IntegerField()
    jobs_created = serializers.IntegerField()
    contacts_processed = serializers.IntegerField()
    estimated_cost = serializers.FloatField()
    batch = BatchSerializer()


class UseCaseResponseSerializer(CreateResponseSerializer):
    use_case = serializers.ChoiceField(list(USE_CASES))
    country = serializers.ChoiceField(Country.choices)
    stats = serializers.DictField()


class UploadResponseSerializer(ImportCountsSerializer):
    jobs_added = serializers.IntegerField()


class IntakeErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    message = serializers.CharField(help_text="Same text (the frontend reads `message`)")
    errors = serializers.JSONField(required=False, help_text="Row errors or field errors, when there are some")
    batch_id = serializers.CharField(required=False, help_text="503: the batch left import_status=failed")


class UseCasesSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    use_cases = serializers.ListField(child=serializers.CharField())
    description = serializers.DictField(child=serializers.CharField())
    countries = serializers.DictField(child=serializers.CharField())
