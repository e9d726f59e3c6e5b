"""Input serializers build their fields once per thread
(speechai.serializers.FieldsBuiltOncePerThread): each new instance validates
its own input, in turn in one thread and at once in several."""

import threading

from batches.serializers import BatchUpdateSerializer
from jobs.serializers import JobListQuerySerializer


def validated(data):
    serializer = BatchUpdateSerializer(data=data)
    return serializer.is_valid(), serializer.validated_data if not serializer.errors else serializer.errors


def test_instances_in_turn_validate_each_their_own_input():
    first = BatchUpdateSerializer(data={"priority": 9})
    assert not first.is_valid()
    second = BatchUpdateSerializer(data={"priority": 2, "call_settings": {"max_attempts": 3}})

    assert second.is_valid(), second.errors
    assert second.validated_data["priority"] == 2
    assert second.fields is first.fields  # built once in this thread
    assert all(field.parent is second for field in second.fields.values())
    assert "priority" in first.errors  # kept from its own validation


def test_an_unknown_key_is_still_refused_after_valid_bodies():
    assert validated({"name": "A"})[0]

    ok, errors = validated({"colour": "red"})
    assert not ok and "colour" in errors


def test_threads_validate_at_once_without_mixing_inputs():
    results, failures = {}, []

    def validate(limit):
        try:
            for _ in range(200):
                query = JobListQuerySerializer(data={"limit": str(limit)})
                assert query.is_valid(), query.errors
                assert query.validated_data["limit"] == limit
            results[limit] = JobListQuerySerializer(data={"limit": str(limit)}).fields
        except AssertionError as error:
            failures.append(error)

    threads = [threading.Thread(target=validate, args=(limit,)) for limit in (10, 20, 30, 40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len({id(fields) for fields in results.values()}) == 4  # one set of fields per thread
