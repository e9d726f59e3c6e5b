"""Structured logs: JSON lines that carry the request id and name the cause
of database errors (the backend's own exceptions have empty messages)."""

import io
import json
import logging
import sys

import pytest
from django.db import DatabaseError, connections
from pymongo import MongoClient
from pymongo.errors import OperationFailure

from speechai.logging import JsonFormatter


@pytest.fixture
def json_log():
    """What the root logger writes while the test runs, one dict per line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logging.getLogger().removeHandler(handler)


@pytest.fixture
def unreachable_database():
    connection = connections["default"]
    working_database = connection.database
    unreachable = MongoClient("mongodb://127.0.0.1:1/", serverSelectionTimeoutMS=200)
    connection.database = unreachable["speechai_db"]
    yield
    connection.database = working_database
    unreachable.close()


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    first = client.get("/health")
    second = client.get("/health")

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.django_db
def test_a_proxy_request_id_is_kept_when_it_is_a_plain_token(client):
    kept = client.get("/health", headers={"X-Request-ID": "alb-1-5f2a:9c.e_d"})
    replaced = client.get("/health", headers={"X-Request-ID": 'x" forged="1'})

    assert kept["X-Request-ID"] == "alb-1-5f2a:9c.e_d"
    assert replaced["X-Request-ID"] != 'x" forged="1'
    assert len(replaced["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_database_failure_is_logged_with_its_cause_and_the_request_id(client, json_log, unreachable_database):
    response = client.get("/api/v1/jobs/", headers={"Authorization": "Bearer 0123456789abcdef"})

    assert response.status_code == 503
    lines = [line for line in json_log() if line["level"] == "ERROR"]
    assert {line["request_id"] for line in lines} == {response["X-Request-ID"]}
    assert any("ServerSelectionTimeoutError: 127.0.0.1:1" in line["message"] for line in lines)
    assert {"method": "GET", "path": "/api/v1/jobs/", "status": 503}.items() <= lines[-1].items()


def test_an_error_names_the_database_cause_behind_an_empty_message():
    duplicate = "E11000 duplicate key error collection: speechai_db.jobs index: job_id_unique"
    try:
        try:
            raise OperationFailure(duplicate)
        except OperationFailure as cause:
            raise DatabaseError() from cause
    except DatabaseError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/admin/",), sys.exc_info()
        )

    entry = json.loads(JsonFormatter().format(record))

    assert entry["message"] == "Internal Server Error: /admin/"
    assert entry["error"] == f"OperationFailure: {duplicate}"
    assert "The above exception was the direct cause" in entry["traceback"]
    assert entry["time"].endswith("Z")
