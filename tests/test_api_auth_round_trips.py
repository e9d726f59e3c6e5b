"""What authentication costs the database: one round trip for a token not
seen lately (token and user together), none for one seen within
API_TOKEN_CACHE_SECONDS; the user's permissions read once, then remembered
with the token."""

import time

import pytest
from rest_framework.authtoken.models import Token

from tests.api import make_user, token_client
from tests.conftest import AUTH_COLLECTIONS
from tests.factories import insert_job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _token_cache(settings):
    settings.API_TOKEN_CACHE_SECONDS = 5


def auth_commands(round_trips):
    return [command for command in round_trips.commands if command[1] in AUTH_COLLECTIONS]


def test_a_new_token_costs_one_round_trip_and_a_known_one_none(round_trips):
    job = insert_job()
    reader = token_client(make_user("reader"))

    round_trips.reset()
    first = reader.get(f"/api/v1/jobs/{job['_id']}")
    first_trips = round_trips.count
    round_trips.reset()
    second = reader.get(f"/api/v1/jobs/{job['_id']}")

    assert (first.status_code, second.status_code) == (200, 200)
    assert first_trips == 2  # the token with its user, then the job
    assert round_trips.commands == [("find", "jobs")]


def test_without_the_cache_every_request_reads_its_token_once(settings, round_trips):
    settings.API_TOKEN_CACHE_SECONDS = 0
    job = insert_job()
    reader = token_client(make_user("reader"))

    round_trips.reset()
    for _ in range(3):
        assert reader.get(f"/api/v1/jobs/{job['_id']}").status_code == 200

    assert round_trips.count == 6
    assert [name for name, _ in auth_commands(round_trips)] == ["aggregate"] * 3


def test_a_revoked_token_is_refused_once_the_cache_time_is_over(settings):
    settings.API_TOKEN_CACHE_SECONDS = 0.2
    user = make_user("leaver")
    reader = token_client(user)
    assert reader.get("/api/v1/jobs").status_code == 200

    Token.objects.filter(user=user).delete()
    within = reader.get("/api/v1/jobs")
    time.sleep(0.3)
    after = reader.get("/api/v1/jobs")

    assert within.status_code == 200
    assert after.status_code == 401
    assert after.json() == {"detail": "Invalid token.", "message": "Invalid token."}


def test_a_deactivated_user_is_refused_once_the_cache_time_is_over(settings):
    settings.API_TOKEN_CACHE_SECONDS = 0
    user = make_user("leaver")
    reader = token_client(user)
    assert reader.get("/api/v1/jobs").status_code == 200

    user.is_active = False
    user.save(update_fields=["is_active"])

    response = reader.get("/api/v1/jobs")
    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted.", "message": "User inactive or deleted."}


def test_permissions_are_read_once_then_remembered_with_the_token(round_trips):
    jobs = [insert_job(status="failed") for _ in range(2)]
    canceller = token_client(make_user("canceller", "cancel_job"))

    round_trips.reset()
    assert canceller.put(f"/api/v1/jobs/{jobs[0]['_id']}/cancel").status_code == 200
    first = auth_commands(round_trips)
    round_trips.reset()
    assert canceller.put(f"/api/v1/jobs/{jobs[1]['_id']}/cancel").status_code == 200

    assert first[0] == ("aggregate", "authtoken_token")
    assert {target for _, target in first[1:]} <= {"auth_permission"}
    assert len(first) <= 3  # the token, the user's and the groups' permissions
    assert auth_commands(round_trips) == []


def test_a_missing_permission_is_refused_without_reading_more_than_once(round_trips):
    job = insert_job(status="failed")
    reader = token_client(make_user("reader"))

    round_trips.reset()
    responses = [reader.put(f"/api/v1/jobs/{job['_id']}/cancel").status_code for _ in range(2)]

    assert responses == [403, 403]
    assert len(auth_commands(round_trips)) <= 3


def test_the_token_is_read_through_an_index():
    from django.db import connections

    token = Token.objects.create(user=make_user("reader"))
    database = connections["default"].database
    pipeline = [{"$match": {"key": token.key}}, {"$limit": 1}]

    explained = database.command("explain", {"aggregate": "authtoken_token", "pipeline": pipeline, "cursor": {}})

    assert "IXSCAN" in str(explained)
    assert "COLLSCAN" not in str(explained)
