"""Cancels racing workers and each other: every request gets its own correct
answer and a job is never both claimed and cancelled."""

import datetime
import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from pymongo import ReturnDocument

from jobs import services
from jobs.models import Job
from speechai.mongo import collection
from tests.api import make_user
from tests.factories import insert_batch, insert_jobs, stored_job

ROUNDS = 60


def worker_claim(batch_ids, worker_id):
    """What a call worker does (docs/data-model.md): one find_one_and_update."""
    now = datetime.datetime.utcnow()
    return collection(Job).find_one_and_update(
        {"status": "pending", "batch_id": {"$in": batch_ids}},
        {
            "$set": {
                "status": "in_progress",
                "worker_id": worker_id,
                "reserved_until": now + datetime.timedelta(seconds=120),
                "started_at": now,
            },
            "$inc": {"attempts": 1},
        },
        return_document=ReturnDocument.AFTER,
    )


@pytest.mark.django_db(transaction=True)
def test_a_cancel_racing_a_worker_claim_never_leaves_a_job_claimed_and_cancelled():
    batch = insert_batch()
    outcomes = {"cancel": 0, "claim": 0}
    for round_number in range(ROUNDS):
        [job] = insert_jobs(1, batch_id=batch["batch_id"], status="pending")
        start = threading.Barrier(2)
        results = {}

        def cancel(job=job, start=start, results=results):
            start.wait()
            try:
                services.cancel_job(str(job["_id"]), actor="supervisor")
                results["cancel"] = True
            except services.JobStatusConflict as conflict:
                results["cancel"] = False
                results["cancel_saw"] = conflict.current_status

        def claim(start=start, results=results, round_number=round_number):
            start.wait()
            results["claim"] = worker_claim([batch["batch_id"]], f"bot-{round_number}") is not None

        threads = [threading.Thread(target=cancel), threading.Thread(target=claim)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        stored = stored_job(job["_id"])
        assert results["cancel"] != results["claim"], f"round {round_number}: exactly one must win: {results}"
        if results["cancel"]:
            assert stored["status"] == "cancelled" and "worker_id" not in stored and stored["attempts"] == 0
            outcomes["cancel"] += 1
        else:
            assert stored["status"] == "in_progress" and "cancelled_at" not in stored
            assert results["cancel_saw"] == "in_progress"
            outcomes["claim"] += 1
    assert sum(outcomes.values()) == ROUNDS


@pytest.mark.django_db(transaction=True)
def test_100_concurrent_cancel_requests_over_50_jobs_give_50_successes_and_50_conflicts(live_server):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=make_user("ana", "cancel_job")).key
    jobs = insert_jobs(50, status="pending")
    # Each job is cancelled twice, once by each id form, all at once.
    targets = [str(job["_id"]) for job in jobs] + [job["job_id"] for job in jobs]

    def cancel(job_id):
        request = urllib.request.Request(
            f"{live_server.url}/api/v1/jobs/{job_id}/cancel",
            method="PUT",
            headers={"Authorization": f"Bearer {token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    with ThreadPoolExecutor(max_workers=25) as pool:
        answers = list(pool.map(cancel, targets))

    statuses = [status for status, _ in answers]
    assert statuses.count(200) == 50
    assert statuses.count(409) == 50
    assert all(
        body
        == {
            "detail": "Job cannot be cancelled in status 'cancelled'",
            "message": "Job cannot be cancelled in status 'cancelled'",
            "status": "cancelled",
        }
        for status, body in answers
        if status == 409
    )
    assert collection(Job).count_documents({"status": "cancelled"}) == 50
