"""Stored BSON documents -> JSON-ready Python values.

Worker-written documents carry types JSON has no word for: datetimes nested
in `call_result`, ObjectIds, Int64, Decimal128, binary. Everything is
converted, nothing dropped: the API shows documents as stored.
"""

import base64
import datetime
import math
import uuid
from decimal import Decimal
from functools import singledispatch

from bson import Binary, Decimal128, ObjectId, Regex, Timestamp
from bson.dbref import DBRef


def format_datetime(value):
    """ISO 8601 in UTC with a Z suffix: 2025-10-25T17:46:04.648000Z."""
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@singledispatch
def to_json(value):
    """Fallback for any other BSON type: its string form, never an error."""
    return str(value)


@to_json.register(type(None))
@to_json.register(str)
@to_json.register(bool)
def _as_is(value):
    return value


@to_json.register
def _int(value: int):
    return int(value)  # Int64 -> int


@to_json.register
def _float(value: float):
    # NaN and Infinity are BSON doubles but not JSON.
    return value if math.isfinite(value) else None


@to_json.register
def _dict(value: dict):
    return {str(key): to_json(item) for key, item in value.items()}


@to_json.register(list)
@to_json.register(tuple)
def _list(value):
    return [to_json(item) for item in value]


to_json.register(datetime.datetime, format_datetime)
to_json.register(datetime.date, lambda value: value.isoformat())
to_json.register(ObjectId, str)
to_json.register(uuid.UUID, str)
to_json.register(Decimal128, lambda value: to_json(value.to_decimal()))
to_json.register(Decimal, lambda value: float(value) if value.is_finite() else None)
to_json.register(bytes, lambda value: base64.b64encode(value).decode("ascii"))
to_json.register(Binary, lambda value: base64.b64encode(bytes(value)).decode("ascii"))
to_json.register(Timestamp, lambda value: format_datetime(value.as_datetime()))
to_json.register(DBRef, lambda value: {"$ref": value.collection, "$id": to_json(value.id)})
to_json.register(Regex, lambda value: value.pattern)
