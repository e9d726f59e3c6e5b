"""call_settings as docs/data-model.md tables them, on PATCH and POST /batches."""

import pytest

from batches.models import Batch
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.batch_helpers import stored_batch
from tests.factories import insert_batch

pytestmark = pytest.mark.django_db

FRONTEND_SETTINGS = {
    "max_call_duration": 600,
    "ring_timeout": 30,
    "max_attempts": 3,
    "retry_delay_hours": 0.5,
    "allowed_hours": {"start": "09:00", "end": "18:30"},
    "days_of_week": [1, 2, 3, 4, 5],
    "timezone": "America/Santiago",
}


@pytest.fixture
def api(db):
    return token_client(make_user("ana", "add_batch", "change_batch"))


def update_settings(api, batch, settings):
    return api.patch(f"/api/v1/batches/{batch['batch_id']}", {"call_settings": settings}, format="json")


def test_the_settings_the_frontend_sends_are_stored_as_sent(api):
    batch = insert_batch(call_settings=None)

    response = update_settings(api, batch, FRONTEND_SETTINGS)

    assert response.status_code == 200
    assert response.json()["updated_fields"] == ["call_settings", "updated_at"]
    assert stored_batch(batch["_id"])["call_settings"] == FRONTEND_SETTINGS


def test_the_sent_settings_replace_the_stored_ones_as_a_whole(api):
    batch = insert_batch(call_settings={"ring_timeout": 20, "max_attempts": 5})

    update_settings(api, batch, {"ring_timeout": 40})

    assert stored_batch(batch["_id"])["call_settings"] == {"ring_timeout": 40}


def test_an_empty_object_clears_them(api):
    batch = insert_batch(call_settings=FRONTEND_SETTINGS)

    update_settings(api, batch, {})

    assert stored_batch(batch["_id"])["call_settings"] == {}


def test_unknown_keys_holding_scalars_are_kept(api):
    batch = insert_batch()
    settings = {"priority": "high", "max_concurrent_calls": 3, "record": True, "voice": None}

    assert update_settings(api, batch, settings).status_code == 200
    assert stored_batch(batch["_id"])["call_settings"] == settings


def test_numbers_sent_as_strings_are_stored_as_numbers_and_null_known_keys_dropped(api):
    batch = insert_batch()

    update_settings(api, batch, {"max_call_duration": "600", "retry_delay_hours": 2, "ring_timeout": None})

    assert stored_batch(batch["_id"])["call_settings"] == {"max_call_duration": 600, "retry_delay_hours": 2.0}


@pytest.mark.parametrize("value", [60, 3600])
def test_limits_are_inclusive(api, value):
    assert update_settings(api, insert_batch(), {"max_call_duration": value}).status_code == 200


@pytest.mark.parametrize(
    ("settings", "detail"),
    [
        (
            {"max_call_duration": 59},
            "call_settings.max_call_duration: Ensure this value is greater than or equal to 60.",
        ),
        (
            {"max_call_duration": 3601},
            "call_settings.max_call_duration: Ensure this value is less than or equal to 3600.",
        ),
        ({"max_call_duration": 60.5}, "call_settings.max_call_duration: A valid integer is required."),
        ({"ring_timeout": 9}, "call_settings.ring_timeout: Ensure this value is greater than or equal to 10."),
        ({"ring_timeout": 121}, "call_settings.ring_timeout: Ensure this value is less than or equal to 120."),
        ({"max_attempts": 0}, "call_settings.max_attempts: Ensure this value is greater than or equal to 1."),
        ({"max_attempts": 11}, "call_settings.max_attempts: Ensure this value is less than or equal to 10."),
        ({"max_attempts": True}, "call_settings.max_attempts: A valid integer is required."),
        (
            {"retry_delay_hours": -0.5},
            "call_settings.retry_delay_hours: Ensure this value is greater than or equal to 0",
        ),
        (
            {"retry_delay_hours": 168.5},
            "call_settings.retry_delay_hours: Ensure this value is less than or equal to 168",
        ),
        ({"retry_delay_hours": True}, "call_settings.retry_delay_hours: A valid number is required."),
        (
            {"allowed_hours": {"start": "9:00", "end": "18:00"}},
            "call_settings.allowed_hours.start: Must be a time HH:MM",
        ),
        (
            {"allowed_hours": {"start": "09:00", "end": "24:00"}},
            "call_settings.allowed_hours.end: Must be a time HH:MM",
        ),
        (
            {"allowed_hours": {"start": "09:00", "end": "09:60"}},
            "call_settings.allowed_hours.end: Must be a time HH:MM",
        ),
        (
            {"allowed_hours": {"start": "18:00", "end": "09:00"}},
            "call_settings.allowed_hours.end: Must be later than start.",
        ),
        ({"allowed_hours": {"start": "09:00"}}, "call_settings.allowed_hours.end: This field is required."),
        ({"allowed_hours": "09:00-18:00"}, "call_settings.allowed_hours: Invalid data."),
        ({"days_of_week": [0, 1]}, "call_settings.days_of_week[0]: Ensure this value is greater than or equal to 1."),
        ({"days_of_week": [7, 8]}, "call_settings.days_of_week[1]: Ensure this value is less than or equal to 7."),
        ({"days_of_week": [1, 1]}, "call_settings.days_of_week: Must not repeat a day."),
        ({"days_of_week": []}, "call_settings.days_of_week: Ensure this field has at least 1 elements."),
        ({"days_of_week": "1,2"}, "call_settings.days_of_week: Expected a list of items"),
        ({"timezone": "Mars/Olympus_Mons"}, "call_settings.timezone: Unknown time zone 'Mars/Olympus_Mons'"),
        ({"timezone": "../../etc/passwd"}, "call_settings.timezone: Unknown time zone"),
        ({"timezone": 3}, "call_settings.timezone: Must be a string."),
        ({"retry_settings": {"max_attempts": 3}}, "call_settings.retry_settings: Unknown setting"),
        ({"phones": ["+56912345678"]}, "call_settings.phones: Unknown setting"),
    ],
)
def test_invalid_settings_are_a_400_naming_the_key_and_change_nothing(api, settings, detail):
    batch = insert_batch(call_settings={"ring_timeout": 20})

    response = update_settings(api, batch, {**FRONTEND_SETTINGS, **settings})

    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)
    assert stored_batch(batch["_id"])["call_settings"] == {"ring_timeout": 20}


def test_every_invalid_key_is_named_at_once(api):
    response = update_settings(api, insert_batch(), {"ring_timeout": 5, "timezone": "Nowhere", "extra": {}})

    assert set(response.json()["errors"]["call_settings"]) == {"ring_timeout", "timezone", "extra"}


def test_creation_validates_them_the_same_way(api):
    response = api.post(
        "/api/v1/batches",
        {"account_id": "acc-1", "name": "Campaign", "call_settings": {"days_of_week": [1, 9]}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("call_settings.days_of_week[1]:")
    assert collection(Batch).count_documents({}) == 0


@pytest.mark.parametrize(
    "settings, problem",
    [
        ({"$where": "sleep(1000)"}, "$where"),
        ({"a.b": 1}, "a.b"),
        ({"k" * 5000: 1}, "k" * 65),
        ({"1st": 1}, "1st"),
        ({"note\n": 1}, "note\n"),  # the whole key is a name, a line end too
        ({f"key_{n}": n for n in range(51)}, "50"),
        ({"note": "x" * 1001}, "note"),
    ],
)
def test_extra_keys_must_be_plain_identifiers_few_and_short(api, settings, problem):
    batch = insert_batch(call_settings={"ring_timeout": 30})

    response = update_settings(api, batch, settings)

    assert response.status_code == 400
    assert problem[:64] in response.json()["detail"] or problem in response.json()["detail"]
    assert stored_batch(batch["_id"])["call_settings"] == {"ring_timeout": 30}


def test_fifty_short_extra_keys_are_kept(api):
    batch = insert_batch()
    settings = {f"key_{n}": "v" * 1000 for n in range(50)}

    assert update_settings(api, batch, settings).status_code == 200
    assert stored_batch(batch["_id"])["call_settings"] == settings


def test_the_validator_is_reusable_outside_a_request():
    from batches.call_settings import validate_call_settings

    assert validate_call_settings({"ring_timeout": 30, "note": "x"}) == {"ring_timeout": 30, "note": "x"}
    with pytest.raises(Exception, match=r"\$where"):
        validate_call_settings({"$where": 1})
