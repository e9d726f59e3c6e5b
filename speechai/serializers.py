"""Response shapes shared by the apps (documentation of errors and results)."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from speechai.bson_json import to_json


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
        return to_json(list(data))


class StoredDocumentSerializer(serializers.Serializer):
    """A stored MongoDB document shown as is: every stored key, `_id` as a
    24-hex string, datetimes as ISO UTC with Z, nested BSON converted.
    Declared fields document the known keys; unknown ones pass through."""

    class Meta:
        list_serializer_class = StoredDocumentListSerializer

    def to_representation(self, instance):
        return to_json(instance)


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
