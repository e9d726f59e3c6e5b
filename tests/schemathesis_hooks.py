"""The API's rules no schema language states, taught to schemathesis: a
request it generates as valid is made to keep them before it is sent.
Everything else the API refuses, the OpenAPI schema says (speechai/schema.py).

Used by tests/test_schemathesis.py and by the command-line run against a live
server (`make schemathesis`: SCHEMATHESIS_HOOKS=tests/schemathesis_hooks.py);
imports nothing from the project."""

import schemathesis

# A contact list the intake reads: a header row it recognises and one person.
CONTACT_CSV = b"RUT,Nombre,Celular\n12.345.678-5,Maria Perez,+56 9 8765 4321\n"
PLACEHOLDER_ACCOUNT_ID = "acc-000000000000"


def _window_in_order(call_settings):
    """allowed_hours.end must be later than allowed_hours.start: compare
    two values, which JSON Schema cannot."""
    window = call_settings.get("allowed_hours") if isinstance(call_settings, dict) else None
    if isinstance(window, dict) and isinstance(window.get("start"), str) and isinstance(window.get("end"), str):
        start, end = sorted((window["start"], window["end"]))
        window["start"], window["end"] = (start, end) if start != end else ("00:00", "23:59")


@schemathesis.hook
def before_call(context, case, kwargs):
    meta = case.meta
    valid = meta is not None and meta.generation.mode.is_positive
    if not valid or any(part.mode.is_negative for part in meta.components.values()) or not isinstance(case.body, dict):
        return  # a request made invalid on purpose stays so
    body = case.body
    for key in ("call_settings", "call_settings_json"):
        _window_in_order(body.get(key))
    if "file" in body:
        # A file's content is a contact list (xlsx, xls, ods or csv), beyond any schema.
        body["file"] = CONTACT_CSV
    if case.path == "/api/v1/batches/excel/preview" and "account_id" not in body:
        # account_id comes in the form or in the query: one of them, across two parts of the request.
        case.query = {**(case.query or {}), "account_id": (case.query or {}).get("account_id", PLACEHOLDER_ACCOUNT_ID)}
