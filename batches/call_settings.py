"""call_settings: the settings the call workers read from a batch, validated
on every write (API create and PATCH, and intake's `call_settings_json`
through `validate_call_settings`)."""

import functools
import re
import zoneinfo

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from speechai.serializers import StrictCharField, bson_problem, safe_key

TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
SCALAR_TYPES = (str, int, float, bool, type(None))
# Extra call_settings keys (beyond the known ones) a worker may read: plain
# identifiers only (never `$`-prefixed or dotted, which MongoDB reads as
# operators or paths), a bounded number, bounded strings.
EXTRA_KEY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")  # the whole key (fullmatch)
MAX_SETTINGS_KEYS = 50
MAX_SETTING_LENGTH = 1000


@functools.cache
def time_zone_names():
    return frozenset(zoneinfo.available_timezones())


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
    """The settings the call workers read (docs/data-model.md). Every key is
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
        if isinstance(data, dict) and len(data) > MAX_SETTINGS_KEYS:
            errors["non_field_errors"] = [f"At most {MAX_SETTINGS_KEYS} settings ({len(data)} sent)."]
        for key, value in extra.items():
            if problem := bson_problem({key: value}):  # what MongoDB cannot store at all, named first
                errors[safe_key(key)] = [problem]
            elif not isinstance(key, str) or not EXTRA_KEY_NAME.fullmatch(key):
                shown = str(key)[:64] + ("..." if len(str(key)) > 64 else "")
                errors[shown] = [
                    "Not a valid setting name: letters, digits and _ (not first a digit), at most 64 characters."
                ]
            elif not isinstance(value, SCALAR_TYPES):
                errors[key] = ["Unknown setting; only a string, number, boolean or null is kept."]
            elif isinstance(value, str) and len(value) > MAX_SETTING_LENGTH:
                errors[key] = [f"At most {MAX_SETTING_LENGTH} characters."]
            elif isinstance(value, str) and "\x00" in value:
                errors[key] = ["Null characters are not allowed."]
        if errors:
            raise serializers.ValidationError(errors)
        return {**validated, **extra}


def validate_call_settings(settings):
    """Validated call_settings (a dict) or a ValidationError naming the
    offending keys: the rules of the API, for any caller (intake's
    call_settings_json too)."""
    serializer = CallSettingsSerializer(data=settings)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
