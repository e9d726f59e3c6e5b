from django.db import models


class RawBSONField(models.Field):
    """A worker-written nested value (object, list or scalar) handed back as
    stored. Unlike JSONField it never json-decodes (BSON datetimes and
    ObjectIds inside are fine) and unlike EmbeddedModelField it never drops
    unknown sub-keys. Conversion to JSON is the serializer's job."""

    description = "Stored BSON value, as is"

    def get_internal_type(self):
        return "RawBSONField"

    def db_type(self, connection):
        return "object"

    def from_db_value(self, value, expression, connection):
        return value

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        return value

    def value_to_string(self, obj):
        return repr(self.value_from_object(obj))
