"""GET/POST /api/v1/accounts, GET/PATCH /api/v1/accounts/{id}: the
frontend's Accounts page, its account picker and its account actions."""

import re

import pytest

from accounts.models import Account, Transaction
from audit.models import AuditEntry
from batches.models import Batch
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.batch_helpers import recently, stored_batch
from tests.factories import insert_account, insert_batch, stored_account

pytestmark = pytest.mark.django_db
ID_FORMS = ["_id", "account_id"]


@pytest.fixture
def reader(db):
    return token_client(make_user("rita"))


@pytest.fixture
def operator(db):
    return token_client(make_user("olga", "add_account", "change_account"))


def ref(account, id_form):
    return str(account[id_form])


# --- list ---------------------------------------------------------------


def test_lists_accounts_newest_first_with_derived_values(reader):
    old = insert_account(credit_balance=10.0, credit_used=4.0, credit_reserved=1.0)
    new = insert_account(plan_type="minutes_based", minutes_purchased=100, minutes_used=30.5, minutes_reserved=0)

    body = reader.get("/api/v1/accounts").json()

    assert [a["_id"] for a in body] == [str(new["_id"]), str(old["_id"])]
    assert body[1]["credit_available"] == 5.0  # credit_used counts (the original forgot it)
    assert body[1]["can_make_calls"] is True
    assert body[0]["minutes_remaining"] == 69.5
    assert body[0]["created_at"].endswith("Z")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=suspended", ["Suspended SA"]),
        ("plan_type=unlimited", ["Unlimited AR"]),
        ("country=AR", ["Unlimited AR"]),
        ("search=sus", ["Suspended SA"]),  # prefix of the name, any case
        ("search=acc-fixed", ["Unlimited AR"]),  # prefix of the account_id
        ("search=SA", []),  # a prefix, not a substring
        ("limit=1&skip=1", ["Suspended SA"]),
    ],
)
def test_filters_and_pages(reader, query, expected):
    insert_account(account_name="Suspended SA", status="suspended")
    insert_account(account_name="Unlimited AR", plan_type="unlimited", country="AR", account_id="acc-fixed0000001")

    body = reader.get(f"/api/v1/accounts?{query}").json()

    assert [a["account_name"] for a in body] == expected


@pytest.mark.parametrize(
    "query",
    [
        *("status=gone", "plan_type=free", "country=PE", "limit=0", "limit=1001", "skip=-1"),
        *("status=", "plan_type=", "country=", "limit=", "skip="),  # empty is not absent
    ],
)
def test_bad_filters_are_a_400_naming_the_parameter(reader, query):
    response = reader.get(f"/api/v1/accounts?{query}")

    assert response.status_code == 400
    name = query.split("=")[0]
    assert name in response.json()["detail"]
    assert response.json()["message"] == response.json()["detail"]


def test_reads_need_credentials(client):
    response = client.get("/api/v1/accounts")

    assert response.status_code == 401
    assert response.json()["message"] == response.json()["detail"]


def test_a_page_is_one_round_trip(reader, round_trips):
    for _ in range(30):
        insert_account()
    round_trips.reset()

    assert len(reader.get("/api/v1/accounts?limit=30").json()) == 30
    assert [command for command in round_trips.commands if command[1] == "accounts"] == [("find", "accounts")]


# --- create -------------------------------------------------------------

FRONTEND_CREATE_BODY = {
    "account_name": "Retail Express",
    "contact_name": "Ana Pérez",
    "contact_email": "ana@retail.example",
    "contact_phone": "+56912345678",
    "country": "cl",
    "plan_type": "credit_based",
    "initial_credits": 250,
    "initial_minutes": 0,
    "features": {"max_concurrent_calls": 8, "recording": True},
    "settings": {"timezone": "America/Santiago"},
}


def test_creates_an_active_account_from_the_frontends_body(operator):
    response = operator.post("/api/v1/accounts", FRONTEND_CREATE_BODY, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    account = body["account"]
    assert re.fullmatch(r"acc-[0-9a-f]{12}", account["account_id"])
    assert account["status"] == "active"
    assert account["country"] == "CL"
    assert account["max_concurrent_calls"] == 8  # from features
    assert account["timezone"] == "America/Santiago"  # from settings
    assert account["features"] == {"max_concurrent_calls": 8, "recording": True}
    assert account["credit_balance"] == 250.0 and account["credit_available"] == 250.0
    assert account["can_make_calls"] is True
    stored = collection(Account).find_one({"account_id": account["account_id"]})
    assert str(stored["_id"]) == account["_id"]
    assert recently(stored["last_topup_at"])
    entries = list(collection(Transaction).find({"account_id": account["account_id"]}))
    assert [(e["type"], e["amount"], e["created_by"]) for e in entries] == [("topup_credits", 250.0, "olga")]
    assert re.fullmatch(r"txn_[0-9a-f]{12}", entries[0]["transaction_id"])
    entry = AuditEntry.objects.get(action="accounts.create")
    assert entry.actor == "olga" and entry.target_ids == [account["account_id"]]
    assert entry.details["initial"] == {"minutes": 0, "credits": 250}


def test_the_minimal_body_gets_the_defaults(operator):
    account = operator.post("/api/v1/accounts", {"account_name": "Tiny"}, format="json").json()["account"]

    assert account["plan_type"] == "credit_based"
    assert account["country"] == "CL"
    assert account["max_concurrent_calls"] == 5
    assert account["last_topup_at"] is None
    assert collection(Transaction).count_documents({}) == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"account_name": ""}, "account_name"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"country": "PE"}, "country"),
        ({"plan_type": "free"}, "plan_type"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"settings": {"timezone": "Mars/Olympus"}}, "settings.timezone"),
        ({"features": {"max_concurrent_calls": 0}}, "features.max_concurrent_calls"),
        ({"max_concurrent_calls": 101}, "max_concurrent_calls"),
        ({"initial_credits": -1}, "initial_credits"),
        ({"initial_minutes": "lots"}, "initial_minutes"),
        ({"features": "yes"}, "features"),
        ({"features": {"limits": {"daily": 1e19}}}, "features"),  # free-form, but numbers within 64-bit integers
        ({"settings": {"a\u0000b": 1}}, "settings"),  # free-form, but no NUL in keys
    ],
)
def test_invalid_create_bodies_are_a_400_naming_the_field(operator, change, field):
    response = operator.post("/api/v1/accounts", {**FRONTEND_CREATE_BODY, **change}, format="json")

    assert response.status_code == 400
    assert field in response.json()["detail"]
    assert collection(Account).count_documents({}) == 0


def test_creating_needs_the_add_permission(reader):
    response = reader.post("/api/v1/accounts", FRONTEND_CREATE_BODY, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You do not have permission to create accounts.",
        "message": "You do not have permission to create accounts.",
    }
    assert collection(Account).count_documents({}) == 0


# --- retrieve -----------------------------------------------------------


@pytest.mark.parametrize("id_form", ID_FORMS)
def test_gets_an_account_by_either_id(reader, id_form):
    account = insert_account(legacy_note="kept", credit_balance=3.0)

    body = reader.get(f"/api/v1/accounts/{ref(account, id_form)}").json()

    assert body["_id"] == str(account["_id"])
    assert body["legacy_note"] == "kept"
    assert body["credit_available"] == 3.0


def test_an_old_free_text_account_id_works(reader):
    insert_account(account_id="retail_express")

    assert reader.get("/api/v1/accounts/retail_express/").json()["account_id"] == "retail_express"


@pytest.mark.parametrize(
    "path", ["", "/balance", "/stats", "/summary", "/batches", "/transactions", "/last-call-settings"]
)
def test_an_unknown_account_is_a_404(reader, path):
    response = reader.get(f"/api/v1/accounts/acc-nope{path}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Account not found", "message": "Account not found"}


# --- update / suspend / activate ----------------------------------------


@pytest.mark.parametrize("id_form", ID_FORMS)
def test_suspends_with_a_reason_writing_only_those_fields(operator, id_form):
    account = insert_account(worker_field={"x": 1})

    response = operator.patch(
        f"/api/v1/accounts/{ref(account, id_form)}",
        {"status": "suspended", "suspension_reason": "Unpaid invoice"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["message"] == "Account suspended"
    assert body["account"]["status"] == "suspended" and body["account"]["can_make_calls"] is False
    stored = stored_account(account["_id"])
    changed = {key for key in stored if stored[key] != account.get(key)}
    assert changed == {"status", "suspension_reason", "updated_at"}
    assert stored["suspension_reason"] == "Unpaid invoice"
    entry = AuditEntry.objects.get(action="accounts.suspend")
    assert (entry.actor, entry.reason, entry.details["previous_status"]) == ("olga", "Unpaid invoice", "active")


def test_activates_and_clears_the_reason(operator):
    account = insert_account(status="suspended", suspension_reason="Unpaid")

    # An edit form may send the old reason along: activation clears it all the same.
    body = operator.patch(
        f"/api/v1/accounts/{account['account_id']}", {"status": "ACTIVE", "suspension_reason": "Unpaid"}, format="json"
    ).json()

    assert body["message"] == "Account activated"
    assert stored_account(account["_id"])["status"] == "active"
    assert stored_account(account["_id"])["suspension_reason"] is None
    assert AuditEntry.objects.filter(action="accounts.activate").count() == 1


@pytest.mark.parametrize(
    "is_active, status, message", [(False, "suspended", "Account suspended"), (True, "active", "Account activated")]
)
def test_is_active_from_the_frontend_toggles_the_status(operator, is_active, status, message):
    account = insert_account(status="suspended" if is_active else "active")

    body = operator.patch(f"/api/v1/accounts/{account['_id']}", {"is_active": is_active}, format="json").json()

    assert body["message"] == message
    assert stored_account(account["_id"])["status"] == status
    assert "is_active" not in stored_account(account["_id"])


def test_updates_fields_including_the_frontends_nesting(operator):
    account = insert_account()

    body = operator.patch(
        f"/api/v1/accounts/{account['_id']}",
        {
            "account_name": "Renamed",
            "features": {"max_concurrent_calls": 12},
            "settings": {"timezone": "America/Argentina/Buenos_Aires"},
        },
        format="json",
    ).json()

    assert body["message"] == "Account updated"
    stored = stored_account(account["_id"])
    assert (stored["account_name"], stored["max_concurrent_calls"]) == ("Renamed", 12)
    assert stored["timezone"] == "America/Argentina/Buenos_Aires"
    assert stored["credit_balance"] == account["credit_balance"]
    assert AuditEntry.objects.get(action="accounts.update").details["fields"]["account_name"] == "Renamed"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"credit_balance": 1e6}, "credit_balance"),
        ({"minutes_purchased": 10}, "minutes_purchased"),
        ({"status": "expired"}, "status"),
        ({"status": "active", "is_active": False}, "is_active"),
        ({"pause_batches": True}, "pause_batches"),
        ({}, "No fields to update"),
        ({"contact_email": "nope"}, "contact_email"),
        ({"is_active": "false"}, "is_active"),  # JSON booleans and strings, never coerced
        ({"account_name": 5}, "account_name"),
        ({"contact_email": 5}, "contact_email"),
        ({"features": {"a\u0000b": 1}}, "features"),  # what MongoDB cannot store
        ({"settings": {"n": 2**70}}, "settings"),
    ],
)
def test_invalid_updates_are_a_400_and_change_nothing(operator, body, field):
    account = insert_account()

    response = operator.patch(f"/api/v1/accounts/{account['_id']}", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["message"]
    assert stored_account(account["_id"]) == account


def test_updating_needs_the_change_permission(reader):
    account = insert_account()

    response = reader.patch(f"/api/v1/accounts/{account['_id']}", {"status": "suspended"}, format="json")

    assert response.status_code == 403
    assert stored_account(account["_id"])["status"] == "active"


def test_updating_an_unknown_account_is_a_404_and_audited(operator):
    response = operator.patch("/api/v1/accounts/acc-nope", {"status": "suspended"}, format="json")

    assert response.status_code == 404
    entry = AuditEntry.objects.get(action="accounts.suspend")
    assert (entry.matched, entry.target_ids) == (0, ["acc-nope"])


def test_suspension_with_pause_batches_pauses_its_active_batches_in_one_update(operator, round_trips):
    account = insert_account()
    own = account["account_id"]
    active = insert_batch(account_id=own)
    paused = insert_batch(account_id=own, is_active=False)
    cancelled = insert_batch(account_id=own, cancelled_at=active["created_at"], is_active=True)
    deleted = insert_batch(account_id=own, deleted_at=active["created_at"], is_active=True)
    other = insert_batch(account_id="someone_else")
    round_trips.reset()

    body = operator.patch(f"/api/v1/accounts/{own}", {"is_active": False, "pause_batches": True}, format="json").json()
    batch_commands = [name for name, target in round_trips.commands if target == "batches"]

    assert body["batches_paused"] == 1
    assert stored_batch(active["_id"])["is_active"] is False
    assert stored_batch(paused["_id"])["is_active"] is False
    assert stored_batch(cancelled["_id"])["is_active"] is True  # left as it was
    assert stored_batch(deleted["_id"])["is_active"] is True
    assert stored_batch(other["_id"])["is_active"] is True
    assert batch_commands == ["update"]
    pause = AuditEntry.objects.get(action="batches.pause")
    assert (pause.actor, pause.changed, pause.details["account_id"]) == ("olga", 1, own)
    assert AuditEntry.objects.get(action="accounts.suspend").details["batches_paused"] == 1


def test_suspension_alone_leaves_the_batches_running(operator):
    account = insert_account()
    batch = insert_batch(account_id=account["account_id"])

    body = operator.patch(f"/api/v1/accounts/{account['_id']}", {"status": "suspended"}, format="json").json()

    assert "batches_paused" not in body
    assert collection(Batch).find_one({"_id": batch["_id"]})["is_active"] is True


def test_the_reason_of_a_suspended_account_can_be_corrected(operator):
    account = insert_account(status="suspended", suspension_reason="Unpiad")

    operator.patch(f"/api/v1/accounts/{account['_id']}", {"suspension_reason": "Unpaid"}, format="json")

    stored = stored_account(account["_id"])
    assert (stored["status"], stored["suspension_reason"]) == ("suspended", "Unpaid")
