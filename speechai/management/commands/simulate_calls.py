"""A stand-in for the call workers, for demos: claims pending jobs of active
campaigns the way a worker does and finishes each with a worker-shaped call
result, one every --interval seconds, so the dashboard moves."""

import datetime
import random
import time

from django.core.management.base import BaseCommand
from pymongo import ReturnDocument

from batches.models import Batch
from jobs.models import Job
from speechai.demo_calls import DemoCalls
from speechai.mongo import collection, utc_now

LEASE_SECONDS = 120


class Command(BaseCommand):
    help = "Simulate a call worker: claim pending jobs of active batches and write call results (demo only)."

    def add_arguments(self, parser):
        parser.add_argument("--calls", type=int, default=0, help="Stop after this many calls (default: until Ctrl-C).")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between calls (default 2).")
        parser.add_argument("--success-rate", type=float, default=0.7, help="Share of answered calls (default 0.7).")
        parser.add_argument("--worker-id", default="bot-sim")

    def handle(self, calls, interval, success_rate, worker_id, **options):
        rng = random.Random()
        made = 0
        while not calls or made < calls:
            job = self.claim(worker_id)
            if job is None:
                self.stdout.write("No pending job in an active batch; stopping.")
                break
            now = utc_now()
            success = rng.random() < success_rate
            fields = DemoCalls(rng, now).call(job, success, ended=now)
            fields.update(status="done" if success else "failed", worker_id=worker_id)
            collection(Job).update_one({"_id": job["_id"]}, {"$set": fields})
            made += 1
            self.stdout.write(
                f"{job.get('job_id') or job['_id']}: {fields['call_result']['summary']['disconnection_reason']}"
            )
            if interval and (not calls or made < calls):
                time.sleep(interval)
        self.stdout.write(self.style.SUCCESS(f"{made} calls simulated."))

    @staticmethod
    def claim(worker_id):
        """What a worker does: one find_one_and_update on a pending job of an active batch."""
        active = [
            b["batch_id"] for b in collection(Batch).find({"is_active": True, "deleted_at": None}, {"batch_id": 1})
        ]
        now = utc_now()
        # pymongo directly: the claim as workers write it, not a project service.
        return collection(Job).find_one_and_update(
            {"status": "pending", "batch_id": {"$in": active}},
            {
                "$set": {
                    "status": "in_progress",
                    "worker_id": worker_id,
                    "reserved_until": now + datetime.timedelta(seconds=LEASE_SECONDS),
                    "started_at": now,
                    "updated_at": now,
                },
                "$inc": {"attempts": 1},
            },
            return_document=ReturnDocument.AFTER,
        )
