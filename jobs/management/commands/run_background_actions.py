"""The worker of the admin's background actions (jobs/background_actions.py):
claims queued actions one at a time and runs them. Any number may run; each
action runs once. `rundev` starts one; compose runs it as its own service."""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError
from pymongo.errors import PyMongoError

from jobs import background_actions
from speechai.logging import database_cause


class Command(BaseCommand):
    help = "Run the admin's queued background actions (bulk cancel/retry over many jobs) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run what is queued now, then exit.")
        parser.add_argument(
            "--poll-seconds", type=float, default=2.0, help="Pause between looks at an empty queue (default 2)."
        )

    def handle(self, *args, once, poll_seconds, **options):
        self.stopping = False
        # SIGTERM (docker stop, rundev) ends the loop after the action running now.
        previous_handler = signal.signal(signal.SIGTERM, self.stop)
        try:
            self.work(once, poll_seconds)
        finally:
            signal.signal(signal.SIGTERM, previous_handler)

    def work(self, once, poll_seconds):
        worker = background_actions.worker_name()
        self.stdout.write(f"Background actions worker {worker} started.")
        while not self.stopping:
            try:
                ran = self.run_next(worker)
            except (PyMongoError, DatabaseError) as error:
                # The database went away: an action it was running stays
                # "running" (visible); the worker waits for the database.
                self.stderr.write(f"Database unreachable: {database_cause(error)}")
                ran = False
            if not ran:
                if once:
                    break
                self.pause(poll_seconds)
        self.stdout.write("Background actions worker stopped.")

    def run_next(self, worker):
        """Claim and run one queued action; False when none is queued."""
        action = background_actions.claim_next(worker)
        if action is None:
            return False
        self.stdout.write(f"Running {action.get_action_display()} #{action.pk} by {action.actor}...")
        completed = background_actions.run(action)
        self.stdout.write(f"#{action.pk} {'completed' if completed else 'failed'}.")
        return True

    def stop(self, signum, frame):
        self.stopping = True

    def pause(self, seconds):
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(0.1)
