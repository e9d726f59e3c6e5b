"""Input serializers reuse their fields from one validation to the next
(speechai.serializers.InputFieldsReused): each instance validates its own
input, in turn and at once in several threads, and never shares a set of
fields with a validation still running."""

import threading

from batches.serializers import BatchUpdateSerializer
from jobs.serializers import JobListQuerySerializer
from speechai.serializers import _spare_fields


def validated(data):
    serializer = BatchUpdateSerializer(data=data)
    return serializer.is_valid(), serializer.validated_data if not serializer.errors else serializer.errors


def test_instances_in_turn_validate_each_their_own_input_with_the_same_fields():
    _spare_fields.pop(BatchUpdateSerializer, None)
    first = BatchUpdateSerializer(data={"priority": 9})
    assert not first.is_valid()
    (fields_given_back,) = _spare_fields[BatchUpdateSerializer]
    second = BatchUpdateSerializer(data={"priority": 2, "call_settings": {"max_attempts": 3}})

    assert second.fields is fields_given_back  # taken over, not built again
    assert all(field.parent is second for field in second.fields.values())
    assert second.is_valid(), second.errors
    assert second.validated_data["priority"] == 2
    assert "priority" in first.errors  # kept from its own validation


def test_a_validation_in_progress_keeps_its_fields_to_itself():
    running = BatchUpdateSerializer(data={"priority": 2})
    running_fields = running.fields  # taken: validation under way
    other = BatchUpdateSerializer(data={"priority": 3})

    assert other.fields is not running_fields
    assert other.is_valid() and running.is_valid()
    assert (running.validated_data["priority"], other.validated_data["priority"]) == (2, 3)


def test_an_unknown_key_is_still_refused_after_valid_bodies():
    assert validated({"name": "A"})[0]

    ok, errors = validated({"colour": "red"})
    assert not ok and "colour" in errors


def test_threads_validate_at_once_without_mixing_inputs():
    _spare_fields.pop(JobListQuerySerializer, None)
    failures = []

    def validate(limit):
        try:
            for _ in range(200):
                query = JobListQuerySerializer(data={"limit": str(limit)})
                assert query.is_valid(), query.errors
                assert query.validated_data["limit"] == limit
        except AssertionError as error:
            failures.append(error)

    threads = [threading.Thread(target=validate, args=(limit,)) for limit in (10, 20, 30, 40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    # At most one set of fields per validation that ran at once, all given back.
    assert 1 <= len(_spare_fields[JobListQuerySerializer]) <= 4
