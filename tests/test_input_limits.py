"""Hostile input gets a clear 4xx JSON answer naming the problem, never a
500 and never a partial change: bodies too large or nested too deep, values
MongoDB cannot store, numbers where ids (strings) belong."""

import json

import pytest
from django.conf import settings

from speechai.parsers import MAX_JSON_DEPTH
from tests.api import make_user, token_client
from tests.batch_helpers import stored_state
from tests.factories import insert_batch, insert_job

pytestmark = pytest.mark.django_db

WRITE_ENDPOINTS = [
    ("post", "/api/v1/jobs/cancel"),
    ("post", "/api/v1/batches"),
    ("patch", "/api/v1/batches/{batch}"),
    ("post", "/api/v1/batches/{batch}/cancel"),
    ("post", "/api/v1/jobs/{job}/cancel"),
]


@pytest.fixture
def api(db):
    client = token_client(make_user("operator", superuser=True))
    client.raise_request_exception = False
    return client


@pytest.fixture
def targets(db):
    batch = insert_batch()
    return {"batch": batch["batch_id"], "job": insert_job(batch_id=batch["batch_id"])["job_id"]}


def send(api, method, path, raw_body):
    return api.generic(method.upper(), path, raw_body, content_type="application/json")


def nested(depth):
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize(("method", "path"), WRITE_ENDPOINTS)
def test_json_nested_10000_levels_is_a_400_on_every_endpoint(api, targets, method, path):
    before = stored_state()

    response = send(api, method, path.format(**targets), "[" * 10_000 + "]" * 10_000)

    assert response.status_code == 400
    assert response.json()["detail"] == f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels."
    assert stored_state() == before


def test_the_depth_limit_is_exact(api):
    too_deep = send(api, "post", "/api/v1/batches", nested(MAX_JSON_DEPTH + 1))
    at_the_limit = send(api, "post", "/api/v1/batches", nested(MAX_JSON_DEPTH))

    assert too_deep.status_code == 400 and "deeper" in too_deep.json()["detail"]
    assert at_the_limit.status_code == 400 and "account_id" in at_the_limit.json()["errors"]


@pytest.mark.parametrize(("method", "path"), WRITE_ENDPOINTS)
def test_a_body_over_the_upload_limit_is_a_413_json(api, targets, method, path):
    body = json.dumps({"ids": ["x" * 100] * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 100)})

    response = send(api, method, path.format(**targets), body)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == f"The request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes."


def test_a_body_that_is_not_json_is_a_400_naming_the_parse_error(api):
    response = send(api, "post", "/api/v1/jobs/cancel", "\x00")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


@pytest.mark.parametrize(
    ("call_settings", "key", "message"),
    [
        ('{"a\\u0000b": 1}', "'a\\x00b'", "Keys must not contain NUL characters."),
        ('{"huge": 1180591620717411303424}', "huge", "An integer outside the 64-bit range."),
        # JSON does not tell 1e20 from 100000000000000000000 (JavaScript writes either): the same range.
        ('{"huge": 1e20}', "huge", "A number outside the 64-bit integer range."),
        ('{"huge": -1.5e300}', "huge", "A number outside the 64-bit integer range."),
        ('{"label": "\\ud800"}', "label", "Lone surrogate characters are not allowed."),
        ('{"\\udc00": "x"}', "'\\udc00'", "Lone surrogate characters are not allowed."),
    ],
)
def test_call_settings_mongodb_cannot_store_are_refused_naming_the_key(api, call_settings, key, message):
    body = '{"account_id": "acme", "name": "Campaign", "call_settings": ' + call_settings + "}"
    before = stored_state()

    response = send(api, "post", "/api/v1/batches", body)

    assert response.status_code == 400
    assert response.json()["errors"]["call_settings"] == {key: [message]}
    assert stored_state() == before


def test_updating_call_settings_refuses_what_mongodb_cannot_store(api, targets):
    before = stored_state()

    response = send(
        api, "patch", f"/api/v1/batches/{targets['batch']}", '{"call_settings": {"n": -9223372036854775809}}'
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"call_settings": {"n": ["An integer outside the 64-bit range."]}}
    assert stored_state() == before


def test_64_bit_integers_and_unicode_are_kept(api):
    settings_sent = {"n": 2**63 - 1, "m": -(2**63), "label": "Campaña 🚀"}

    response = api.post(
        "/api/v1/batches", {"account_id": "a", "name": "n", "call_settings": settings_sent}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["batch"]["call_settings"] == settings_sent


@pytest.mark.parametrize("ids", [[0], [1.5], [True], [None], [["x"]], [{"id": "x"}]])
def test_bulk_cancel_ids_must_be_strings(api, targets, ids):
    before = stored_state()

    response = api.post("/api/v1/jobs/cancel", {"ids": ids}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["ids"]
    assert stored_state() == before


def test_a_body_that_is_not_json_is_a_400_with_errors(api):
    response = send(api, "post", "/api/v1/jobs/cancel", "\x00")

    assert response.status_code == 400
    assert response.json()["errors"] == {"non_field_errors": [response.json()["detail"]]}


@pytest.mark.parametrize(
    ("method", "path"), [("post", "/api/v1/batches/{batch}/cancel"), ("post", "/api/v1/jobs/{job}/cancel")]
)
@pytest.mark.parametrize("body", ["null", "[]", '"reason"'])
def test_a_cancel_body_that_is_not_an_object_is_refused(api, targets, method, path, body):
    before = stored_state()

    response = send(api, method, path.format(**targets), body)

    assert response.status_code == 400
    assert response.json()["errors"]
    assert stored_state() == before


def test_a_reason_must_be_a_string(api, targets):
    response = api.post(f"/api/v1/batches/{targets['batch']}/cancel", {"reason": 0}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"reason": ["Must be a string."]}


def test_the_query_reason_is_validated_even_when_the_body_has_one(api, targets):
    response = api.post(
        f"/api/v1/batches/{targets['batch']}/cancel?reason={'x' * 501}", {"reason": "short"}, format="json"
    )

    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


@pytest.mark.parametrize("query", ["limit=", "skip=", "created_before=", "created_after="])
def test_an_empty_query_value_is_invalid_not_absent(api, query):
    response = api.get(f"/api/v1/jobs?{query}")

    assert response.status_code == 400
    assert query.rstrip("=") in response.json()["errors"]
