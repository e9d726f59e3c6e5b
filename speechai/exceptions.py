"""One error shape for the whole API: {"detail": "<human message>",
"message": "<the same>"} (the React frontend shows `message`).

Field validation errors keep the per-field messages under "errors" and name
the fields in "detail". Database errors by kind: the database unreachable or
timing out is a 503; a write the server refuses (duplicate key, document too
large, invalid field name) is a 400 saying so; any other database error is
a 500, logged with its cause. Never a 503 for a client's input.
"""

import logging

from bson.errors import BSONError
from pymongo.errors import (
    ConnectionFailure,
    DocumentTooLarge,
    ExecutionTimeout,
    PyMongoError,
    WriteConcernError,
    WriteError,
    WTimeoutError,
)
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.views import exception_handler

from speechai.database_breaker import UNAVAILABLE_MESSAGE, breaker
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
    default_detail = UNAVAILABLE_MESSAGE
    default_code = "database_unavailable"


class WriteRefused(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "write_refused"


class DatabaseError(APIException):
    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_detail = "The database could not carry out the request; the error is logged."
    default_code = "database_error"


# Unreachable or too slow: the database's fault, worth retrying later.
UNAVAILABLE = (ConnectionFailure, ExecutionTimeout, WTimeoutError, WriteConcernError)
# Refused for what was sent (WriteError covers DuplicateKeyError).
REFUSED = (WriteError, DocumentTooLarge, BSONError)


def database_error(exc):
    """The API exception for a database error (or a Django error caused by one), else None."""
    cause = exc if isinstance(exc, PyMongoError | BSONError) else exc.__cause__
    if not isinstance(cause, PyMongoError | BSONError):
        return None
    if isinstance(cause, UNAVAILABLE):
        return DatabaseUnavailable()
    if isinstance(cause, REFUSED):
        message = (getattr(cause, "details", None) or {}).get("errmsg") or str(cause)
        return WriteRefused(f"The database refused the write: {message}")
    return DatabaseError()


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
    if (mapped := database_error(exc)) is not None:
        log = logger.warning if isinstance(mapped, WriteRefused) else logger.error
        log(
            "Database error in %s: %s", context["request"].path, database_cause(exc), exc_info=mapped.status_code == 500
        )
        if isinstance(mapped, DatabaseUnavailable):
            breaker.record(exc)
        exc = mapped

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
    elif isinstance(exc, DatabaseUnavailable):
        response.data = {"detail": UNAVAILABLE_MESSAGE, "message": UNAVAILABLE_MESSAGE}
        response["Retry-After"] = str(breaker.retry_after_seconds())
    elif isinstance(exc, Conflict):
        response.data = {"detail": str(exc.detail), "status": exc.current_status}
    return with_message(response)


def error_body(detail, **extra):
    return {"detail": detail, "message": detail, **extra}


def with_message(response):
    """`message` beside `detail` in an error body."""
    if isinstance(response.data, dict) and isinstance(response.data.get("detail"), str):
        response.data = {**response.data, "message": response.data["detail"]}
    return response
