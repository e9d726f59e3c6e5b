import pytest
from rest_framework.test import APIClient

from tests.api import make_user, token_client
from tests.factories import insert_job, stored_job

pytestmark = pytest.mark.django_db


def test_requests_without_credentials_are_refused_with_401():
    job = insert_job()
    anonymous = APIClient()

    assert anonymous.get("/api/v1/jobs").status_code == 401
    assert anonymous.get(f"/api/v1/jobs/{job['_id']}").status_code == 401
    response = anonymous.delete(f"/api/v1/jobs/{job['_id']}")
    assert response.status_code == 401
    assert response.json()["detail"]
    assert stored_job(job["_id"])["status"] == "pending"


def test_an_unknown_token_is_refused_with_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer mock-jwt-token-12345")

    response = client.get("/api/v1/jobs")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token.", "message": "Invalid token."}


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_tokens_are_accepted_with_the_bearer_or_token_keyword(keyword):
    client = token_client(make_user("reader"), keyword=keyword)

    assert client.get("/api/v1/jobs").status_code == 200


def test_a_logged_in_admin_session_is_accepted(client):
    make_user("staff", superuser=True)
    client.login(username="staff", password="not-used-here-1234")

    assert client.get("/api/v1/jobs").status_code == 200


def test_reading_needs_no_permission_but_changes_do():
    job = insert_job(status="failed")
    reader = token_client(make_user("reader"))

    assert reader.get(f"/api/v1/jobs/{job['_id']}").status_code == 200
    cancel = reader.put(f"/api/v1/jobs/{job['_id']}/cancel")
    retry = reader.put(f"/api/v1/jobs/{job['_id']}/retry")
    assert (cancel.status_code, retry.status_code) == (403, 403)
    assert cancel.json()["detail"] == "You do not have permission to cancel jobs."
    assert stored_job(job["_id"])["status"] == "failed"


def test_cancel_and_retry_are_separate_permissions():
    job = insert_job(status="failed")
    canceller = token_client(make_user("canceller", "cancel_job"))

    assert canceller.put(f"/api/v1/jobs/{job['_id']}/retry").status_code == 403
    assert canceller.put(f"/api/v1/jobs/{job['_id']}/cancel").status_code == 200


def test_the_open_development_mode_accepts_anonymous_and_mock_tokens(settings):
    settings.API_AUTH_DISABLED = True
    job = insert_job()
    frontend = APIClient()
    frontend.credentials(HTTP_AUTHORIZATION="Bearer mock-jwt-token-12345")

    assert APIClient().get("/api/v1/jobs").status_code == 200
    assert frontend.put(f"/api/v1/jobs/{job['_id']}/cancel").status_code == 200
    assert stored_job(job["_id"])["cancelled_by"] == "anonymous"


def test_cors_allows_only_the_configured_origins(settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:3000"]
    client = token_client(make_user("reader"))

    allowed = client.get("/api/v1/jobs", HTTP_ORIGIN="http://localhost:3000")
    other = client.get("/api/v1/jobs", HTTP_ORIGIN="http://evil.example")

    assert allowed["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert allowed["Access-Control-Allow-Credentials"] == "true"
    assert "Access-Control-Allow-Origin" not in other
