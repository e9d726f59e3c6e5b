"""The filter shapes bulk actions send, chosen because both the embedded
server and mongod serve them from an index (README "Performance")."""

import datetime

from bson import ObjectId
from django.db import connections

from jobs.moves import _and
from speechai.mongo import any_id_filters
from tests.api import make_user, token_client
from tests.factories import insert_batch


def test_ids_of_both_forms_become_one_filter_per_index_never_an_or():
    oid = ObjectId()

    filters = any_id_filters([str(oid), "job_a"], "job_id")

    assert filters == [
        {"_id": {"$in": [oid]}},
        {"job_id": {"$in": [str(oid), "job_a"]}, "_id": {"$nin": [oid]}},  # disjoint from the first
    ]
    assert any_id_filters(["job_a"], "job_id") == [{"job_id": {"$in": ["job_a"]}}]


def test_clauses_are_joined_side_by_side_with_the_id_first():
    assert _and({"batch_id": "b"}, {"status": {"$in": ["pending"]}}) == {
        "batch_id": "b",
        "status": {"$in": ["pending"]},
    }
    joined = _and({"status": "failed"}, {"_id": {"$in": [1]}})
    assert list(joined) == ["_id", "status"]
    assert _and({"batch_id": "b"}, {}) == {"batch_id": "b"}


def test_clauses_naming_the_same_field_stay_an_and():
    assert _and({"status": "failed"}, {"status": {"$in": ["failed"]}}) == {
        "$and": [{"status": "failed"}, {"status": {"$in": ["failed"]}}]
    }


def planned_without_an_index(collection_name, query):
    plan = (
        connections["default"]
        .get_collection(collection_name)
        .database.command("explain", {"find": collection_name, "filter": query}, verbosity="queryPlanner")[
            "queryPlanner"
        ]["winningPlan"]
    )
    return "COLLSCAN" in str(plan)


def test_a_batch_is_looked_up_by_an_index_whichever_id_form_names_it(db, round_trips):
    """The frontend polls a batch's status every few seconds: its lookup is
    the id alone (with `deleted_at` beside it the embedded server plans no
    index and spends twice the CPU); a deleted batch is still not served."""
    api = token_client(make_user("reader"))
    batch = insert_batch()
    deleted = insert_batch(deleted_at=datetime.datetime(2026, 1, 5))

    for name in (batch["batch_id"], str(batch["_id"])):
        round_trips.reset()
        assert api.get(f"/api/v1/batches/{name}/status").status_code == 200
        lookups = [query for target, query in round_trips.find_filters if target == "batches"]
        assert lookups
        assert not [query for query in lookups if planned_without_an_index("batches", query)]

    for name in (deleted["batch_id"], str(deleted["_id"])):
        assert api.get(f"/api/v1/batches/{name}/status").status_code == 404
