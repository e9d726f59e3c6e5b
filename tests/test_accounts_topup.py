"""POST /api/v1/accounts/{id}/topup: one atomic `$inc` plus its ledger
entries, racing the workers' own increments without losing any."""

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from bson import Decimal128, Int64

from accounts import services
from accounts.models import Account, Transaction
from audit.models import AuditEntry
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.batch_helpers import recently
from tests.factories import insert_account, stored_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return token_client(make_user("mara", "topup_account"))


def topup(client, account_ref, body):
    return client.post(f"/api/v1/accounts/{account_ref}/topup", body, format="json")


@pytest.mark.parametrize("id_form", ["_id", "account_id"])
def test_adds_minutes_and_credits_with_one_ledger_entry_each(manager, id_form):
    account = insert_account(credit_balance=10.0, minutes_purchased=5.0, credit_used=2.0)

    response = topup(manager, account[id_form], {"minutes": 30, "credits": 12.5, "description": "Invoice 42"})

    assert response.status_code == 200
    body = response.json()
    assert (body["success"], body["message"]) == (True, "Account topped up successfully")
    assert body["account"]["credit_balance"] == 22.5
    assert body["account"]["credit_available"] == 20.5
    stored = stored_account(account["_id"])
    assert (stored["minutes_purchased"], stored["credit_balance"], stored["credit_used"]) == (35.0, 22.5, 2.0)
    assert recently(stored["last_topup_at"]) and stored["updated_at"] == stored["last_topup_at"]
    entries = sorted(collection(Transaction).find({"account_id": account["account_id"]}), key=lambda e: e["type"])
    assert [(e["type"], e["amount"], e["description"], e["created_by"]) for e in entries] == [
        ("topup_credits", 12.5, "Invoice 42", "mara"),
        ("topup_minutes", 30.0, "Invoice 42", "mara"),
    ]
    entry = AuditEntry.objects.get(action="accounts.topup")
    assert (entry.actor, entry.matched, entry.details["amounts"]) == ("mara", 1, {"minutes": 30.0, "credits": 12.5})
    assert sorted(entry.details["transaction_ids"]) == sorted(e["transaction_id"] for e in entries)


def test_the_update_is_one_inc_never_a_read_then_write(manager, round_trips):
    account = insert_account()
    round_trips.reset()

    topup(manager, account["account_id"], {"credits": 5})

    assert round_trips.past_authentication == [
        ("find", "accounts"),  # resolve the id
        # the $inc and, only if it happened, the ledger entry and the audit entry
        ("bulkWrite", "accounts+transactions+audit_auditentry"),
        ("find", "accounts"),  # read back for the response
    ]


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "Must provide either minutes or credits"),
        ({"description": "nothing"}, "Must provide either minutes or credits"),
        ({"credits": 0}, "credits: Must be greater than 0."),
        ({"minutes": -5}, "minutes"),
        ({"credits": "ten"}, "credits"),
        ({"credits": True}, "credits"),
        ({"credits": 1e12}, "credits"),
    ],
)
def test_invalid_amounts_are_a_400_and_change_nothing(manager, body, message):
    account = insert_account()

    response = topup(manager, account["_id"], body)

    assert response.status_code == 400
    assert message in response.json()["message"]
    assert stored_account(account["_id"]) == account
    assert collection(Transaction).count_documents({}) == 0


def test_topping_up_needs_its_own_permission(db):
    account = insert_account()
    operator = token_client(make_user("olga", "view_account", "add_account", "change_account"))

    response = topup(operator, account["_id"], {"credits": 5})

    assert response.status_code == 403
    assert response.json()["message"] == "You do not have permission to top up accounts."
    assert stored_account(account["_id"])["credit_balance"] == account["credit_balance"]


def test_an_unknown_account_is_a_404_and_audited(manager):
    response = topup(manager, "acc-nope", {"credits": 5})

    assert response.status_code == 404
    assert response.json()["message"] == "Account not found"
    assert AuditEntry.objects.get(action="accounts.topup").matched == 0
    assert collection(Transaction).count_documents({}) == 0


@pytest.mark.parametrize(
    "stored, expected",
    [
        ({"credit_balance": Int64(7)}, 12),
        ({"credit_balance": None}, 5.0),  # null starts at 0
        ({}, 5.0),  # missing starts at 0
    ],
)
def test_odd_stored_balances_are_topped_up(manager, stored, expected):
    account = insert_account()
    collection(Account).update_one({"_id": account["_id"]}, {"$unset": {"credit_balance": ""}})
    if stored:
        collection(Account).update_one({"_id": account["_id"]}, {"$set": stored})

    response = topup(manager, account["_id"], {"credits": 5})

    assert response.status_code == 200
    assert stored_account(account["_id"])["credit_balance"] == expected


def test_a_decimal128_balance_is_topped_up(manager):
    account = insert_account(credit_balance=Decimal128("10.25"))

    response = topup(manager, account["_id"], {"credits": 5})

    assert response.status_code == 200
    assert response.json()["account"]["credit_balance"] == 15.25


def test_a_balance_that_is_not_a_number_is_a_409_and_changes_nothing(manager):
    account = insert_account(credit_balance="lots")

    response = topup(manager, account["_id"], {"credits": 5})

    assert response.status_code == 409
    body = response.json()
    assert "credit_balance is not a number" in body["message"] and body["status"] == "active"
    assert stored_account(account["_id"]) == account
    assert collection(Transaction).count_documents({}) == 0
    entry = AuditEntry.objects.get(action="accounts.topup")
    assert (entry.matched, entry.changed, entry.reason) == (1, 0, "Refused: credit_balance is not a number")


def test_an_account_removed_after_its_read_is_a_404_with_no_ledger_entry(manager, monkeypatch):
    account = insert_account()
    real = services.write_in_order

    def removed_first(writes):
        collection(Account).delete_one({"_id": account["_id"]})
        return real(writes)

    monkeypatch.setattr(services, "write_in_order", removed_first)

    assert topup(manager, account["account_id"], {"credits": 5}).status_code == 404

    assert collection(Account).count_documents({}) == 0
    assert collection(Transaction).count_documents({}) == 0
    entry = AuditEntry.objects.get(action="accounts.topup")
    assert (entry.matched, entry.changed) == (0, 0)


TOPUPS = 40


@pytest.mark.django_db(transaction=True)
def test_concurrent_topups_and_worker_increments_are_all_kept(live_server):
    """API top-ups race a simulated worker that `$inc`s credit_used,
    minutes_used and calls_today after each call: every increment is in the
    final document (a read-modify-write top-up would lose some)."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=make_user("mara", "topup_account")).key
    account = insert_account(credit_balance=100.0, minutes_purchased=100.0, credit_used=0, minutes_used=0)
    start, api_done = threading.Barrier(2), threading.Event()
    worker_calls = []

    def api_topup(_):
        request = urllib.request.Request(
            f"{live_server.url}/api/v1/accounts/{account['account_id']}/topup",
            data=json.dumps({"credits": 1, "minutes": 2}).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status

    def api_side():
        start.wait()
        try:
            with ThreadPoolExecutor(max_workers=4) as pool:
                return list(pool.map(api_topup, range(TOPUPS)))
        finally:
            api_done.set()

    def worker_side():
        start.wait()
        accounts = collection(Account)
        # Calls end all the time while the operators top up.
        while not api_done.is_set() or len(worker_calls) < 50:
            accounts.update_one(
                {"_id": account["_id"]}, {"$inc": {"credit_used": 1, "minutes_used": 1, "calls_today": 1}}
            )
            worker_calls.append(1)

    results = {}
    api_thread = threading.Thread(target=lambda: results.update(api=api_side()))
    worker_thread = threading.Thread(target=worker_side)
    for thread in (api_thread, worker_thread):
        thread.start()
    for thread in (api_thread, worker_thread):
        thread.join(timeout=300)

    assert results["api"] == [200] * TOPUPS
    stored = stored_account(account["_id"])
    assert stored["credit_balance"] == 100.0 + TOPUPS
    assert stored["minutes_purchased"] == 100.0 + 2 * TOPUPS
    assert (stored["credit_used"], stored["minutes_used"], stored["calls_today"]) == (len(worker_calls),) * 3
    assert collection(Transaction).count_documents({"account_id": account["account_id"]}) == 2 * TOPUPS
