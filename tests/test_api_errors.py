"""Every error under /api/ and /health is JSON `{"detail", "message"}` (the
React frontend shows `message`), whatever the settings: DEBUG's HTML pages
never reach a client of the API. `GET /` says what this server is."""

import json

import pytest
from rest_framework.test import APIClient

from accounts import selectors
from tests.api import make_user, token_client

pytestmark = pytest.mark.django_db


def assert_json_error(response, status, detail=None):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["message"] == body["detail"]
    if detail is not None:
        assert body["detail"] == detail
    return body


@pytest.fixture
def api(db):
    return token_client(make_user("rita"))


def test_root_describes_the_server_without_auth(client):
    response = client.get("/")

    assert response.status_code == 200
    assert response.json() == {
        "name": "SpeechAI back office",
        "version": "1.0.0",
        "docs": "/docs",
        "api": "/api/v1",
        "health": "/health",
    }


def test_400_names_the_field_in_message(api):
    body = assert_json_error(api.get("/api/v1/jobs?status=nope"), 400)

    assert "status" in body["message"] and "errors" in body


def test_401_and_403(api, client):
    assert_json_error(client.get("/api/v1/jobs"), 401)
    assert_json_error(api.post("/api/v1/accounts", {"account_name": "x"}, format="json"), 403)


def test_404_of_a_document_and_of_a_route(api):
    assert_json_error(api.get("/api/v1/jobs/job_nope"), 404, "Job not found")
    assert_json_error(api.get("/api/v1/nowhere"), 404, "Not found: no such API endpoint.")


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_path_is_a_json_404_also_with_debug_on(client, settings, debug):
    settings.DEBUG = debug

    assert_json_error(client.get("/api/v1/nowhere/at/all"), 404, "Not found: no such API endpoint.")
    assert_json_error(client.get("/api/nothing"), 404)


def test_other_paths_keep_djangos_pages(client, settings):
    settings.DEBUG = True

    response = client.get("/nowhere")

    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_405(api, client):
    assert_json_error(api.put("/api/v1/accounts"), 405, 'Method "PUT" not allowed.')
    assert_json_error(client.post("/health"), 405)


def test_415_for_a_body_that_is_not_json(db):
    operator = token_client(make_user("olga", "add_account"))

    response = operator.post("/api/v1/accounts", "account_name=x", content_type="text/plain")

    assert_json_error(response, 415)


@pytest.mark.parametrize("debug", [False, True])
def test_413_for_a_body_over_the_limit(api, settings, debug):
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    ids = [f"job_{n:06d}" for n in range(200)]

    response = api.post("/api/v1/jobs/cancel", json.dumps({"ids": ids}), content_type="application/json")

    body = assert_json_error(response, 413)
    assert "1,000 bytes" in body["message"]


@pytest.mark.parametrize("debug", [False, True])
def test_500_is_json_also_with_debug_on(db, settings, monkeypatch, debug):
    settings.DEBUG = debug

    def broken(**query):
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "account_list", broken)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(make_user("rita"))

    assert_json_error(api.get("/api/v1/accounts"), 500, "Internal server error.")


def test_a_bad_host_is_a_json_400(client, settings):
    settings.ALLOWED_HOSTS = ["example.org"]

    assert_json_error(client.get("/health", HTTP_HOST="evil.example"), 400)


def test_the_schema_documents_message_in_errors(api):
    schema = api.get("/api/schema?format=json").json()

    assert "message" in schema["components"]["schemas"]["Error"]["properties"]
