"""The counters stored on batch documents move by `$inc` deltas of exactly
the jobs an action moved, so a worker's own concurrent `$inc`s are never
lost; recount_batches repairs drift."""

import threading

import pytest

from batches.models import Batch
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.batch_helpers import stored_batch
from tests.factories import insert_batch, insert_jobs

COUNTERS = ("total_jobs", "pending_jobs", "completed_jobs", "failed_jobs", "suspended_jobs")


def counters(batch):
    stored = stored_batch(batch["_id"])
    return {name: stored.get(name) for name in COUNTERS}


@pytest.mark.django_db(transaction=True)
def test_api_cancels_beside_a_worker_incrementing_counters_lose_nothing():
    api = token_client(make_user("ana", "cancel_job"))
    batch = insert_batch(total_jobs=60, pending_jobs=40, failed_jobs=20, completed_jobs=0)
    pending = insert_jobs(40, batch_id=batch["batch_id"], status="pending")
    failed = insert_jobs(20, batch_id=batch["batch_id"], status="failed")
    stop = threading.Event()
    worker_incs = []

    def worker():
        # A worker finishing calls of other jobs: `$inc`s the batch as the real one does.
        while not stop.is_set():
            collection(Batch).update_one({"_id": batch["_id"]}, {"$inc": {"completed_jobs": 1, "total_jobs": 1}})
            worker_incs.append(1)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        for job in pending[:20]:
            assert api.put(f"/api/v1/jobs/{job['_id']}/cancel").status_code == 200
        ids = [job["job_id"] for job in pending[20:] + failed]
        assert len(api.post("/api/v1/jobs/cancel", {"ids": ids}, format="json").json()["cancelled"]) == 40
    finally:
        stop.set()
        thread.join(timeout=30)

    assert worker_incs
    assert counters(batch) == {
        "total_jobs": 60 + len(worker_incs),
        "pending_jobs": 0,
        "completed_jobs": len(worker_incs),
        "failed_jobs": 0,
        "suspended_jobs": 0,
    }


@pytest.mark.django_db
def test_a_single_cancel_never_aggregates_the_batch(round_trips):
    api = token_client(make_user("ana", "cancel_job"))
    batch = insert_batch(total_jobs=500, pending_jobs=500)
    jobs = insert_jobs(500, batch_id=batch["batch_id"])
    round_trips.reset()

    assert api.put(f"/api/v1/jobs/{jobs[0]['_id']}/cancel").status_code == 200

    # Read the job, update it conditionally, $inc its batch: no aggregation, no findAndModify scan.
    assert round_trips.past_authentication == [
        ("find", "jobs"),
        ("bulkWrite", "jobs+batches+audit_auditentry"),
    ]
    assert counters(batch)["pending_jobs"] == 499
