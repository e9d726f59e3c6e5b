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

import orjson
from bson import Binary, Decimal128, ObjectId, Regex, Timestamp
from bson.dbref import DBRef


def format_datetime(value):
    """ISO 8601 in UTC with a Z suffix: 2025-10-25T17:46:04.648000Z."""
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds") + "Z"


# orjson converts what JSON has a word for (in C: strings, numbers, NaN and
# Infinity to null, nested dicts and lists); `convert` the rest.
ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def to_json(value):
    """`value` (a stored document, or any part of one) as JSON-ready values."""
    try:
        return orjson.loads(orjson.dumps(value, default=_unknown_to_orjson, option=ORJSON_OPTIONS))
    except orjson.JSONEncodeError:
        # What orjson refuses (nesting deeper than 255 levels, integers beyond
        # 64 bits): converted value by value.
        return convert(value)


@singledispatch
def convert(value):
    """Fallback for any other BSON type: its string form, never an error."""
    return str(value)


@convert.register(type(None))
@convert.register(str)
@convert.register(bool)
def _as_is(value):
    return value


@convert.register
def _int(value: int):
    return int(value)  # Int64 -> int


@convert.register
def _float(value: float):
    # NaN and Infinity are BSON doubles but not JSON.
    return value if math.isfinite(value) else None


@convert.register
def _dict(value: dict):
    return {str(key): convert(item) for key, item in value.items()}


@convert.register(list)
@convert.register(tuple)
def _list(value):
    return [convert(item) for item in value]


convert.register(datetime.datetime, format_datetime)
convert.register(datetime.date, lambda value: value.isoformat())
convert.register(ObjectId, str)
convert.register(uuid.UUID, str)
convert.register(Decimal128, lambda value: convert(value.to_decimal()))
convert.register(Decimal, lambda value: float(value) if value.is_finite() else None)
convert.register(bytes, lambda value: base64.b64encode(value).decode("ascii"))
convert.register(Binary, lambda value: base64.b64encode(bytes(value)).decode("ascii"))
convert.register(Timestamp, lambda value: format_datetime(value.as_datetime()))
convert.register(DBRef, lambda value: {"$ref": value.collection, "$id": convert(value.id)})
convert.register(Regex, lambda value: value.pattern)


def _unknown_to_orjson(value):
    # Datetimes are most of what orjson asks about (a page of 100 jobs: ~500):
    # formatted without the type dispatch, which cost more than the formatting.
    if value.__class__ is datetime.datetime:
        return format_datetime(value)
    return convert(value)
