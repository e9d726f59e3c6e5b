"""Figures computed once for every supervisor who asks for them at about the
same time: the dashboard refreshes every few seconds in each open tab, and
ten tabs must not cost ten computations.

Rule: a computation's result answers every request for the same key that
arrived before it finished (they wait for it instead of starting their own)
or within `seconds` after it finished; a later request computes again. A
failed computation is not kept. Per server process.
"""

import threading
import time


class SharedFigures:
    def __init__(self, seconds, clock=time.monotonic):
        self.seconds = seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._computing = {}  # key -> the lock held while its figures are computed
        self._results = {}  # key -> (finished at, figures)

    def get(self, key, compute):
        asked_at = self.clock()
        with self._lock:
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:
            result = self._results.get(key)
            if result and asked_at <= result[0] + self.seconds:
                return result[1]
            figures = compute()
            self._keep(key, figures)
            return figures

    def _keep(self, key, figures):
        finished_at = self.clock()
        with self._lock:
            # Forget what no request can be answered with any more (filters vary).
            for old_key, (old_finished_at, _) in list(self._results.items()):
                if finished_at > old_finished_at + self.seconds:
                    del self._results[old_key]
                    if old_key != key and not self._computing[old_key].locked():
                        del self._computing[old_key]
            self._results[key] = (finished_at, figures)

    def clear(self):
        with self._lock:
            self._results.clear()
