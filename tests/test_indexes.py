import pytest
from django.core.management import call_command
from django.db import connections

from jobs.indexes import JOB_INDEXES
from jobs.models import Job
from speechai.indexes import ensure_indexes
from speechai.mongo import collection

pytestmark = pytest.mark.django_db


def index_keys(target):
    return {
        tuple((key, int(direction)) for key, direction in info["key"]) for info in target.index_information().values()
    }


@pytest.fixture
def scratch():
    target = connections["default"].database["scratch_jobs"]
    target.drop()
    yield target
    target.drop()


def test_migrate_ensures_the_indexes_of_the_data_model_and_can_run_again():
    call_command("migrate", verbosity=0)
    call_command("migrate", verbosity=0)

    keys = index_keys(collection(Job))
    assert (("job_id", 1),) in keys
    assert (("batch_id", 1), ("status", 1)) in keys
    assert (("status", 1), ("created_at", -1)) in keys
    assert (("account_id", 1), ("created_at", -1)) in keys
    assert (("created_at", -1), ("_id", -1)) in keys
    assert (("status", 1), ("reserved_until", 1)) in keys
    unique = collection(Job).index_information()["job_id_unique"]
    assert unique["unique"] and "partialFilterExpression" in unique


def test_creates_what_is_missing_and_reports_what_exists(scratch):
    first = ensure_indexes(scratch, JOB_INDEXES)
    second = ensure_indexes(scratch, JOB_INDEXES)

    assert set(first.values()) == {"created"}
    assert set(second.values()) == {"exists"}


def test_an_index_a_worker_created_under_another_name_is_left_alone(scratch):
    scratch.create_index([("status", 1), ("reserved_until", 1)], name="status_reserved_idx")

    outcomes = ensure_indexes(scratch, JOB_INDEXES)

    assert outcomes["status_reserved_until"] == "exists"
    assert "status_reserved_until" not in scratch.index_information()


def test_duplicate_job_ids_in_the_data_skip_the_unique_index_without_failing(scratch):
    scratch.insert_many([{"job_id": "job_same"}, {"job_id": "job_same"}, {"no_job_id": True}, {"no_job_id": True}])

    outcomes = ensure_indexes(scratch, JOB_INDEXES)

    assert outcomes["job_id_unique"].startswith("skipped")
    assert outcomes["job_id_lookup"] == "created"


def test_documents_without_a_job_id_do_not_collide_on_the_unique_index(scratch):
    ensure_indexes(scratch, JOB_INDEXES)

    scratch.insert_many([{"status": "pending"}, {"status": "pending", "job_id": None}])

    assert scratch.count_documents({}) == 2


def test_migrate_has_the_server_delete_stored_dashboard_hours_after_32_days():
    call_command("migrate", verbosity=0)

    hours_index = connections["default"].database["dashboard_hours"].index_information()["computed_at_ttl"]

    assert hours_index["key"] == [("computed_at", 1)]
    assert hours_index["expireAfterSeconds"] == 32 * 24 * 3600
