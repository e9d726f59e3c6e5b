import pytest
from django.db import connections


@pytest.mark.django_db
def test_health_reports_a_connected_database_without_auth(client):
    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["database"] == "connected"
    assert body["timestamp"].endswith("Z")


@pytest.mark.django_db
def test_health_reports_503_when_the_database_does_not_answer(client, settings):
    from pymongo import MongoClient

    connection = connections["default"]
    working_database = connection.database
    unreachable = MongoClient("mongodb://127.0.0.1:1/", serverSelectionTimeoutMS=200)
    connection.database = unreachable["speechai_db"]
    try:
        response = client.get("/health")
    finally:
        connection.database = working_database
        unreachable.close()

    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["database"] == "unreachable"
