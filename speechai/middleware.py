import re
import uuid

from django.http import HttpResponse, JsonResponse

from speechai.database_breaker import UNAVAILABLE_MESSAGE, breaker, is_unavailable
from speechai.logging import current_request_id

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
        response = JsonResponse({"detail": UNAVAILABLE_MESSAGE, "message": UNAVAILABLE_MESSAGE}, status=503)
    else:
        response = HttpResponse(f"<h1>Service unavailable</h1><p>{UNAVAILABLE_MESSAGE}</p>", status=503)
    response["Retry-After"] = str(breaker.retry_after_seconds())
    return response
