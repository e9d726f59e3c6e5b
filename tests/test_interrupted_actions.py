"""Every change belongs to exactly one action, and no action is half-done in
silence: the database fails for real between an action's writes (the
server's `failCommand` fail point closes the connection, as a crash or a
network cut would), then the same action is retried."""

import threading

import pytest
from django.db import connections
from pymongo.errors import OperationFailure

from audit.models import AuditEntry
from batches import lifecycle
from speechai.database_breaker import breaker
from tests.api import make_user, token_client
from tests.batch_helpers import stored_batch
from tests.factories import insert_batch, insert_jobs, stored_job


@pytest.fixture
def fail_updates():
    """fail_updates(after=n): the server lets n `update` commands through,
    then drops the connection of every later one, until the test ends."""
    admin = connections["default"].connection.admin

    def fail(after):
        try:
            admin.command(
                "configureFailPoint",
                "failCommand",
                mode={"skip": after},
                data={"failCommands": ["update"], "closeConnection": True},
            )
        except OperationFailure:
            pytest.skip("This server has no test commands (mongod without enableTestCommands).")

    yield fail
    admin.command("configureFailPoint", "failCommand", mode="off")


def database_back():
    connections["default"].connection.admin.command("configureFailPoint", "failCommand", mode="off")
    # The dropped connection opened the breaker; its next probe would find
    # the database answering again (without waiting for the retry interval).
    breaker.database_answered()


@pytest.fixture
def api(db):
    return token_client(make_user("ana", "change_batch", "delete_batch", "cancel_job"))


@pytest.mark.django_db
@pytest.mark.parametrize("close", ["cancel", "delete"])
def test_a_batch_action_interrupted_after_its_claim_is_visible_and_a_retry_finishes_it(
    api, fail_updates, monkeypatch, close
):
    batch = insert_batch(is_active=True, total_jobs=4, pending_jobs=4)
    jobs = insert_jobs(4, batch_id=batch["batch_id"])
    url = f"/api/v1/batches/{batch['_id']}"

    def run():
        return api.post(f"{url}/cancel") if close == "cancel" else api.delete(url)

    fail_updates(after=1)  # the claim goes through; cancelling the jobs does not
    assert run().status_code == 503
    database_back()

    stored = stored_batch(batch["_id"])
    assert stored["is_active"] is False  # never callable while its jobs are still pending
    assert "cancelled_at" not in stored and "deleted_at" not in stored  # and never looks finished
    assert [stored_job(job["_id"])["status"] for job in jobs] == ["pending"] * 4
    assert api.get(f"/api/v1/batches/{batch['batch_id']}").json()["status"] == "cancelling"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.state, entry.completed_at) == (f"batches.{close}", "started", None)
    assert api.patch(url, {"is_active": True}, format="json").status_code == 409  # not resumable meanwhile
    assert run().status_code == 409  # the interrupted action might still be running: its lease holds

    monkeypatch.setattr(lifecycle, "CLOSING_LEASE", lifecycle.CLOSING_LEASE * 0)  # the lease is over
    retried = run()

    assert retried.status_code == 200 and retried.json()["jobs_cancelled"] == 4
    assert [stored_job(job["_id"])["status"] for job in jobs] == ["cancelled"] * 4
    stored = stored_batch(batch["_id"])
    assert "closing" not in stored and stored["pending_jobs"] == 0
    assert stored["deleted_at" if close == "delete" else "cancelled_at"] is not None
    assert AuditEntry.objects.filter(action=f"batches.{close}", state="completed").count() == 1


@pytest.mark.django_db
def test_jobs_cancelled_by_an_interrupted_and_a_retried_cancel_are_all_restored(api, fail_updates, monkeypatch):
    batch = insert_batch(is_active=True)
    first = insert_jobs(2, batch_id=batch["batch_id"])
    fail_updates(after=3)  # claim, the jobs, their counters; finishing the batch fails
    assert api.post(f"/api/v1/batches/{batch['_id']}/cancel").status_code == 503
    database_back()
    assert [stored_job(job["_id"])["status"] for job in first] == ["cancelled"] * 2
    assert stored_batch(batch["_id"])["closing"]["action"] == "cancel"
    late = insert_jobs(1, batch_id=batch["batch_id"])
    monkeypatch.setattr(lifecycle, "CLOSING_LEASE", lifecycle.CLOSING_LEASE * 0)
    assert api.post(f"/api/v1/batches/{batch['_id']}/cancel").json()["jobs_cancelled"] == 1

    assert api.post(f"/api/v1/batches/{batch['_id']}/restore").json()["jobs_restored"] == 3

    assert {stored_job(job["_id"])["status"] for job in first + late} == {"pending"}


@pytest.mark.django_db
def test_a_bulk_cancel_interrupted_after_its_update_leaves_a_started_audit_entry(api, fail_updates):
    batch = insert_batch(total_jobs=3, pending_jobs=3)
    jobs = insert_jobs(3, batch_id=batch["batch_id"])
    fail_updates(after=1)  # the jobs' update goes through, their batch's counters do not

    response = api.post("/api/v1/jobs/cancel", {"ids": [job["job_id"] for job in jobs]}, format="json")

    assert response.status_code == 503
    database_back()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.state, entry.target_ids) == ("jobs.cancel", "started", [j["job_id"] for j in jobs])
    stamped = {stored_job(job["_id"]).get("action_id") for job in jobs}
    assert stamped == {entry.details["action_id"]}  # the jobs it changed name the unfinished action


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_bulk_cancels_of_the_same_jobs_credit_each_job_once():
    clients = [token_client(make_user(name, "cancel_job")) for name in ("ana", "bea")]
    for _ in range(10):
        jobs = insert_jobs(30)
        ids = [job["job_id"] for job in jobs]
        start = threading.Barrier(2)
        answers = [None, None]

        def cancel(index, start=start, answers=answers, ids=ids):
            start.wait()
            answers[index] = clients[index].post("/api/v1/jobs/cancel", {"ids": ids}, format="json").json()

        threads = [threading.Thread(target=cancel, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        credited = answers[0]["cancelled"] + answers[1]["cancelled"]
        assert sorted(credited) == sorted(ids)  # each job cancelled by exactly one of them
        entries = AuditEntry.objects.filter(action="jobs.cancel").order_by("-created_at")[:2]
        assert sum(entry.changed for entry in entries) == 30
