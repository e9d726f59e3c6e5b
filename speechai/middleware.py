import re
import uuid

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
