"""The accounts endpoints in the OpenAPI schema, with their errors, and the
indexes `migrate` ensures on `accounts` and `transactions`."""

import pytest
from django.core.management import call_command

from accounts.models import Account, Transaction
from speechai.mongo import collection
from tests.test_indexes import index_keys

pytestmark = pytest.mark.django_db

READ = {"200", "401", "404"}
ACCOUNT_OPERATIONS = {
    ("/api/v1/accounts", "get"): {"200", "400", "401"},
    ("/api/v1/accounts", "post"): {"201", "400", "401", "403"},
    ("/api/v1/accounts/{account_id}", "get"): READ,
    ("/api/v1/accounts/{account_id}", "patch"): {"200", "400", "401", "403", "404"},
    ("/api/v1/accounts/{account_id}/topup", "post"): {"200", "400", "401", "403", "404", "409"},
    ("/api/v1/accounts/{account_id}/balance", "get"): READ,
    ("/api/v1/accounts/{account_id}/stats", "get"): READ,
    ("/api/v1/accounts/{account_id}/summary", "get"): READ,
    ("/api/v1/accounts/{account_id}/batches", "get"): READ | {"400"},
    ("/api/v1/accounts/{account_id}/transactions", "get"): READ | {"400"},
    ("/api/v1/accounts/{account_id}/last-call-settings", "get"): READ,
    ("/", "get"): {"200"},
}


@pytest.fixture
def schema(client):
    return client.get("/api/schema", {"format": "json"}).json()


def test_every_accounts_endpoint_is_documented_with_its_errors(schema):
    for (path, method), statuses in ACCOUNT_OPERATIONS.items():
        assert set(schema["paths"][path][method]["responses"]) == statuses, (path, method)


def test_no_endpoint_deletes_or_replaces_an_account(schema):
    assert set(schema["paths"]["/api/v1/accounts/{account_id}"]) == {"get", "patch"}


def test_the_documented_bodies_are_the_frontends(schema):
    update = schema["components"]["schemas"]["PatchedAccountUpdateRequest"]["properties"]
    assert {"is_active", "status", "suspension_reason", "pause_batches", "features", "settings"} <= set(update)
    account = schema["components"]["schemas"]["Account"]["properties"]
    assert {"minutes_remaining", "credit_available", "can_make_calls"} <= set(account)


def test_an_update_needs_one_change_without_contradiction(schema):
    rules = schema["components"]["schemas"]["PatchedAccountUpdateRequest"]
    assert rules["additionalProperties"] is False
    (some_change, pause_needs_suspension, no_contradiction) = rules["allOf"]
    assert "pause_batches" not in [rule["required"][0] for rule in some_change["anyOf"]]
    assert {"required": ["status"], "properties": {"status": {"enum": ["suspended"]}}} in pause_needs_suspension[
        "anyOf"
    ]
    assert no_contradiction["not"]["anyOf"][0]["required"] == ["is_active", "status"]


def test_a_topup_adds_minutes_or_credits_above_zero(schema):
    topup = schema["components"]["schemas"]["TopupRequest"]
    assert [rule["required"] for rule in topup["anyOf"]] == [["minutes"], ["credits"]]
    assert topup["properties"]["minutes"]["exclusiveMinimum"] == 0
    topup_operation = schema["paths"]["/api/v1/accounts/{account_id}/topup"]["post"]
    assert topup_operation["requestBody"]["required"] is True


def test_free_form_objects_hold_what_mongodb_stores(schema):
    settings = schema["components"]["schemas"]["AccountCreateRequest"]["properties"]["settings"]
    value = schema["components"]["schemas"]["FreeFormValue"]

    assert settings["propertyNames"] == {"pattern": "^[^\\u0000]*$"}  # no NUL in keys
    assert settings["additionalProperties"] == {"$ref": "#/components/schemas/FreeFormValue"}
    assert {"type": "number", "minimum": -(2**63), "maximum": 2**63 - 1} in value["anyOf"]
    assert {"type": "array", "items": {"$ref": "#/components/schemas/FreeFormValue"}} in value["anyOf"]


def test_migrate_ensures_the_accounts_and_ledger_indexes():
    call_command("migrate", verbosity=0)

    assert {(("account_id", 1),), (("status", 1), ("created_at", -1))} <= index_keys(collection(Account))
    assert collection(Account).index_information()["account_id_unique"]["unique"]
    assert {(("transaction_id", 1),), (("account_id", 1), ("created_at", -1))} <= index_keys(collection(Transaction))
    assert collection(Transaction).index_information()["transaction_id_unique"]["unique"]
