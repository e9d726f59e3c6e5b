import re
import uuid

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse

from speechai.database_breaker import UNAVAILABLE_MESSAGE, breaker, is_unavailable
from speechai.exceptions import error_body
from speechai.logging import current_request_id
from speechai.parsers import too_large_detail

REQUEST_ID_HEADER = "X-Request-ID"
# An id from the proxy or the caller is kept only if it is safe to log as it is.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_middleware(get_response):
    """Gives every request an id: the caller's (or proxy's) X-Request-ID when
    it is a sane token, else a new one. Log lines written while the request
    is served carry it, and so does the response (gunicorn's access line
    reads it there)."""

    def middleware(request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        # Django logs 4xx/5xx responses with the request once the middleware is done.
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response

    return middleware


def is_json_path(path):
    """Paths whose every response is JSON, whatever the settings."""
    return path.startswith("/api/") or path == "/health" or path.startswith("/health/")


ERROR_DETAILS = {
    400: "Bad request.",
    403: "Forbidden.",
    404: "Not found: no such API endpoint.",
    405: "Method not allowed.",
    413: "Request body too large.",
    500: "Internal server error.",
}
SKIPPED_HEADERS = {"content-type", "content-length"}


class JsonErrorsMiddleware:
    """Under /api/ and /health an error is JSON `{"detail", "message"}` even
    where Django answers with HTML: its DEBUG pages (technical 404 and 500,
    which bypass handler404/handler500), 400 for a bad Host, 405 of plain
    views. A body over DATA_UPLOAD_MAX_MEMORY_SIZE (files aside) is a 413."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_json_path(request.path):
            return self.get_response(request)
        if self.body_too_large(request):
            return self.error(413, too_large_detail())
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            converted = self.error(
                response.status_code, ERROR_DETAILS.get(response.status_code, response.reason_phrase)
            )
            for header, value in response.items():
                if header.lower() not in SKIPPED_HEADERS:
                    converted[header] = value
            return converted
        return response

    def process_exception(self, request, exception):
        if is_json_path(request.path) and isinstance(exception, RequestDataTooBig):
            return self.error(413, too_large_detail())
        return None

    @staticmethod
    def body_too_large(request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None or request.content_type == "multipart/form-data":  # file uploads have their own limits
            return False
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0) > limit
        except ValueError:
            return False

    @staticmethod
    def error(status, detail):
        return JsonResponse(error_body(detail), status=status)


class DatabaseBreakerMiddleware:
    """While the database is known to be down (speechai/database_breaker.py),
    every request but /health (which checks for itself) answers 503 at once:
    JSON under /api/, a short page elsewhere. A view that meets an
    unreachable or too slow database answers 503 (the API's exception
    handler does the same) and an unreachable one trips the breaker."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/health" and not breaker.admits_request():
            return database_unavailable(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_unavailable(exception):
            return None
        breaker.record(exception)
        return database_unavailable(request)


def database_unavailable(request):
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body(UNAVAILABLE_MESSAGE), status=503)
    else:
        response = HttpResponse(f"<h1>Service unavailable</h1><p>{UNAVAILABLE_MESSAGE}</p>", status=503)
    response["Retry-After"] = str(breaker.retry_after_seconds())
    return response


class PageMessageMiddleware(MessageMiddleware):
    """Django's messages (the admin's "3 jobs cancelled" notes) for pages;
    JSON paths show none, so no message storage is made for them."""

    def process_request(self, request):
        if not is_json_path(request.path):
            super().process_request(request)
