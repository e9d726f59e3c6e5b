from django.db import models
from django.db.models.fields.json import KeyTransformFactory


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
