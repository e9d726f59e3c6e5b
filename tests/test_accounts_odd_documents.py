"""Account documents of any shape (written by older services, by hand, by
the workers) are served without a 500, read-only or changed."""

import datetime

import pytest
from bson import Decimal128, Int64, ObjectId

from accounts.models import Account
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.factories import insert_account, stored_account
from tests.staff import staff_user

pytestmark = pytest.mark.django_db

ODD_ACCOUNTS = {
    "bare": {},  # only an _id
    "no_balances": {"account_id": "legacy_bare", "account_name": "Bare", "status": "active"},
    "int64_and_decimal": {
        "account_id": "acc-int64",
        "plan_type": "credit_based",
        "status": "active",
        "credit_balance": Decimal128("120.50"),
        "credit_used": Int64(20),
        "credit_reserved": Decimal128("0.5"),
        "calls_today": Int64(3),
        "daily_call_limit": Int64(1000),
        "minutes_purchased": Int64(10),
    },
    "strings_for_numbers": {
        "account_id": "acc-strings",
        "plan_type": "minutes_based",
        "status": "active",
        "minutes_purchased": "100",
        "minutes_used": "ten",
        "calls_today": "3",
        "daily_call_limit": "many",
        "max_concurrent_calls": "5",
    },
    "odd_types": {
        "account_id": Int64(7),
        "account_name": 12345,
        "plan_type": ["credit_based"],
        "status": {"value": "active"},
        "country": None,
        "features": "all of them",
        "settings": [1, 2],
        "credit_balance": float("nan"),
        "created_at": "2025-10-01",
        "unknown_nested": {"when": datetime.datetime(2025, 1, 1), "oid": ObjectId(), "n": Int64(1)},
    },
}


@pytest.fixture
def api(db):
    return token_client(make_user("root", superuser=True))


@pytest.mark.parametrize("shape", ODD_ACCOUNTS)
def test_every_read_serves_an_odd_account(api, shape):
    _id = ObjectId()
    collection(Account).insert_one({"_id": _id, **ODD_ACCOUNTS[shape]})

    listed = api.get("/api/v1/accounts")
    assert listed.status_code == 200 and listed.json()[0]["_id"] == str(_id)
    for path in ["", "/balance", "/stats", "/summary", "/batches", "/transactions", "/last-call-settings"]:
        response = api.get(f"/api/v1/accounts/{_id}{path}")
        assert response.status_code == 200, (path, response.content)


def test_numbers_in_odd_types_are_read_as_numbers(api):
    _id = ObjectId()
    collection(Account).insert_one({"_id": _id, **ODD_ACCOUNTS["int64_and_decimal"]})

    body = api.get(f"/api/v1/accounts/{_id}").json()

    assert body["credit_balance"] == 120.5
    assert body["credit_available"] == 100.0
    assert body["calls_today"] == 3
    assert body["can_make_calls"] is True


def test_strings_are_numbers_when_they_read_as_one_and_zero_otherwise(api):
    _id = ObjectId()
    collection(Account).insert_one({"_id": _id, **ODD_ACCOUNTS["strings_for_numbers"]})

    body = api.get(f"/api/v1/accounts/{_id}/balance").json()

    assert (body["purchased"], body["used"], body["remaining"]) == (100.0, 0.0, 100.0)


@pytest.mark.parametrize("shape", ODD_ACCOUNTS)
def test_odd_accounts_can_be_changed_and_topped_up(api, shape):
    _id = ObjectId()
    collection(Account).insert_one({"_id": _id, **ODD_ACCOUNTS[shape]})

    suspend = api.patch(f"/api/v1/accounts/{_id}", {"status": "suspended", "pause_batches": True}, format="json")
    topup = api.post(f"/api/v1/accounts/{_id}/topup", {"minutes": 5}, format="json")

    assert suspend.status_code == 200, suspend.content
    assert topup.status_code in (200, 409), topup.content
    assert stored_account(_id)["status"] == "suspended"


def test_an_account_admin_page_lists_odd_accounts(client):
    for shape in ODD_ACCOUNTS.values():
        collection(Account).insert_one({"_id": ObjectId(), **shape})
    insert_account()
    client.force_login(staff_user("root2", superuser=True))

    listing = client.get("/admin/accounts/account/")

    assert listing.status_code == 200
    for document in collection(Account).find({}, {"_id": 1}):
        assert client.get(f"/admin/accounts/account/{document['_id']}/change/").status_code == 200
