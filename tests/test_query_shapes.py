"""The filter shapes bulk actions send, chosen because both the embedded
server and mongod serve them from an index (README "Performance")."""

from bson import ObjectId

from jobs.moves import _and
from speechai.mongo import any_id_filters


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
