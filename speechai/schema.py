"""drf-spectacular hooks: the OpenAPI 3.1 schema says what the API refuses,
so that a request valid by the schema is accepted and one it forbids is
refused (tests/test_schemathesis.py checks both, operation by operation)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from speechai.serializers import INT64_MAX, INT64_MIN


def strip_optional_trailing_slashes(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: routes accept an optional trailing
    slash ("/?"); the documented paths have none, as in docs/api.md."""
    return [
        (path.rstrip("/") if path != "/" else path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
    ]


class BearerOrTokenScheme(OpenApiAuthenticationExtension):
    """Documents the API token as an HTTP bearer scheme (Swagger's Authorize
    button then sends `Authorization: Bearer <key>`)."""

    target_class = "speechai.authentication.BearerOrTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "API token from `python manage.py api_token <username>`; "
            "`Authorization: Token <key>` is accepted too.",
        }


# What Python's str.strip() (DRF's trimming) takes for whitespace.
WHITESPACE = "\\t-\\r\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
# Strings the API refuses although JSON allows them: NUL characters anywhere
# (DRF's CharField), and blank values where one is required (trimmed first).
NO_NUL = "^[^\\u0000]*$"
NOT_BLANK = f"^[^\\u0000]*[^{WHITESPACE}\\u0000][^\\u0000]*$"
BLANK = f"^[{WHITESPACE}]*$"
# Request bodies where a null value means "not sent" (batches/call_settings.py NullMeansAbsentMixin).
NULL_MEANS_ABSENT = (
    "BatchCreateRequest",
    "PatchedBatchUpdateRequest",
    "CallSettingsRequest",
    "AccountCreateRequest",
    "PatchedAccountUpdateRequest",
    "TopupRequest",
)
# Paths under /api/v1/jobs/ that are routes, not job ids.
JOB_ID_NOT_A_ROUTE = r"^(?!(cancel|restore|export)$)[^\x00/]+$"
# A number MongoDB keeps as given: JSON cannot tell 1e20 from an integer, so
# every number is held to the 64-bit integer range (speechai/serializers.py bson_problem).
STORABLE_NUMBER = {"type": "number", "minimum": INT64_MIN, "maximum": INT64_MAX}
FREE_FORM_VALUE = "#/components/schemas/FreeFormValue"
FREE_FORM_OBJECT = {
    "type": "object",
    "propertyNames": {"pattern": NO_NUL},
    "additionalProperties": {"$ref": FREE_FORM_VALUE},
}


def not_a_placeholder_pattern(placeholders):
    """Not blank and none of `placeholders` (any case, trimmed)."""
    words = "|".join(
        "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)
        for word in sorted(placeholders)
        if word
    )
    return f"^(?![{WHITESPACE}]*({words})[{WHITESPACE}]*$)" + NOT_BLANK[1:]


def or_null(schema):
    """`schema`, or null."""
    if isinstance(schema.get("type"), str) and "enum" not in schema:
        return {**schema, "type": [schema["type"], "null"]}
    annotations = {key: schema.pop(key) for key in ("description", "default") if key in schema}
    return {"anyOf": [schema, {"type": "null"}], **annotations}


def not_null(schema):
    if isinstance(schema.get("type"), list):
        kinds = [kind for kind in schema["type"] if kind != "null"]
        return {**schema, "type": kinds[0] if len(kinds) == 1 else kinds}
    return {"allOf": [schema, {"not": {"type": "null"}}]}


def _refine_string(schema):
    kind = schema.get("type")
    is_string = kind == "string" or (isinstance(kind, list) and "string" in kind)
    if is_string and not {"enum", "format", "pattern"} & schema.keys():
        schema["pattern"] = NOT_BLANK if schema.get("minLength") else NO_NUL


def _walk_parameters(result):
    for path in result.get("paths", {}).values():
        for operation in path.values():
            yield from operation.get("parameters", []) if isinstance(operation, dict) else []


def _walk_request_bodies(result):
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if isinstance(operation, dict) and "requestBody" in operation:
                yield method, operation["requestBody"]


def describe_what_is_refused(result, **kwargs):
    """drf-spectacular postprocessing hook: the schema says what the
    serializers refuse, so that a request valid by the schema is accepted."""
    for parameter in _walk_parameters(result):
        schema = parameter.get("schema", {})
        if parameter["in"] == "query" and schema.get("type") == "array":
            parameter.update(style="form", explode=False)  # status=pending,failed
        if parameter["in"] == "query":
            _refine_string(schema)
        if parameter["in"] == "path" and parameter["name"] == "job_id":
            # /jobs/cancel, /jobs/restore, /jobs/export are routes of their own:
            # those words never name a job (the workers' job_ids never are one).
            schema["pattern"] = JOB_ID_NOT_A_ROUTE
    components = result.get("components", {}).get("schemas", {})
    components["FreeFormValue"] = {
        "description": "Any JSON value MongoDB stores as sent: keys without NUL, numbers within 64-bit integers.",
        "anyOf": [
            {"type": ["string", "boolean", "null"]},
            STORABLE_NUMBER,
            {"type": "array", "items": {"$ref": FREE_FORM_VALUE}},
            FREE_FORM_OBJECT,
        ],
    }
    for name, component in components.items():
        if not name.endswith("Request"):
            continue
        properties = component.get("properties", {})
        for key, field in properties.items():
            _refine_string(field)
            _refine_string(field.get("items", {}))
            if name in NULL_MEANS_ABSENT and key not in component.get("required", ()):
                properties[key] = or_null(field)
    _describe_call_settings(components["CallSettingsRequest"])
    for method, body in _walk_request_bodies(result):
        # A PATCH without a body changes nothing; a top-up without one adds nothing: both refused.
        schema = body["content"].get("application/json", {}).get("schema", {})
        if method == "patch" or schema.get("$ref", "").endswith("/TopupRequest"):
            body["required"] = True
    components["BatchCreateRequest"]["additionalProperties"] = True  # other keys are ignored
    _one_key_at_least(components["PatchedBatchUpdateRequest"])
    _describe_account_update(components["PatchedAccountUpdateRequest"])
    _describe_topup(components["TopupRequest"])
    for name, component in components.items():
        if name.endswith("FormRequest"):
            _describe_form_fields(component)
    _describe_call_settings_json(components["CreateFormRequest"]["properties"])
    _describe_preview_account_id(result["paths"]["/api/v1/batches/excel/preview"]["post"], components)
    return result


def _describe_preview_account_id(preview, components):
    """The query parameter is the form field's alternative, with its rules."""
    (parameter,) = [p for p in preview["parameters"] if p["name"] == "account_id"]
    form_field = components["PreviewFormRequest"]["properties"]["account_id"]
    parameter["schema"] = {key: value for key, value in form_field.items() if key != "description"}


def _describe_call_settings_json(form):
    """A form field holding call_settings as JSON text: the object itself
    (sent as its JSON), or blank for none."""
    form["call_settings_json"] = {
        "anyOf": [{"$ref": "#/components/schemas/CallSettingsRequest"}, {"type": "string", "pattern": BLANK}],
        "description": form["call_settings_json"]["description"],
    }


def _describe_call_settings(call_settings):
    from batches.call_settings import EXTRA_KEY_NAME, MAX_SETTING_LENGTH, MAX_SETTINGS_KEYS

    call_settings["description"] += (
        " Other keys than these (kept for the workers) are plain names: letters, digits and _, not first "
        "a digit, at most 64 characters. A rule no schema states: allowed_hours.end is later than "
        "allowed_hours.start."
    )
    call_settings["properties"]["days_of_week"]["uniqueItems"] = True
    call_settings["maxProperties"] = MAX_SETTINGS_KEYS
    call_settings["propertyNames"] = {"pattern": f"^{EXTRA_KEY_NAME.pattern}$"}  # the known keys are such names too
    call_settings["additionalProperties"] = {  # other settings: one value each
        "anyOf": [
            {"type": "string", "pattern": NO_NUL, "maxLength": MAX_SETTING_LENGTH},
            STORABLE_NUMBER,
            {"type": ["boolean", "null"]},
        ],
    }


def _one_key_at_least(update, ignored=()):
    """Only the documented keys, and one of them (but `ignored`) with a value
    (null counts as not sent)."""
    update["additionalProperties"] = False
    update.setdefault("allOf", []).append(
        {
            "anyOf": [
                {"required": [key], "properties": {key: not_null(field)}}
                for key, field in update["properties"].items()
                if key not in ignored
            ]
        }
    )


def _when(**values):
    return {"required": list(values), "properties": {key: {"enum": [value]} for key, value in values.items()}}


def _describe_account_update(update):
    _one_key_at_least(update, ignored=("pause_batches",))
    update["allOf"] += [
        {  # pause_batches only with a suspension
            "anyOf": [
                {"properties": {"pause_batches": {"enum": [False, None]}}},
                _when(status="suspended"),
                _when(is_active=False),
            ]
        },
        {"not": {"anyOf": [_when(is_active=True, status="suspended"), _when(is_active=False, status="active")]}},
    ]


def _describe_topup(topup):
    properties = topup["properties"]
    for unit in ("minutes", "credits"):
        properties[unit]["exclusiveMinimum"] = properties[unit].pop("minimum")
    topup["anyOf"] = [
        {"required": [unit], "properties": {unit: not_null(properties[unit])}} for unit in ("minutes", "credits")
    ]


def _describe_form_fields(form):
    """Multipart fields are strings by nature: booleans are "true"/"false"
    (what the React frontend sends), and an optional field sent empty (or
    "null", JavaScript's FormData of null, where null is allowed) is not sent.
    An account_id is never a placeholder the frontend may send ("undefined")."""
    from batches.intake_serializers import PLACEHOLDER_ACCOUNT_IDS

    required = form.get("required", ())
    for key, field in list(form["properties"].items()):
        types = field.get("type") if isinstance(field.get("type"), list) else [field.get("type")]
        if key == "account_id":
            field["pattern"] = not_a_placeholder_pattern(PLACEHOLDER_ACCOUNT_IDS)
        elif field.get("format") == "binary":
            field["minLength"] = 1  # an empty file is refused
        elif field.get("type") == "boolean":
            form["properties"][key] = {
                "type": "string",
                "enum": ["true", "false", ""],
                "default": str(field.get("default", False)).lower(),
                "description": field.get("description", ""),
            }
        elif key not in required and not {"string", "boolean"} & set(types):
            absent = ["", "null"] if "null" in types else [""]
            if "null" in types:
                field["type"] = next(kind for kind in types if kind != "null")
            description = field.pop("description", "")
            form["properties"][key] = {
                "anyOf": [field, {"type": "string", "enum": absent}],
                "description": f"{description} Empty: not sent.".strip(),
            }
