"""gunicorn's logger with a cheaper access line (docker/gunicorn.conf.py):
gunicorn gathers every request header, response header and environ
variable for each line (and escapes each), about a tenth of a small
request's CPU; the project's line (ACCESS_LOG_FORMAT and the JSON fields of
speechai/logging.py) uses the standard atoms and one response header. Any
other format gets gunicorn's full atoms."""

from gunicorn.glogging import Logger

ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        if self.cfg.access_log_format != ACCESS_LOG_FORMAT:
            return super().atoms(resp, req, environ, request_time)
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        method = environ.get("REQUEST_METHOD")
        atoms = {
            "h": environ.get("REMOTE_ADDR", "-"),
            "r": f"{environ['REQUEST_METHOD']} {environ['RAW_URI']} {environ['SERVER_PROTOCOL']}",
            "s": status,
            "m": method,
            "U": environ.get("PATH_INFO"),
            "b": (sent is not None and str(sent)) or "-",
            "a": environ.get("HTTP_USER_AGENT", "-"),
            "D": request_time.seconds * 1000000 + request_time.microseconds,
            "M": request_time.seconds * 1000 + int(request_time.microseconds / 1000),
        }
        headers = resp.headers.items() if hasattr(resp.headers, "items") else resp.headers
        request_id = next((value for name, value in headers if name.lower() == "x-request-id"), None)
        if request_id is not None:
            atoms["{x-request-id}o"] = request_id
        return atoms
