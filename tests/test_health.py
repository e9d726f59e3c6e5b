import pytest


@pytest.mark.django_db
def test_health_reports_a_connected_database_without_auth(client):
    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["database"] == "connected"
    assert body["timestamp"].endswith("Z")
