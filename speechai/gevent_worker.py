"""gunicorn's gevent worker, replaced within milliseconds when it stops
(recycled after max_requests, or on SIGTERM).

Until a worker's process has exited the master forks no replacement, and a
lone worker's new connections wait in the listen queue. gunicorn's own
gevent worker, once it has stopped accepting, looks once a second whether
its requests in flight are done, and then the interpreter's exit joins
pymongo's monitor threads (another ~0.5 s): new requests waited up to 1.6 s
at every recycle (a p95 of 1.2 s in a benchmark block that crossed one).
This one counts its connections, and once the last is answered it closes
its database connections (ending their sessions) and leaves at once. It
still waits for them up to graceful_timeout, as gunicorn does.
"""

import logging
import os
import time

import gevent
from django.db import connections
from gunicorn.workers import ggevent

DRAIN_POLL_SECONDS = 0.01


class GeventWorker(ggevent.GeventWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_connections = 0

    def handle(self, listener, client, addr):
        self.open_connections += 1
        try:
            super().handle(listener, client, addr)
        finally:
            self.open_connections -= 1

    def notify(self):
        """gunicorn's run() calls this between its one-second checks; once the
        worker is no longer alive, that is while it waits for its requests in
        flight, its listening sockets closed."""
        super().notify()
        if self.alive:
            return
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while self.open_connections and time.monotonic() < deadline:
            gevent.sleep(DRAIN_POLL_SECONDS)
        if not self.open_connections:
            self.leave()
        # else gunicorn's run() ends them

    def run(self):
        super().run()  # returns once nothing was in flight, or it ended what was
        self.leave()

    def leave(self):
        self.log.info("Worker exiting (pid: %s)", self.pid)
        connections.close_all()
        logging.shutdown()
        # Nothing of the application runs outside requests (no threads of its
        # own), so the interpreter's teardown has nothing left to finish.
        os._exit(0)
