"""The account's read endpoints: balance, stats, summary, batches,
transactions and last-call-settings, in the original's shapes."""

import datetime

import pytest

from accounts.models import Transaction
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.factories import insert_account, insert_batch, insert_job

pytestmark = pytest.mark.django_db
ID_FORMS = ["_id", "account_id"]


@pytest.fixture
def api(db):
    return token_client(make_user("rita"))


def get(api, account, id_form, path):
    response = api.get(f"/api/v1/accounts/{account[id_form]}/{path}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("id_form", ID_FORMS)
def test_balance_of_a_credit_account_counts_what_the_workers_charged(api, id_form):
    account = insert_account(credit_balance=50.0, credit_used=20.0, credit_reserved=5.0)

    assert get(api, account, id_form, "balance") == {
        "has_balance": True,
        "remaining": 25.0,
        "used": 20.0,
        "balance": 50.0,
        "reserved": 5.0,
        "unit": "USD",
        "plan_type": "credit_based",
        "can_make_calls": True,
    }


def test_balance_of_a_minutes_account(api):
    account = insert_account(plan_type="minutes_based", minutes_purchased=10, minutes_used=10, minutes_reserved=0)

    assert get(api, account, "_id", "balance") == {
        "has_balance": False,
        "remaining": 0.0,
        "used": 10.0,
        "purchased": 10.0,
        "reserved": 0.0,
        "unit": "minutes",
        "plan_type": "minutes_based",
        "can_make_calls": False,
    }


@pytest.mark.parametrize(
    "fields, can_call",
    [
        ({"plan_type": "unlimited", "credit_balance": 0}, True),
        ({"plan_type": "unlimited", "status": "suspended"}, False),
        ({"calls_today": 1000, "daily_call_limit": 1000}, False),
        ({"credit_balance": 0.01, "cost_per_call_setup": 0.02}, False),
        ({"credit_balance": 0.02, "cost_per_call_setup": 0.02}, True),
    ],
)
def test_can_make_calls(api, fields, can_call):
    account = insert_account(**fields)

    assert get(api, account, "_id", "balance")["can_make_calls"] is can_call
    assert get(api, account, "_id", "")["can_make_calls"] is can_call


def test_balance_of_an_unlimited_account(api):
    account = insert_account(plan_type="unlimited")

    assert get(api, account, "_id", "balance") == {
        "has_balance": True,
        "plan_type": "unlimited",
        "can_make_calls": True,
    }


@pytest.mark.parametrize("id_form", ID_FORMS)
def test_stats_add_batches_by_state_and_jobs_by_status(api, id_form):
    account = insert_account(credit_balance=10.0, credit_used=4.0, calls_today=7)
    own = account["account_id"]
    running = insert_batch(account_id=own)
    insert_job(account_id=own, batch_id=running["batch_id"], status="pending")
    insert_job(account_id=own, batch_id=running["batch_id"], status="failed")
    finished = insert_batch(account_id=own, is_active=False)
    insert_job(account_id=own, batch_id=finished["batch_id"], status="done")
    insert_job(account_id=own, batch_id=finished["batch_id"], status="completed")
    insert_batch(account_id=own, is_active=False)  # paused, no jobs
    insert_batch(account_id=own, cancelled_at=datetime.datetime(2025, 10, 2))
    insert_batch(account_id=own, deleted_at=datetime.datetime(2025, 10, 2))  # not counted
    insert_job(account_id="someone_else", status="done")

    stats = get(api, account, id_form, "stats")

    assert stats["account_id"] == own
    assert (stats["calls_today"], stats["daily_limit"], stats["max_concurrent"]) == (7, 1000, 5)
    assert (stats["credit_balance"], stats["credit_used"], stats["credit_available"]) == (10.0, 4.0, 6.0)
    assert stats["cost_per_setup"] == 0.02
    assert stats["batches"] == {
        "total": 4,
        "active": 1,
        "paused": 1,
        "completed": 1,
        "cancelled": 1,
        "importing": 0,
        "cancelling": 0,
    }
    assert stats["jobs"]["total"] == 4
    assert (stats["jobs"]["pending"], stats["jobs"]["done"], stats["jobs"]["failed"]) == (1, 1, 1)
    assert stats["success_rate"] == 66.67


def test_stats_of_a_minutes_account(api):
    account = insert_account(plan_type="minutes_based", minutes_purchased=60, minutes_used=15)

    stats = get(api, account, "_id", "stats")

    assert (stats["minutes_purchased"], stats["minutes_remaining"]) == (60.0, 45.0)
    assert "credit_balance" not in stats
    assert stats["batches"]["total"] == 0 and stats["jobs"]["total"] == 0 and stats["success_rate"] == 0.0


def test_summary(api):
    manager = token_client(make_user("mara", "topup_account"))
    account = insert_account(credit_balance=10.0, credit_used=3.0)
    manager.post(f"/api/v1/accounts/{account['_id']}/topup", {"credits": 15, "minutes": 5}, format="json")
    manager.post(f"/api/v1/accounts/{account['_id']}/topup", {"credits": 5}, format="json")

    summary = get(api, account, "account_id", "summary")

    assert summary["account"]["credit_balance"] == 30.0
    assert summary["account"]["credit_available"] == 27.0
    assert summary["balance"]["remaining"] == 27.0
    assert summary["stats"]["batches"]["total"] == 0
    assert summary["financial_summary"] == {
        "total_spent": 3.0,
        "total_topups": 20.0,
        "total_minutes_topped_up": 5.0,
        "transaction_count": 3,
    }


@pytest.mark.parametrize("id_form", ID_FORMS)
def test_batches_are_the_batch_list_restricted_to_the_account(api, id_form):
    account = insert_account()
    own = insert_batch(account_id=account["account_id"])
    paused = insert_batch(account_id=account["account_id"], is_active=False)
    insert_job(account_id=account["account_id"], batch_id=own["batch_id"], status="pending")
    insert_batch(account_id="someone_else")

    assert [b["_id"] for b in get(api, account, id_form, "batches")] == [str(paused["_id"]), str(own["_id"])]
    assert get(api, account, id_form, "batches")[1]["pending_jobs"] == 1
    assert [b["_id"] for b in get(api, account, id_form, "batches?is_active=false")] == [str(paused["_id"])]
    assert api.get(f"/api/v1/accounts/{account['_id']}/batches?limit=0").status_code == 400
    assert "is_active" in api.get(f"/api/v1/accounts/{account['_id']}/batches?is_active=").json()["detail"]


def ledger_entry(account_id, n, type_="topup_credits"):
    return {
        "transaction_id": f"txn_{n:012x}",
        "account_id": account_id,
        "type": type_,
        "amount": float(n),
        "cost": None,
        "description": f"entry {n}",
        "reference_id": None,
        "created_at": datetime.datetime(2025, 10, 1) + datetime.timedelta(hours=n),
    }


@pytest.mark.parametrize("id_form", ID_FORMS)
def test_transactions_newest_first_filtered_and_paged(api, id_form):
    account = insert_account()
    entries = [ledger_entry(account["account_id"], n, "call_usage" if n % 2 else "topup_credits") for n in range(6)]
    collection(Transaction).insert_many([*entries, ledger_entry("someone_else", 99)])

    listed = get(api, account, id_form, "transactions")
    assert [e["transaction_id"] for e in listed] == [e["transaction_id"] for e in reversed(entries)]
    assert listed[0]["created_at"] == "2025-10-01T05:00:00.000000Z"
    usage = get(api, account, id_form, "transactions?transaction_type=call_usage&limit=2&skip=1")
    assert [e["amount"] for e in usage] == [3.0, 1.0]


@pytest.mark.parametrize("query", ["transaction_type=gift", "limit=201", "limit=0", "skip=-1"])
def test_bad_transaction_queries_are_a_400(api, query):
    account = insert_account()

    response = api.get(f"/api/v1/accounts/{account['_id']}/transactions?{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["message"]


@pytest.mark.parametrize("id_form", ID_FORMS)
def test_last_call_settings_come_from_the_newest_batch_that_has_them(api, id_form):
    account = insert_account()
    own = account["account_id"]
    insert_batch(account_id=own, call_settings={"max_attempts": 2}, created_at=datetime.datetime(2025, 10, 1))
    chosen = insert_batch(account_id=own, call_settings={"max_attempts": 4}, created_at=datetime.datetime(2025, 10, 2))
    insert_batch(account_id=own, call_settings=None, created_at=datetime.datetime(2025, 10, 3))
    insert_batch(
        account_id="someone_else", call_settings={"max_attempts": 9}, created_at=datetime.datetime(2025, 10, 4)
    )

    assert get(api, account, id_form, "last-call-settings") == {
        "success": True,
        "call_settings": {"max_attempts": 4},
        "from_batch": chosen["batch_id"],
        "created_at": "2025-10-02T00:00:00.000000Z",
    }


def test_last_call_settings_when_no_batch_has_them(api):
    account = insert_account()
    insert_batch(account_id=account["account_id"], call_settings=None)

    assert get(api, account, "_id", "last-call-settings") == {
        "success": False,
        "message": "No previous call_settings found for this account",
        "call_settings": None,
    }
