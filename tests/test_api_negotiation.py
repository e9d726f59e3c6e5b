"""The API answers JSON to callers that accept it (no Accept header, `*/*`,
`application/json`, or a list naming one of them) and a JSON 406 to those
that accept only something else, as DRF's negotiation does."""

import pytest

from tests.api import make_user, token_client
from tests.factories import insert_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("nina"))


@pytest.mark.parametrize(
    "accept", [None, "*/*", "application/json", "application/json, text/plain, */*", "text/html;q=0.9, */*;q=0.1"]
)
def test_a_caller_accepting_json_gets_json(api, accept):
    job = insert_job(status="pending")
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}

    response = api.get(f"/api/v1/jobs/{job['_id']}", **headers)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["_id"] == str(job["_id"])


def test_a_caller_accepting_only_html_gets_a_json_406(api):
    response = api.get("/api/v1/jobs", HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response["Content-Type"].startswith("application/json")
    assert "Could not satisfy the request Accept header" in response.json()["detail"]


def test_a_format_the_api_does_not_render_is_a_404(api):
    assert api.get("/api/v1/jobs?format=xml").status_code == 404
