"""Values a process remembers for a few seconds (recently read tokens, a
batch's recently counted jobs), so that a burst of requests does not repeat
the same database work."""

import threading
import time


class RecentValues:
    """key -> (value, expiry), per process, thread-safe. Beyond `size` keys
    the oldest are forgotten (and read again when they come back)."""

    def __init__(self, size):
        self.size = size
        self._lock = threading.Lock()
        self._entries = {}
        self._refreshing = set()

    def get(self, key):
        """The value remembered for `key`, or None once it has expired."""
        entry = self._entries.get(key)
        if entry is None or entry[1] <= time.monotonic():
            return None
        return entry[0]

    def get_expired(self, key):
        """The value last remembered for `key`, expired or not (or None)."""
        entry = self._entries.get(key)
        return None if entry is None else entry[0]

    def current(self, key, version):
        """The value put for `key` under `version` (stored as (version,
        value)) -> (value, claimed): (value, False) while fresh; once expired
        with the version unchanged, (None, True) for the one caller that
        refreshes it (it must `put` or `release`) and the last value to the
        others, so that they do not repeat the work; (None, False) when
        there is none for this version."""
        remembered = self.get(key)
        if remembered is not None and remembered[0] == version:
            return remembered[1], False
        expired = self.get_expired(key)
        if expired is not None and expired[0] == version:
            if self.claim(key):
                return None, True
            return expired[1], False
        return None, False

    def claim(self, key):
        """True for the one caller that may refresh an expired `key` (until
        it puts a new value or calls `release`), False for the others."""
        with self._lock:
            if key in self._refreshing:
                return False
            self._refreshing.add(key)
            return True

    def release(self, key):
        with self._lock:
            self._refreshing.discard(key)

    def put(self, key, value, seconds):
        with self._lock:
            if key not in self._entries and len(self._entries) >= self.size:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (value, time.monotonic() + seconds)
            self._refreshing.discard(key)

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._refreshing.clear()
