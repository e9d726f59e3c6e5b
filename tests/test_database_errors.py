"""A database error is reported by kind: 503 only when the database cannot
be reached; a write the server refuses is the client's 400 or our 500,
logged with its cause — never a 503 that blames the database."""

import pytest
from pymongo.errors import DocumentTooLarge, DuplicateKeyError, NetworkTimeout, OperationFailure, WriteError

from batches import services as batch_services
from tests.api import make_user, token_client
from tests.factories import insert_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    return token_client(make_user("ana", "add_batch", "change_batch"))


def test_a_refused_write_is_not_reported_as_an_unavailable_database(api, monkeypatch):
    taken = insert_batch()["batch_id"]
    monkeypatch.setattr(batch_services, "new_batch_id", lambda now: taken)  # the real unique index refuses it

    response = api.post("/api/v1/batches", {"account_id": "acme", "name": "Clash"}, format="json")

    assert response.status_code in (400, 500)
    assert "unavailable" not in response.json()["detail"]


@pytest.mark.parametrize(
    "error, status",
    [
        (DuplicateKeyError("E11000 duplicate key", 11000), 400),
        (DocumentTooLarge("BSON document too large"), 400),
        (WriteError("Invalid field name", 52), 400),
        (OperationFailure("bad query", 2), 500),
        (NetworkTimeout("timed out"), 503),
    ],
)
def test_errors_are_mapped_by_kind(error, status):
    from rest_framework.test import APIRequestFactory

    from speechai.exceptions import api_exception_handler

    request = APIRequestFactory().get("/api/v1/batches")

    response = api_exception_handler(error, {"request": request})

    assert response.status_code == status
    assert response.data["detail"]
