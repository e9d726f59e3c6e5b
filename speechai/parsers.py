"""The API's JSON parser, with limits: a body over Django's
DATA_UPLOAD_MAX_MEMORY_SIZE is a 413, JSON nested deeper than MAX_JSON_DEPTH
a 400 (Python's parser would recurse until a RecursionError, a 500)."""

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json

# Far beyond any body of this API (call_settings is 3 levels deep).
MAX_JSON_DEPTH = 32


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


def too_large_detail():
    return f"The request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes."


def deeper_than(value, limit):
    """True when arrays/objects nest more than `limit` levels (iterative)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(too_large_detail())
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        too_deep = ParseError(f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.")
        try:
            data = json.loads(raw.decode(encoding), parse_constant=json.strict_constant if self.strict else None)
        except RecursionError:
            raise too_deep from None
        except ValueError as exc:  # also UnicodeDecodeError
            raise ParseError(f"JSON parse error - {exc}") from None
        if deeper_than(data, MAX_JSON_DEPTH):
            raise too_deep
        return data
