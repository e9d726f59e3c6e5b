from drf_spectacular.extensions import OpenApiAuthenticationExtension


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


# Strings the API refuses although JSON allows them: NUL characters anywhere
# (DRF's CharField), and blank values where one is required (trimmed first).
NO_NUL = "^[^\\u0000]*$"
NOT_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
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


def _refine_string(schema):
    if schema.get("type") == "string" and not {"enum", "format", "pattern"} & schema.keys():
        schema["pattern"] = NOT_BLANK if schema.get("minLength") else NO_NUL


def _walk_parameters(result):
    for path in result.get("paths", {}).values():
        for operation in path.values():
            yield from operation.get("parameters", []) if isinstance(operation, dict) else []


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
    for name, component in components.items():
        if not name.endswith("Request"):
            continue
        properties = component.get("properties", {})
        for key, field in properties.items():
            _refine_string(field)
            _refine_string(field.get("items", {}))
            if name in NULL_MEANS_ABSENT and key not in component.get("required", ()):
                # OpenAPI 3.0 ignores a $ref's siblings: wrap it to make it nullable.
                wrapped = {"allOf": [{"$ref": field.pop("$ref")}], **field} if "$ref" in field else field
                properties[key] = {**wrapped, "nullable": True}
    _describe_call_settings(components["CallSettingsRequest"])
    for path in result.get("paths", {}).values():  # a PATCH without a body changes nothing: refused
        if "requestBody" in path.get("patch", {}):
            path["patch"]["requestBody"]["required"] = True
    components["BatchCreateRequest"]["additionalProperties"] = True  # other keys are ignored
    _one_key_at_least(components["PatchedBatchUpdateRequest"])
    _describe_account_update(components["PatchedAccountUpdateRequest"])
    _describe_topup(components["TopupRequest"])
    for name, component in components.items():
        if name.endswith("FormRequest"):
            _describe_form_fields(component)
    return result


def _describe_call_settings(call_settings):
    from batches.call_settings import MAX_SETTING_LENGTH, MAX_SETTINGS_KEYS

    call_settings["description"] += (
        " Rules OpenAPI 3.0 cannot state: keys must not contain NUL characters; other keys than these "
        "(kept for the workers) are plain names: letters, digits and _, not first a digit, at most 64 "
        "characters; allowed_hours.end must be later than allowed_hours.start."
    )
    call_settings["properties"]["days_of_week"]["uniqueItems"] = True
    call_settings["maxProperties"] = MAX_SETTINGS_KEYS
    call_settings["additionalProperties"] = {  # other settings: one value each
        "nullable": True,
        "oneOf": [
            {"type": "string", "pattern": NO_NUL, "maxLength": MAX_SETTING_LENGTH},
            {"type": "number"},
            {"type": "boolean"},
        ],
    }


def _one_key_at_least(update, ignored=()):
    """Only the documented keys, and one of them (but `ignored`) with a value
    (null counts as not sent)."""
    update["additionalProperties"] = False
    update.setdefault("allOf", []).append(
        {
            "anyOf": [
                {"required": [key], "properties": {key: {**field, "nullable": False}}}
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
                {"properties": {"pause_batches": {"enum": [False, None], "nullable": True}}},
                _when(status="suspended"),
                _when(is_active=False),
            ]
        },
        {"not": {"anyOf": [_when(is_active=True, status="suspended"), _when(is_active=False, status="active")]}},
    ]


def _describe_topup(topup):
    for unit in ("minutes", "credits"):
        topup["properties"][unit]["exclusiveMinimum"] = True
    properties = topup["properties"]
    topup["anyOf"] = [
        {"required": [unit], "properties": {unit: {**properties[unit], "nullable": False}}}
        for unit in ("minutes", "credits")
    ]


def _describe_form_fields(form):
    """Multipart fields are strings by nature: booleans are "true"/"false"
    (what the React frontend sends), and an optional field sent empty (or
    "null", JavaScript's FormData of null, where null is allowed) is not sent."""
    required = form.get("required", ())
    for key, field in list(form["properties"].items()):
        if field.get("format") == "binary":
            field["minLength"] = 1  # an empty file is refused
        elif field.get("type") == "boolean":
            form["properties"][key] = {
                "type": "string",
                "enum": ["true", "false", ""],
                "default": str(field.get("default", False)).lower(),
                "description": field.get("description", ""),
            }
        elif key not in required and field.get("type") not in ("string", "boolean"):
            absent = ["", "null"] if field.pop("nullable", False) else [""]
            description = field.pop("description", "")
            form["properties"][key] = {
                "anyOf": [field, {"type": "string", "enum": absent}],
                "description": f"{description} Empty: not sent.".strip(),
            }
