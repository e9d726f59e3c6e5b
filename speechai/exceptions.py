"""One error shape for the whole API: {"detail": "<human message>"}.

Field validation errors keep the per-field messages under "errors" and name
the fields in "detail". Database failures become 503, never a bare 500.
"""

import logging

from pymongo.errors import PyMongoError
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.views import exception_handler

from speechai.logging import database_cause

logger = logging.getLogger(__name__)


class Conflict(APIException):
    """The object exists but its state does not allow the action (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, detail, current_status):
        super().__init__(detail)
        self.current_status = current_status


class DatabaseUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable, try again later."
    default_code = "database_unavailable"


def _flatten(errors, prefix=""):
    """{"call_settings": {"ring_timeout": ["..."]}} -> ["call_settings.ring_timeout: ..."]"""
    if isinstance(errors, dict):
        lines = []
        for key, value in errors.items():
            if key == "non_field_errors":
                name = prefix
            elif isinstance(key, int):  # a list item's errors: {1: [...]}
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            lines += _flatten(value, name)
        return lines
    if isinstance(errors, list):
        if all(isinstance(item, str) for item in errors):
            return [f"{prefix}: {msg}" if prefix else str(msg) for msg in errors]
        lines = []
        for index, item in enumerate(errors):
            lines += _flatten(item, f"{prefix}[{index}]")
        return lines
    return [f"{prefix}: {errors}" if prefix else str(errors)]


def api_exception_handler(exc, context):
    if isinstance(exc, PyMongoError) or isinstance(exc.__cause__, PyMongoError):
        logger.error("Database error in %s: %s", context["request"].path, database_cause(exc))
        exc = DatabaseUnavailable()

    if isinstance(exc, ParseError):  # a body that is not JSON: the 400 shape, errors included
        exc = ValidationError({"non_field_errors": [exc.detail]})

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        errors = response.data
        if isinstance(errors, list):
            errors = {"non_field_errors": errors}
        response.data = {"detail": "; ".join(_flatten(errors)), "errors": errors}
    elif isinstance(exc, Conflict):
        response.data = {"detail": str(exc.detail), "status": exc.current_status}
    return response
