"""The API's rules no schema language states, taught to schemathesis, so
that what it generates as valid keeps them: an uploaded file (the API's only
binary value) is a real contact list of new people, and valid requests that
break one of the other two rules are left out, not edited. The file is text:
schemathesis revalidates an edited body and cannot read bytes (it would take
the request for an invalid one). Everything else the API refuses, the
OpenAPI schema says (speechai/schema.py).

Used by tests/test_schemathesis.py and by the command-line run against a live
server (`make schemathesis`: SCHEMATHESIS_HOOKS=tests/schemathesis_hooks.py);
imports nothing from the project."""

import secrets

import schemathesis
from hypothesis import strategies as st


def rut_check_digit(number):
    total, factor = 0, 2
    for digit in reversed(str(number)):
        total += int(digit) * factor
        factor = 2 if factor == 7 else factor + 1
    return {11: "0", 10: "K"}.get(11 - total % 11, str(11 - total % 11))


def contact_list():
    """A file's content is a contact list (xlsx, xls, ods or csv), beyond any
    schema: one the intake reads, with a Chilean and an Argentine person, new
    ones each time (not drawn by Hypothesis, which repeats its small values:
    the account's unfinished jobs would make them duplicates, refused). As
    text, which schemathesis's validator reads, unlike bytes."""
    rut_number = 1_000_000 + secrets.randbelow(99_000_000)
    dni_number = 10_000_000 + secrets.randbelow(90_000_000)
    return (
        "RUT,Nombre,Celular\n"
        f"{rut_number}-{rut_check_digit(rut_number)},Maria Perez,+56 9 8765 4321\n"
        f"{dni_number},Juan Gomez,+54 9 11 2345 6789\n"
    )


schemathesis.openapi.format("binary", st.builds(contact_list))


def _is_valid(case):
    meta = case.meta
    return (
        meta is not None
        and meta.generation.mode.is_positive
        and not any(part.mode.is_negative for part in meta.components.values())
        and isinstance(case.body, dict)
    )


def _window_out_of_order(call_settings):
    """allowed_hours.end must be later than allowed_hours.start: a comparison
    of two values, which JSON Schema cannot make."""
    window = call_settings.get("allowed_hours") if isinstance(call_settings, dict) else None
    if not isinstance(window, dict) or not all(isinstance(window.get(key), str) for key in ("start", "end")):
        return False
    return window["end"] <= window["start"]


def _preview_without_account(case):
    """The preview's account_id is in the form or in the query: one of them,
    across two parts of the request."""
    return (
        case.path == "/api/v1/batches/excel/preview"
        and "account_id" not in case.body
        and "account_id" not in (case.query or {})
    )


def _undoes_or_keeps_in_a_scenario(case):
    """In the stateful phase, a job's DELETE and any restore. schemathesis's
    use-after-free check expects a deleted resource to be gone until a POST
    to its parent path re-creates it; here, by design, a job's DELETE is a
    soft delete (the job stays readable, `cancelled`) and a restore undoes a
    batch's delete. Both are exercised by the other phases and the suite."""
    meta = case._meta
    if meta is None or meta.phase.name != "stateful":
        return False
    method = case.method.upper()
    return (method == "POST" and case.path.endswith("/restore")) or (
        method == "DELETE" and case.path == "/api/v1/jobs/{job_id}"
    )


@schemathesis.hook
def filter_case(context, case):
    if _undoes_or_keeps_in_a_scenario(case):
        return False
    if not _is_valid(case):
        return True  # a request made invalid on purpose stays so
    body = case.body
    return not (
        _window_out_of_order(body.get("call_settings"))
        or _window_out_of_order(body.get("call_settings_json"))
        or _preview_without_account(case)
    )


@schemathesis.hook
def map_case(context, case):
    # The coverage phase sends one drawn file many times: new people for each request.
    if _is_valid(case) and isinstance(case.body.get("file"), str):
        case.body["file"] = contact_list()
    return case
