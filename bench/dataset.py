"""The benchmark's data: worker-shaped jobs and batches (the demo data's
generator, speechai/management/commands/seed_demo.py) bulk-inserted with
pymongo, the project's indexes, and a superuser with an API token and an
admin session."""

import collections
import datetime
import random

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connections
from rest_framework.authtoken.models import Token

from bench.scenarios import CANCELLABLE
from jobs.models import JobStatus
from speechai.management.commands.seed_demo import STATUS_WEIGHTS, DemoData
from speechai.mongo import utc_now

INSERT_CHUNK = 5000
USERNAME = "bench"

COUNTER_OF_STATUS = {
    "pending": "pending_jobs",
    "scheduled": "pending_jobs",
    "done": "completed_jobs",
    "completed": "completed_jobs",
    "failed": "failed_jobs",
    "suspended": "suspended_jobs",
}


def database():
    return connections["default"].database


def insert_in_chunks(target, documents):
    for start in range(0, len(documents), INSERT_CHUNK):
        target.insert_many(documents[start : start + INSERT_CHUNK], ordered=False)


def worker_shaped(jobs, batches, seed=12):
    """(batch documents, job documents): jobs spread over the batches, in every
    status with the demo weights, with the stored counters the workers keep."""
    demo = DemoData(random.Random(seed), utc_now())
    batch_documents = [demo.batch(i, demo.now - datetime.timedelta(days=batches - i)) for i in range(batches)]
    statuses, weights = zip(*STATUS_WEIGHTS.items(), strict=True)
    job_documents = [
        demo.job(i, demo.rng.choice(batch_documents), demo.rng.choices(statuses, weights)[0]) for i in range(jobs)
    ]
    counters = collections.defaultdict(collections.Counter)
    for job in job_documents:
        counters[job["batch_id"]]["total_jobs"] += 1
        if job["status"] in COUNTER_OF_STATUS:
            counters[job["batch_id"]][COUNTER_OF_STATUS[job["status"]]] += 1
    for batch in batch_documents:
        batch.update(counters[batch["batch_id"]])
    return batch_documents, job_documents


def seed(jobs, batches):
    """Indexes and Django's collections (migrate), the data, the bench user."""
    call_command("migrate", verbosity=0)
    batch_documents, job_documents = worker_shaped(jobs, batches)
    insert_in_chunks(database()["batches"], batch_documents)
    insert_in_chunks(database()["jobs"], job_documents)
    user = get_user_model().objects.create_superuser(USERNAME, password=None)
    Token.objects.create(user=user)


def big_batch(size, seed=34):
    """A batch of `size` pending jobs (the bulk command's target); its batch_id."""
    demo = DemoData(random.Random(seed), utc_now())
    batch = demo.batch(0, demo.now)
    jobs = [demo.job(i, batch, JobStatus.PENDING) for i in range(size)]
    for i, job in enumerate(jobs):  # the generator repeats people; the key is unique per batch
        job["deduplication_key"] = f"{job['deduplication_key']}::{i}"
    batch.update(total_jobs=size, pending_jobs=size)
    database()["batches"].insert_one(batch)
    insert_in_chunks(database()["jobs"], jobs)
    return batch["batch_id"]


def credentials():
    """(API token, admin session cookie value) of the bench user."""
    user = get_user_model().objects.get(username=USERNAME)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "speechai.auth_backends.JoinFreePermissionsBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return Token.objects.get(user=user).key, session.session_key


class Targets:
    """Ids the scenarios pick from, read after each reset."""

    def __init__(self):
        jobs, batches = database()["jobs"], database()["batches"]
        self.jobs = list(jobs.find({"job_id": {"$type": "string"}}, {"_id": 1, "job_id": 1}).limit(5000))
        cancellable = list(jobs.find({"status": {"$in": CANCELLABLE}}, {"_id": 1, "job_id": 1, "batch_id": 1}))
        random.Random(5).shuffle(cancellable)
        self.cancellable = cancellable
        self.batches = list(batches.find({"deleted_at": None}, {"_id": 1, "batch_id": 1}))
