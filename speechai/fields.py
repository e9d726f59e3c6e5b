import datetime

from bson import Decimal128
from django.db import models
from django.db.models.fields.json import KeyTransformFactory
from django.utils import timezone


class RawBSONField(models.Field):
    """A worker-written nested value (object, list or scalar) handed back as
    stored. Unlike JSONField it never json-decodes (BSON datetimes and
    ObjectIds inside are fine) and unlike EmbeddedModelField it never drops
    unknown sub-keys. Conversion to JSON is the serializer's job."""

    description = "Stored BSON value, as is"

    def get_transform(self, name):
        # `contact__name="x"` queries the sub-key (MongoDB path `contact.name`,
        # so an index on it is used), as on a JSONField.
        return super().get_transform(name) or KeyTransformFactory(name)

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


# Loading a model instance applies the backend's converters by field type
# (Int64 -> int, naive datetime -> aware); one document with a string where a
# datetime belongs would make them raise and take the whole admin list down.
# These fields convert what has the expected type and hand back anything else
# as stored.


class StoredDateTimeField(models.DateTimeField):
    """A datetime written by another program (naive UTC in BSON)."""

    def get_internal_type(self):
        return "StoredDateTimeField"  # not "DateTimeField": skips the backend's strict converter

    def from_db_value(self, value, expression, connection):
        if isinstance(value, datetime.datetime) and timezone.is_naive(value):
            return timezone.make_aware(value, datetime.UTC)
        return value


class StoredIntegerField(models.IntegerField):
    """An int written by another program (int32, Int64 or a double)."""

    def get_internal_type(self):
        return "StoredInteger"  # no "IntegerField" in it: skips the backend's int() converter

    def from_db_value(self, value, expression, connection):
        if isinstance(value, int) and not isinstance(value, bool):
            return int(value)  # Int64 -> int
        return value


class StoredNumberField(models.FloatField):
    """An amount written by another program: a double, int32, Int64 or
    Decimal128 (anything else is handed back as stored)."""

    def get_internal_type(self):
        return "StoredNumber"

    def from_db_value(self, value, expression, connection):
        if isinstance(value, Decimal128):
            return float(value.to_decimal())
        if isinstance(value, int) and not isinstance(value, bool):
            return int(value)
        return value
