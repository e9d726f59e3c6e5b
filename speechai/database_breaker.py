"""Fail fast while MongoDB is unreachable (a circuit breaker, one per process).

Without it every request waits the full server selection timeout
(MONGODB_TIMEOUT_MS) and the requests queued behind it in the same gunicorn
worker wait longer still. Once any request has seen the database fail to
answer, the process remembers it: requests are answered 503 at once, and one
request per MONGODB_RETRY_INTERVAL_MS probes the database with a short
timeout (MONGODB_PROBE_TIMEOUT_MS) before being served. The first probe that
succeeds (or a `/health` that reaches the database) closes the breaker, so
the app recovers by itself when the database returns.
"""

import logging
import math
import threading
import time

import pymongo
from django.conf import settings
from django.db import DatabaseError, connections
from pymongo.errors import ConnectionFailure, NetworkTimeout, PyMongoError

logger = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = "The database is unavailable, try again later."


def pymongo_error(exc):
    """The pymongo error behind `exc` (the backend chains it), or None."""
    while exc is not None and not isinstance(exc, PyMongoError):
        exc = exc.__cause__ or exc.__context__
    return exc


def is_connection_failure(exc):
    """No server could be reached (down, refusing connections, no primary,
    connection reset), as opposed to an operation refused or a slow reply
    (NetworkTimeout: the server is there, busy)."""
    error = pymongo_error(exc)
    return isinstance(error, ConnectionFailure) and not isinstance(error, NetworkTimeout)


def is_unavailable(exc):
    """The database could not be reached or did not answer in time."""
    error = pymongo_error(exc)
    return isinstance(error, ConnectionFailure) or bool(getattr(error, "timeout", False))


def ping(timeout_ms):
    """None if the database answers a ping within `timeout_ms` (server
    selection and connecting included), else the error."""
    try:
        with pymongo.timeout(timeout_ms / 1000):
            connections["default"].database.command("ping")
    except (PyMongoError, DatabaseError) as error:  # the first connection's checks raise the latter
        return error
    return None


class DatabaseBreaker:
    SERVE, REFUSE, PROBE = "serve", "refuse", "probe"

    def __init__(self):
        self._lock = threading.Lock()
        # Monotonic time of the next probe; None while the database answers.
        self._next_probe_at = None

    @property
    def retry_interval(self):
        return settings.MONGODB_RETRY_INTERVAL_MS / 1000

    def admit(self):
        """SERVE (database believed up), REFUSE (down: answer 503 now) or
        PROBE (down, and this caller checks it for everyone)."""
        with self._lock:
            if self._next_probe_at is None:
                return self.SERVE
            now = time.monotonic()
            if now < self._next_probe_at:
                return self.REFUSE
            self._next_probe_at = now + self.retry_interval
            return self.PROBE

    def retry_after_seconds(self):
        with self._lock:
            waiting = 0 if self._next_probe_at is None else self._next_probe_at - time.monotonic()
        return max(1, math.ceil(waiting))

    def database_failed(self):
        with self._lock:
            was_up = self._next_probe_at is None
            self._next_probe_at = time.monotonic() + self.retry_interval
        if was_up:
            logger.error("The database does not answer: requests fail fast (503) until a probe reaches it.")

    def database_answered(self):
        with self._lock:
            was_down = self._next_probe_at is not None
            self._next_probe_at = None
        if was_down:
            logger.warning("The database answers again: requests are served.")

    def record(self, exc):
        """Called with any database error a request met."""
        if is_connection_failure(exc):
            self.database_failed()

    def check(self, timeout_ms):
        """True if the database answers a ping within `timeout_ms`; the
        outcome opens or closes the breaker (a slow answer does neither)."""
        error = ping(timeout_ms)
        if error is None:
            self.database_answered()
        else:
            self.record(error)
        return error is None

    def admits_request(self):
        """True if a request may go to the database now (probing first if
        it is this request's turn)."""
        decision = self.admit()
        if decision == self.PROBE:
            return self.check(settings.MONGODB_PROBE_TIMEOUT_MS)
        return decision == self.SERVE


breaker = DatabaseBreaker()
