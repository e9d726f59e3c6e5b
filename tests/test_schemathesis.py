"""The OpenAPI schema tells the truth: schemathesis generates requests from
it (valid ones and deliberately invalid ones) for every operation and checks
each answer with all its checks: no 5xx, every status and body documented,
valid requests accepted, invalid ones refused. Bounded examples; deselect
locally with `-m "not schemathesis"` (`make test` and CI run it)."""

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from batches.call_settings import EXTRA_KEY_NAME, CallSettingsSerializer
from speechai.serializers import bson_problem
from tests.api import make_user
from tests.factories import insert_batch, insert_job

EXAMPLES_PER_OPERATION = 25

schema = schemathesis.openapi.from_wsgi("/api/schema", get_wsgi_application())


def breaks_a_rule_openapi_3_0_cannot_state(case):
    """What BSON cannot store in a free-form object (a key with NUL, an
    integer beyond 64 bits: OpenAPI 3.0 has no `propertyNames` nor recursive
    bounds), a call_settings rule below (also inside intake's
    call_settings_json, a string whose JSON content OpenAPI 3.0 cannot
    describe), a preview without account_id in its form nor its query, or an
    empty file (the schema's minLength, which schemathesis's binary
    generation ignores). Such a request, valid by the schema, is rightly
    refused; each rule is in the schema."""
    body = case.body if isinstance(case.body, dict) else {}
    if any(isinstance(value, bytes | bytearray) and not value for value in body.values()):
        return True
    if case.path == "/api/v1/batches/excel/preview":
        return "account_id" not in body and "account_id" not in (case.query or {})
    if isinstance(body.get("call_settings_json"), str) and body["call_settings_json"].strip():
        return not is_call_settings_json(body["call_settings_json"])
    return bool(bson_problem(case.body)) or breaks_a_call_settings_rule(body.get("call_settings"))


def is_call_settings_json(text):
    try:
        settings_sent = json.loads(text)
    except ValueError:
        return False
    return isinstance(settings_sent, dict) and CallSettingsSerializer(data=settings_sent).is_valid()


def breaks_a_call_settings_rule(settings_sent):
    """An extra key that is not a plain name, or a calling window that does
    not end after it starts."""
    if not isinstance(settings_sent, dict):
        return False
    if any(key not in CallSettingsSerializer().fields and not EXTRA_KEY_NAME.match(key) for key in settings_sent):
        return True
    window = settings_sent.get("allowed_hours")
    if not isinstance(window, dict) or not all(isinstance(window.get(k), str) for k in ("start", "end")):
        return False
    return window["end"] <= window["start"]


@pytest.fixture
def token(db):
    """A superuser's token and one batch with one job, so that ids resolve."""
    from rest_framework.authtoken.models import Token

    batch = insert_batch()
    insert_job(batch_id=batch["batch_id"], status="failed")
    return Token.objects.create(user=make_user("schemathesis", superuser=True)).key


# One test per operation with plain parametrize ids (schemathesis's own
# parametrize reports operations as subtests, which pytest-xdist drops).
OPERATIONS = sorted(
    (operation.method.upper(), operation.path) for operation in (r.ok() for r in schema.get_all_operations())
)


@pytest.mark.schemathesis
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{method} {path}" for method, path in OPERATIONS])
def test_every_operation_answers_as_documented(method, path, token):
    operation = schema[path][method]
    requests = st.one_of(operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE))

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(case=requests)
    def answers_as_documented(case):
        unstated_rule = breaks_a_rule_openapi_3_0_cannot_state(case)
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            excluded_checks=[positive_data_acceptance] if unstated_rule else None,
        )

    answers_as_documented()
