"""Response shapes shared by the apps (documentation of errors and results)."""

from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from speechai.bson_json import to_json

# BSON integers are 64-bit.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def bson_problem(value):
    """Why MongoDB cannot store `value` (nested keys and items included), or
    None: a lone surrogate (no UTF-8 for it), NUL or a non-string in a key,
    a number outside the 64-bit integer range."""
    problem = None
    if isinstance(value, int) and not isinstance(value, bool):
        if not INT64_MIN <= value <= INT64_MAX:
            problem = "An integer outside the 64-bit range."
    elif isinstance(value, float):
        # JSON cannot tell 1e20 from the integer 100000000000000000000 (JavaScript
        # writes either): both are held to the same range.
        if not INT64_MIN <= value <= INT64_MAX:
            problem = "A number outside the 64-bit integer range."
    elif isinstance(value, str):
        if not _is_utf8(value):
            problem = "Lone surrogate characters are not allowed."
    elif isinstance(value, list):
        problem = next(filter(None, map(bson_problem, value)), None)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or "\x00" in key:
                return "Keys must not contain NUL characters."
            if problem := bson_problem(key) or bson_problem(item):
                break
    return problem


def _is_utf8(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def safe_key(key):
    """A key fit to echo in an error body (JSON output cannot hold a lone surrogate)."""
    return key if isinstance(key, str) and _is_utf8(key) and "\x00" not in key else ascii(key)


# Per input serializer class, sets of fields built and not in use.
_spare_fields = {}


class InputFieldsReused:
    """An input serializer whose fields are reused from one validation to the
    next instead of built for each instance: DRF deep-copies every declared
    field (running each field's __init__ again) whenever a serializer is
    made, which cost a small request about as much as validating its body.
    An instance takes a spare set of fields (or builds one) and gives it back
    when is_valid() returns, so no two validations running at once share a
    set, whether threads or greenlets run them. Only for serializers that
    validate input: their fields keep nothing between validations and read
    neither `context` nor `instance`; after is_valid(), read validated_data
    and errors, not fields."""

    @cached_property
    def fields(self):
        spare = _spare_fields.setdefault(type(self), [])
        try:
            fields = spare.pop()
        except IndexError:
            fields = super().fields
        fields.serializer = self
        for field in fields.values():
            field.parent = self
        return fields

    def is_valid(self, *, raise_exception=False):
        try:
            return super().is_valid(raise_exception=raise_exception)
        finally:
            fields = self.__dict__.pop("fields", None)
            if fields is not None:
                _spare_fields.setdefault(type(self), []).append(fields)


class StrictCharField(serializers.CharField):
    """A string in the body, never a number turned into one (`{"ids": [0]}` is refused)."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false in a JSON body; not 0/1 or "yes" (query strings use QueryBooleanField)."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class EmptyIsInvalidMixin:
    """A query parameter sent empty (`?limit=`) is an invalid value, not an
    absent one (DRF's default for optional fields)."""

    def get_value(self, dictionary):
        if dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)


class QueryIntegerField(EmptyIsInvalidMixin, serializers.IntegerField):
    pass


class QueryDateTimeField(EmptyIsInvalidMixin, serializers.DateTimeField):
    pass


class QueryChoiceField(EmptyIsInvalidMixin, serializers.ChoiceField):
    pass


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    message = serializers.CharField(help_text="The same as detail (what the React frontend shows)")


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.DictField(help_text="Messages per offending field.")


class ConflictSerializer(ErrorSerializer):
    status = serializers.CharField(help_text="The current status that does not allow the action.")


class ActionResultSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["healthy", "unhealthy"])
    database = serializers.ChoiceField(choices=["connected", "unreachable"])
    timestamp = serializers.CharField()


class StoredDocumentListSerializer(serializers.ListSerializer):
    """A page of stored documents, converted in one pass (not one per document)."""

    def to_representation(self, data):
        return to_json([self.child.shown(document) for document in data])


class StoredDocumentSerializer(serializers.Serializer):
    """A stored MongoDB document shown as is: every stored key, `_id` as a
    24-hex string, datetimes as ISO UTC with Z, nested BSON converted.
    Declared fields document the known keys; unknown ones pass through."""

    class Meta:
        list_serializer_class = StoredDocumentListSerializer

    def shown(self, document):
        """The document as the API shows it, before JSON conversion: subclasses
        add what is derived (never stored)."""
        return document

    def to_representation(self, instance):
        return to_json(self.shown(instance))


class RootSerializer(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField()
    docs = serializers.CharField()
    api = serializers.CharField()
    health = serializers.CharField()


# Error responses every app documents the same way (drf-spectacular).
READ_AUTH_ERRORS = {401: OpenApiResponse(ErrorSerializer, description="No or invalid credentials")}
AUTH_ERRORS = {
    **READ_AUTH_ERRORS,
    403: OpenApiResponse(ErrorSerializer, description="Missing permission"),
}
BAD_REQUEST = {400: OpenApiResponse(ValidationErrorSerializer, description="Invalid input, fields named")}
