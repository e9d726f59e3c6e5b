import datetime

import pytest
from bson import ObjectId

from tests.api import make_user, token_client
from tests.factories import insert_batch, insert_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("reader"))


def listed_ids(response):
    assert response.status_code == 200, response.content
    return [job["_id"] for job in response.json()]


def test_lists_jobs_as_a_bare_array_newest_first(api):
    older = insert_job(created_at=datetime.datetime(2025, 10, 1))
    newer = insert_job(created_at=datetime.datetime(2025, 10, 2))

    response = api.get("/api/v1/jobs")

    assert isinstance(response.json(), list)
    assert listed_ids(response) == [str(newer["_id"]), str(older["_id"])]


def test_jobs_created_at_the_same_time_are_ordered_by_id_so_pages_are_stable(api):
    same_time = datetime.datetime(2025, 10, 1)
    jobs = [insert_job(_id=ObjectId(), created_at=same_time) for _ in range(5)]
    expected = sorted((str(job["_id"]) for job in jobs), reverse=True)

    first_page = listed_ids(api.get("/api/v1/jobs?limit=2"))
    second_page = listed_ids(api.get("/api/v1/jobs?limit=2&skip=2"))
    last_page = listed_ids(api.get("/api/v1/jobs?limit=2&skip=4"))

    assert first_page + second_page + last_page == expected


def test_cancelled_jobs_are_hidden_unless_the_status_filter_names_them(api):
    pending = insert_job(status="pending")
    cancelled = insert_job(status="cancelled")

    assert listed_ids(api.get("/api/v1/jobs")) == [str(pending["_id"])]
    assert listed_ids(api.get("/api/v1/jobs?status=cancelled")) == [str(cancelled["_id"])]
    assert set(listed_ids(api.get("/api/v1/jobs?status=pending,cancelled"))) == {
        str(pending["_id"]),
        str(cancelled["_id"]),
    }


def test_status_filter_takes_several_comma_separated_values(api):
    failed = insert_job(status="failed")
    pending = insert_job(status="pending")
    insert_job(status="in_progress")

    assert set(listed_ids(api.get("/api/v1/jobs?status=failed,pending"))) == {str(failed["_id"]), str(pending["_id"])}


@pytest.mark.parametrize("asked", ["done", "completed"])
def test_done_and_completed_are_the_same_finished_status(api, asked):
    done = insert_job(status="done")
    completed = insert_job(status="completed")
    insert_job(status="failed")

    assert set(listed_ids(api.get(f"/api/v1/jobs?status={asked}"))) == {str(done["_id"]), str(completed["_id"])}


def test_unknown_status_is_a_400_naming_the_allowed_values(api):
    response = api.get("/api/v1/jobs?status=pending,finished")

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "'finished'" in detail
    assert "pending, scheduled, in_progress, completed, done, failed, suspended, cancelled" in detail


def test_filters_by_batch_given_by_custom_id_or_object_id(api):
    batch = insert_batch()
    in_batch = insert_job(batch_id=batch["batch_id"])
    insert_job(batch_id="batch-other")

    by_custom_id = listed_ids(api.get(f"/api/v1/jobs?batch_id={batch['batch_id']}"))
    by_object_id = listed_ids(api.get(f"/api/v1/jobs?batch_id={batch['_id']}"))

    assert by_custom_id == by_object_id == [str(in_batch["_id"])]


def test_filters_by_a_batch_that_no_longer_exists(api):
    orphan = insert_job(batch_id="batch-2025-10-25-144129-862530")

    assert listed_ids(api.get("/api/v1/jobs?batch_id=batch-2025-10-25-144129-862530")) == [str(orphan["_id"])]


def test_filters_by_account_and_creation_dates(api):
    inside = insert_job(account_id="acc-a", created_at=datetime.datetime(2025, 10, 10, 12))
    insert_job(account_id="acc-b", created_at=datetime.datetime(2025, 10, 10, 12))
    insert_job(account_id="acc-a", created_at=datetime.datetime(2025, 10, 20))
    insert_job(account_id="acc-a", created_at=datetime.datetime(2025, 10, 1))

    response = api.get(
        "/api/v1/jobs",
        {"account_id": "acc-a", "created_after": "2025-10-05T00:00:00Z", "created_before": "2025-10-15T00:00:00"},
    )

    assert listed_ids(response) == [str(inside["_id"])]


def test_invalid_dates_are_a_400_naming_the_parameter(api):
    response = api.get("/api/v1/jobs?created_after=yesterday")

    assert response.status_code == 400
    assert "created_after" in response.json()["detail"]


def test_skip_and_limit_page_through_the_list(api):
    jobs = [insert_job(created_at=datetime.datetime(2025, 10, 1, 0, 0, n)) for n in range(5)]

    page = listed_ids(api.get("/api/v1/jobs?skip=1&limit=2"))

    assert page == [str(jobs[3]["_id"]), str(jobs[2]["_id"])]


def test_limit_defaults_to_100(api):
    from tests.factories import insert_jobs

    insert_jobs(101)

    assert len(listed_ids(api.get("/api/v1/jobs"))) == 100


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=-5", "limit"),
        ("limit=ten", "limit"),
        ("skip=-1", "skip"),
        ("skip=abc", "skip"),
        ("skip=4982478981391181198616566335275008", "skip"),
    ],
)
def test_out_of_range_skip_and_limit_are_a_400_never_unlimited(api, query, parameter):
    response = api.get(f"/api/v1/jobs?{query}")

    assert response.status_code == 400
    assert parameter in response.json()["detail"]


def test_a_page_costs_one_query_whatever_its_size(api, round_trips):
    from tests.factories import insert_jobs

    insert_jobs(250)
    for limit in (10, 200):
        round_trips.reset()

        response = api.get(f"/api/v1/jobs?limit={limit}")

        assert len(response.json()) == limit
        on_jobs = [name for name, target in round_trips.commands if target == "jobs"]
        # One find, whatever the page size: never a query per row, no getMore.
        assert on_jobs == ["find"]
        # Besides the jobs: one read of the token with its user.
        assert len(round_trips.commands) - len(on_jobs) == 1


def test_trailing_slash_is_accepted(api):
    insert_job()

    assert len(listed_ids(api.get("/api/v1/jobs/"))) == 1


def test_empty_filter_parameters_are_no_filter(api):
    job = insert_job()

    assert listed_ids(api.get("/api/v1/jobs?status=&batch_id=&account_id=")) == [str(job["_id"])]
