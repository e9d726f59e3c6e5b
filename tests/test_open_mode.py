"""The open development mode (API_AUTH_DISABLED with DJANGO_DEBUG) cannot be
exposed: servers refuse to start on a non-loopback address, and a request
whose peer is not this machine is treated as if the mode were off."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from speechai.production import exposed_open_mode_problem
from tests.factories import insert_job, stored_job
from tests.test_gunicorn import (
    STARTUP_SECONDS,
    free_loopback_port,
    get,
    production,  # noqa: F401  (the fixture, used by open_mode_environment)
    start_gunicorn,
    wait_until_serving,
)

MOCK_TOKEN = "Bearer mock-jwt-token-12345"


@pytest.fixture
def open_mode(settings):
    settings.API_AUTH_DISABLED = True
    settings.DEBUG = True


@pytest.mark.django_db
def test_anonymous_and_mock_token_requests_from_a_remote_peer_are_refused(open_mode):
    job = insert_job()
    remote = APIClient(REMOTE_ADDR="10.0.0.5")
    mock_token = APIClient(REMOTE_ADDR="10.0.0.5")
    mock_token.credentials(HTTP_AUTHORIZATION=MOCK_TOKEN)

    assert remote.get("/api/v1/jobs", HTTP_HOST="localhost").status_code == 401
    assert remote.put(f"/api/v1/jobs/{job['_id']}/cancel", HTTP_HOST="localhost").status_code == 401
    assert mock_token.put(f"/api/v1/jobs/{job['_id']}/cancel").status_code == 401
    assert stored_job(job["_id"])["status"] == "pending"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "proxy_header",
    [
        {"HTTP_X_FORWARDED_FOR": "203.0.113.7"},
        {"HTTP_X_FORWARDED_FOR": "127.0.0.1, 203.0.113.7"},
        {"HTTP_X_REAL_IP": "203.0.113.7"},
        {"HTTP_FORWARDED": 'for="[2001:db8::17]:4711";proto=http'},
    ],
)
def test_a_request_a_local_proxy_forwarded_for_a_remote_client_is_refused(open_mode, proxy_header):
    assert APIClient(REMOTE_ADDR="127.0.0.1").get("/api/v1/jobs", **proxy_header).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("peer", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_the_mode_still_serves_anonymous_callers_on_this_machine(open_mode, peer):
    insert_job()
    local = APIClient(REMOTE_ADDR=peer)

    assert local.get("/api/v1/jobs").status_code == 200
    assert local.get("/api/v1/jobs", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200


@pytest.mark.parametrize(
    "binds",
    [["0.0.0.0:8000"], ["[::]:8000"], ["127.0.0.1:8000", "10.0.0.5:8000"], ["unix:/run/speechai.sock"], ["0:8000"]],
)
def test_listening_beyond_loopback_is_a_problem_in_the_open_mode_only(binds):
    assert "must listen on loopback only" in exposed_open_mode_problem(True, binds)
    assert exposed_open_mode_problem(False, binds) is None


@pytest.mark.parametrize("binds", [["127.0.0.1:8000"], ["[::1]:8000"], ["localhost:8000"], ["127.0.0.2"], ["::1"]])
def test_loopback_addresses_are_fine_in_the_open_mode(binds):
    assert exposed_open_mode_problem(True, binds) is None


@pytest.mark.parametrize("address", ["0.0.0.0:8123", "[::]:8123", "10.0.0.5:8123"])
def test_runserver_refuses_a_public_address_in_the_open_mode(open_mode, address):
    with pytest.raises(CommandError, match="must listen on loopback only"):
        call_command("runserver", address, use_reloader=False, skip_checks=True)


@pytest.fixture
def open_mode_environment(request):
    return {
        **request.getfixturevalue("production"),
        "API_AUTH_DISABLED": "true",
        "DJANGO_DEBUG": "true",
        "LOG_FORMAT": "json",
    }


def test_gunicorn_bound_to_all_interfaces_in_the_open_mode_refuses_to_start(open_mode_environment):
    server = start_gunicorn(open_mode_environment, host="0.0.0.0")

    assert server.process.wait(timeout=STARTUP_SECONDS) != 0
    (refusal, *_) = server.wait_for_log(lambda entry: "Refusing to start" in entry.get("message", ""))
    assert "API_AUTH_DISABLED" in refusal["message"]
    assert "0.0.0.0" in refusal["message"]
    assert not any("Listening at" in line for line in server.lines)


@pytest.mark.django_db
def test_gunicorn_on_loopback_in_the_open_mode_serves_this_machine_anonymously(open_mode_environment):
    insert_job()
    server = start_gunicorn(open_mode_environment, port=free_loopback_port())
    wait_until_serving(server)
    try:
        status, _, _ = get(f"{server.url}/api/v1/jobs")
        proxied_status, _, _ = get(f"{server.url}/api/v1/jobs", {"X-Forwarded-For": "198.51.100.4"})
    finally:
        server.stop()

    assert (status, proxied_status) == (200, 401)
