"""Structured logs: one JSON object per line on stdout (LOG_FORMAT=json, the
default outside DEBUG), for the application and for gunicorn alike
(docker/gunicorn.conf.py loads settings.LOGGING).

Every line carries the request id of the request being served
(speechai.middleware.request_id_middleware); gunicorn's access lines also
carry method, path, status and duration. Errors name their cause: the
MongoDB backend raises exceptions with empty messages and chains the real
one. Imports nothing from Django, so that gunicorn's master can use it.
"""

import json
import logging
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime

from speechai.bson_json import format_datetime

# The id of the request the current thread is serving, None outside requests.
current_request_id = ContextVar("current_request_id", default=None)


def database_cause(exc):
    """The backend raises errors with empty messages; the cause is chained."""
    while exc.__cause__ is not None and not str(exc):
        exc = exc.__cause__
    return f"{type(exc).__name__}: {exc}"


def _gunicorn_access_fields(atoms):
    """gunicorn logs each request with its 'atoms' (see gunicorn's
    access_log_format) as the record's arguments."""
    fields = {
        "request_id": atoms["{x-request-id}o"],
        "method": atoms["m"],
        "path": atoms["U"],
        "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
        "duration_ms": round(atoms["D"] / 1000, 1),
        "remote_addr": atoms["h"],
        "user_agent": atoms["a"],
    }
    return {key: value for key, value in fields.items() if value != "-"}


def _django_request_fields(record):
    """django.request logs 4xx/5xx responses with the request and status."""
    request = getattr(record, "request", None)
    fields = {}
    if hasattr(request, "request_id"):  # logged after the middleware reset current_request_id
        fields["request_id"] = request.request_id
    if hasattr(request, "method") and hasattr(request, "path"):
        fields.update(method=request.method, path=request.path)
    if hasattr(record, "status_code"):
        fields["status"] = record.status_code
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": format_datetime(datetime.fromtimestamp(record.created, UTC)),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            entry.update(_gunicorn_access_fields(record.args))
        else:
            entry["request_id"] = current_request_id.get()
            entry.update(_django_request_fields(record))
        if record.exc_info and record.exc_info[1] is not None:
            entry["error"] = database_cause(record.exc_info[1])
            entry["traceback"] = "".join(traceback.format_exception(*record.exc_info))
        elif record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps({key: value for key, value in entry.items() if value is not None}, default=str)
