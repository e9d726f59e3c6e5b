"""The accounts admin: the list an operator scans (plan, status, remaining,
calls today, active batches), its filters and search, suspend / activate,
the confirmed top-up, the links and the read-only ledger."""

import re

import pytest

from accounts.models import Account, Transaction
from audit.models import AuditEntry
from speechai.mongo import collection
from tests.batch_helpers import stored_batch
from tests.factories import insert_account, insert_batch, stored_account
from tests.staff import logged_in, staff_user

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/account/"
OPERATOR = ("view_account", "add_account", "change_account", "view_batch", "view_job")


def listed(response):
    return re.findall(r'name="_selected_action" value="([0-9a-f]{24})"', response.content.decode())


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


def topup_url(account):
    return f"{CHANGELIST}{account['_id']}/topup/"


@pytest.fixture
def operator(client):
    return logged_in(client, staff_user("olga", *OPERATOR))


def test_the_list_shows_plan_status_remaining_calls_today_and_active_batches(operator, round_trips):
    busy = insert_account(account_name="Busy", credit_balance=80.0, credit_used=30.5, calls_today=42)
    insert_account(account_name="Minutes", plan_type="minutes_based", minutes_purchased=90, minutes_used=15)
    for _ in range(3):
        insert_batch(account_id=busy["account_id"])
    insert_batch(account_id=busy["account_id"], is_active=False)
    for _ in range(20):
        insert_account()
    round_trips.reset()

    html = operator.get(CHANGELIST).content.decode()

    assert "49.50 USD" in html and "75.00 minutes" in html
    assert ">42<" in html
    assert f'href="/admin/batches/batch/?account={busy["account_id"]}">3</a>' in html
    batch_commands = [name for name, target in round_trips.commands if target == "batches"]
    assert batch_commands == ["aggregate"]  # one aggregation for the whole page


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status__exact=suspended", ["Suspended"]),
        ("plan_type__exact=unlimited", ["Argentina"]),
        ("country__exact=AR", ["Argentina"]),
        ("q=arg", ["Argentina"]),
        ("q=acc-findme", ["Suspended"]),
    ],
)
def test_filters_and_search(operator, query, expected):
    names = {}
    for name, fields in [
        ("Suspended", {"status": "suspended", "account_id": "acc-findme00001"}),
        ("Argentina", {"plan_type": "unlimited", "country": "AR"}),
        ("Other", {}),
    ]:
        names[str(insert_account(account_name=name, **fields)["_id"])] = name

    response = operator.get(f"{CHANGELIST}?{query}")

    assert [names[_id] for _id in listed(response)] == expected


def test_search_by_object_id(operator):
    account = insert_account()
    insert_account()

    assert listed(operator.get(f"{CHANGELIST}?q={account['_id']}")) == [str(account["_id"])]


def test_suspend_asks_for_confirmation_then_suspends_and_pauses_batches(operator):
    account = insert_account()
    batch = insert_batch(account_id=account["account_id"])
    selection = {"action": "suspend_accounts", "_selected_action": [str(account["_id"])], "index": 0}

    confirmation = operator.post(CHANGELIST, selection)
    assert "suspend-accounts-confirmation" in confirmation.content.decode()
    assert stored_account(account["_id"])["status"] == "active"

    done = operator.post(CHANGELIST, {**selection, "confirm": "yes", "reason": "Fraud check", "pause_batches": "on"})

    assert done.status_code == 302
    stored = stored_account(account["_id"])
    assert (stored["status"], stored["suspension_reason"]) == ("suspended", "Fraud check")
    assert stored_batch(batch["_id"])["is_active"] is False
    entry = AuditEntry.objects.get(action="accounts.suspend")
    assert (entry.source, entry.actor, entry.reason) == ("admin", "olga", "Fraud check")


def test_suspend_without_pausing_leaves_batches_running(operator):
    account = insert_account()
    batch = insert_batch(account_id=account["account_id"])
    selection = {"action": "suspend_accounts", "_selected_action": [str(account["_id"])], "index": 0}

    operator.post(CHANGELIST, {**selection, "confirm": "yes"})

    assert stored_account(account["_id"])["status"] == "suspended"
    assert stored_batch(batch["_id"])["is_active"] is True


def test_activate(operator):
    account = insert_account(status="suspended", suspension_reason="x")

    response = operator.post(
        CHANGELIST, {"action": "activate_accounts", "_selected_action": [str(account["_id"])], "index": 0}
    )

    assert "Activated 1 account(s)" in messages_of(response)[0]
    assert stored_account(account["_id"])["status"] == "active"


def test_a_read_only_supervisor_is_offered_no_action(client):
    viewer = logged_in(client, staff_user("sara", "view_account"))
    account = insert_account()

    html = viewer.get(CHANGELIST).content.decode()

    assert 'value="suspend_accounts"' not in html
    assert viewer.get(topup_url(account)).status_code == 403


def test_the_change_form_writes_only_the_edited_fields(operator):
    account = insert_account(account_name="Old name", worker_field=1)
    page = operator.get(f"{CHANGELIST}{account['_id']}/change/").content.decode()
    assert f'href="/admin/jobs/job/?account={account["account_id"]}"' in page
    assert f'href="/admin/batches/batch/?account={account["account_id"]}"' in page
    assert "/topup/" not in page  # no top-up permission
    form = {
        "account_name": "New name",
        "contact_name": account["contact_name"],
        "contact_email": account["contact_email"],
        "contact_phone": "",
        "country": "CL",
        "timezone": "",
        "plan_type": "credit_based",
        "max_concurrent_calls": 5,
        "daily_call_limit": 1000,
        "cost_per_minute": 0.15,
    }

    response = operator.post(f"{CHANGELIST}{account['_id']}/change/", form)

    assert response.status_code == 302
    stored = stored_account(account["_id"])
    changed = {key for key in stored if stored[key] != account.get(key)}
    assert changed == {"account_name", "updated_at"}
    assert AuditEntry.objects.get(action="accounts.update").source == "admin"


def test_the_add_form_creates_through_the_service(operator):
    response = operator.post(
        f"{CHANGELIST}add/",
        {"account_name": "Nuevo", "country": "AR", "plan_type": "minutes_based", "initial_minutes": 120},
    )

    assert response.status_code == 302
    stored = collection(Account).find_one({"account_name": "Nuevo"})
    assert re.fullmatch(r"acc-[0-9a-f]{12}", stored["account_id"])
    assert (stored["status"], stored["minutes_purchased"], stored["country"]) == ("active", 120.0, "AR")
    assert collection(Transaction).count_documents({"account_id": stored["account_id"]}) == 1
    assert AuditEntry.objects.get(action="accounts.create").source == "admin"


def test_top_up_is_confirmed_before_it_is_written(client):
    manager = logged_in(client, staff_user("mara", "view_account", "topup_account"))
    account = insert_account(credit_balance=10.0)
    assert "/topup/" in manager.get(f"{CHANGELIST}{account['_id']}/change/").content.decode()

    review = manager.post(topup_url(account), {"credits": "25", "description": "Invoice 7"})
    assert 'id="topup-confirmation"' in review.content.decode() and "25.00 credits" in review.content.decode()
    assert stored_account(account["_id"])["credit_balance"] == 10.0

    done = manager.post(topup_url(account), {"credits": "25", "description": "Invoice 7", "confirm": "yes"})

    assert done.status_code == 302
    assert stored_account(account["_id"])["credit_balance"] == 35.0
    entry = collection(Transaction).find_one({"account_id": account["account_id"]})
    assert (entry["amount"], entry["description"], entry["created_by"]) == (25.0, "Invoice 7", "mara")
    assert AuditEntry.objects.get(action="accounts.topup").source == "admin"


def test_an_empty_top_up_is_refused_on_the_form(client):
    manager = logged_in(client, staff_user("mara", "view_account", "topup_account"))
    account = insert_account()

    response = manager.post(topup_url(account), {"credits": "", "minutes": "", "confirm": "yes"})

    assert "Enter credits, minutes or both." in response.content.decode()
    assert stored_account(account["_id"]) == account


def test_the_ledger_is_read_only(client):
    viewer = logged_in(client, staff_user("sara", "view_transaction"))
    collection(Transaction).insert_one(
        {"transaction_id": "txn_0123456789ab", "account_id": "acc-x", "type": "topup_credits", "amount": 5.0}
    )
    collection(Transaction).insert_one({"transaction_id": "txn_other", "account_id": "acc-y", "amount": "odd"})

    listing = viewer.get("/admin/accounts/transaction/?account_id=acc-x")

    assert listing.status_code == 200
    assert "txn_0123456789ab" in listing.content.decode() and "txn_other" not in listing.content.decode()
    assert viewer.get("/admin/accounts/transaction/add/").status_code == 403
