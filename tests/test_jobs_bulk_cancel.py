import pytest
from bson import ObjectId

from tests.api import make_user, token_client
from tests.factories import insert_job, insert_jobs, stored_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("ana", "cancel_job"))


def test_cancels_jobs_named_in_either_id_form_and_reports_each(api):
    by_object_id = insert_job(status="pending")
    by_job_id = insert_job(status="failed")
    running = insert_job(status="in_progress")
    missing = str(ObjectId())

    response = api.post(
        "/api/v1/jobs/cancel",
        {
            "ids": [str(by_object_id["_id"]), by_job_id["job_id"], running["job_id"], missing, "job_nope"],
            "reason": "Bulk",
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {
        "cancelled": [str(by_object_id["_id"]), by_job_id["job_id"]],
        "not_found": [missing, "job_nope"],
        "not_cancellable": [{"id": running["job_id"], "status": "in_progress"}],
    }
    assert stored_job(by_object_id["_id"])["cancellation_reason"] == "Bulk"
    assert stored_job(by_job_id["_id"])["status"] == "cancelled"
    assert stored_job(running["_id"])["status"] == "in_progress"


def test_an_already_cancelled_job_is_reported_as_not_cancellable(api):
    job = insert_job(status="cancelled")

    response = api.post("/api/v1/jobs/cancel", {"ids": [job["job_id"]]}, format="json")

    assert response.json()["not_cancellable"] == [{"id": job["job_id"], "status": "cancelled"}]


def test_a_thousand_ids_cost_a_bounded_number_of_round_trips(api, round_trips):
    jobs = insert_jobs(1000, status="pending")
    round_trips.reset()

    response = api.post("/api/v1/jobs/cancel", {"ids": [job["job_id"] for job in jobs]}, format="json")

    assert len(response.json()["cancelled"]) == 1000
    on_jobs = [name for name, target in round_trips.commands if target == "jobs"]
    # find, update, read back (+ getMore batches of those two cursors): not one per id.
    assert on_jobs.count("find") == 2 and on_jobs.count("update") == 1
    assert len(on_jobs) <= 8


@pytest.mark.parametrize(
    "body, problem",
    [
        ({"ids": []}, "ids"),
        ({}, "ids"),
        ({"ids": "job_1"}, "ids"),
        ({"ids": ["job"] * 1001}, "ids"),
        ({"ids": ["job_1"], "reason": "x" * 501}, "reason"),
    ],
)
def test_invalid_bodies_are_a_400_naming_the_field(api, body, problem):
    job = insert_job()

    response = api.post("/api/v1/jobs/cancel", body, format="json")

    assert response.status_code == 400
    assert problem in response.json()["detail"]
    assert stored_job(job["_id"])["status"] == "pending"


def test_needs_the_cancel_permission(db):
    job = insert_job()
    reader = token_client(make_user("reader"))

    response = reader.post("/api/v1/jobs/cancel", {"ids": [job["job_id"]]}, format="json")

    assert response.status_code == 403
    assert stored_job(job["_id"])["status"] == "pending"


def test_ids_of_one_form_are_read_in_one_find_and_mixed_forms_in_one_per_form(api, round_trips):
    by_object_id = insert_jobs(3, status="pending")
    by_job_id = insert_jobs(3, status="pending")

    def finds_on_jobs(ids):
        round_trips.reset()
        assert api.post("/api/v1/jobs/cancel", {"ids": ids}, format="json").status_code == 200
        return [name for name, target in round_trips.commands if target == "jobs"].count("find")

    # The read, then the read-back of the moved jobs. Each read is one `$in`
    # on one index (an `$or` of both forms is a collection scan on the embedded server).
    assert finds_on_jobs([str(job["_id"]) for job in by_object_id[:2]]) == 2
    assert finds_on_jobs([job["job_id"] for job in by_job_id[:2]]) == 2
    assert finds_on_jobs([str(by_object_id[2]["_id"]), by_job_id[2]["job_id"]]) == 3


def test_a_24_hex_job_id_names_its_job_when_no_job_has_that_object_id(api):
    hex_job_id = str(ObjectId())
    job = insert_job(status="pending", job_id=hex_job_id)
    other = insert_job(status="pending")
    shadowed = insert_job(status="pending", job_id=str(other["_id"]))

    response = api.post("/api/v1/jobs/cancel", {"ids": [hex_job_id, str(other["_id"])]}, format="json")

    # The ObjectId form wins: `other` is cancelled, not the job whose job_id spells its _id.
    assert response.json()["cancelled"] == [hex_job_id, str(other["_id"])]
    assert stored_job(job["_id"])["status"] == "cancelled"
    assert stored_job(other["_id"])["status"] == "cancelled"
    assert stored_job(shadowed["_id"])["status"] == "pending"
