"""GET /batches/{batch_id}/jobs: GET /jobs restricted to the batch."""

import datetime

import pytest
from rest_framework.test import APIClient

from batches.models import Batch
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.batch_helpers import ID_FORMS, batch_ref
from tests.factories import UNKNOWN_OBJECT_ID, insert_batch, insert_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("reader"))


def job_ids(response):
    assert response.status_code == 200, response.json()
    return [job["_id"] for job in response.json()]


@pytest.mark.parametrize("id_form", ID_FORMS)
def test_lists_only_the_batch_jobs_newest_first_without_cancelled_ones(api, id_form):
    batch = insert_batch()
    older = insert_job(batch_id=batch["batch_id"], created_at=datetime.datetime(2025, 10, 1))
    newer = insert_job(batch_id=batch["batch_id"], status="done", created_at=datetime.datetime(2025, 10, 2))
    insert_job(batch_id=batch["batch_id"], status="cancelled")
    insert_job(batch_id="batch-other")
    insert_job(batch_id=None)

    response = api.get(f"/api/v1/batches/{batch_ref(batch, id_form)}/jobs")

    assert job_ids(response) == [str(newer["_id"]), str(older["_id"])]
    assert response.json()[0]["job_id"] == newer["job_id"]


def test_takes_the_same_filters_as_the_jobs_list(api):
    batch = insert_batch()
    failed = insert_job(batch_id=batch["batch_id"], status="failed", account_id="acc-1")
    cancelled = insert_job(batch_id=batch["batch_id"], status="cancelled", account_id="acc-1")
    insert_job(batch_id=batch["batch_id"], status="failed", account_id="acc-2")
    insert_job(batch_id=batch["batch_id"], status="pending", account_id="acc-1")
    url = f"/api/v1/batches/{batch['_id']}/jobs"

    assert set(job_ids(api.get(url, {"status": "failed,cancelled", "account_id": "acc-1"}))) == {
        str(failed["_id"]),
        str(cancelled["_id"]),
    }
    assert len(job_ids(api.get(url, {"limit": 2}))) == 2
    assert len(job_ids(api.get(url, {"skip": 2}))) == 1


def test_a_batch_id_in_the_query_does_not_widen_the_list(api):
    batch = insert_batch()
    other = insert_batch()
    insert_job(batch_id=other["batch_id"])

    assert job_ids(api.get(f"/api/v1/batches/{batch['batch_id']}/jobs", {"batch_id": other["batch_id"]})) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [({"status": "paused"}, "status"), ({"limit": "0"}, "limit"), ({"created_after": "yesterday"}, "created_after")],
)
def test_bad_filters_are_a_400_naming_them(api, query, field):
    batch = insert_batch()

    response = api.get(f"/api/v1/batches/{batch['batch_id']}/jobs", query)

    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"{field}:")


def test_a_batch_without_a_custom_id_has_no_jobs(api):
    legacy_id = collection(Batch).insert_one({"name": "legacy"}).inserted_id
    insert_job(batch_id=None)

    assert job_ids(api.get(f"/api/v1/batches/{legacy_id}/jobs")) == []


@pytest.mark.parametrize("unknown", [UNKNOWN_OBJECT_ID, "batch-unknown"])
def test_an_unknown_batch_is_a_404(api, unknown):
    insert_job(batch_id="batch-unknown")

    response = api.get(f"/api/v1/batches/{unknown}/jobs")

    assert response.status_code == 404
    assert response.json() == {"detail": "Batch not found", "message": "Batch not found"}


def test_needs_authentication():
    batch = insert_batch()

    assert APIClient().get(f"/api/v1/batches/{batch['_id']}/jobs").status_code == 401
