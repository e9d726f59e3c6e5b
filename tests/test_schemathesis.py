"""The OpenAPI schema tells the truth: schemathesis generates requests from
it (valid ones and deliberately invalid ones) for every operation and checks
each answer with all its checks: no 5xx, every status and body documented,
valid requests accepted, invalid ones refused; none skipped (the rules no
schema states are in tests/schemathesis_hooks.py). Bounded examples;
deselect locally with `-m "not schemathesis"` (`make test` and CI run it);
`make schemathesis` runs the CLI the same way against a live server."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

import tests.schemathesis_hooks  # noqa: F401  (the rules no schema states)
from tests.api import make_user
from tests.factories import insert_batch, insert_job

EXAMPLES_PER_OPERATION = 25

schema = schemathesis.openapi.from_wsgi("/api/schema", get_wsgi_application())


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
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"})

    answers_as_documented()
