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
# Request bodies where a null value means "not sent" (batches/serializers.py).
NULL_MEANS_ABSENT = ("BatchCreateRequest", "PatchedBatchUpdateRequest", "CallSettingsRequest")


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
    call_settings = components["CallSettingsRequest"]
    call_settings["description"] += (
        " Rules OpenAPI 3.0 cannot state: keys must not contain NUL characters, "
        "and allowed_hours.end must be later than allowed_hours.start."
    )
    call_settings["properties"]["days_of_week"]["uniqueItems"] = True
    call_settings["additionalProperties"] = {  # other settings: one value each
        "nullable": True,
        "oneOf": [{"type": "string", "pattern": NO_NUL}, {"type": "number"}, {"type": "boolean"}],
    }
    for path in result.get("paths", {}).values():  # a PATCH without a body changes nothing: refused
        if "requestBody" in path.get("patch", {}):
            path["patch"]["requestBody"]["required"] = True
    components["BatchCreateRequest"]["additionalProperties"] = True  # other keys are ignored
    update = components["PatchedBatchUpdateRequest"]
    update["additionalProperties"] = False
    # At least one key with a value (null counts as not sent).
    update["anyOf"] = [
        {"required": [key], "properties": {key: {**field, "nullable": False}}}
        for key, field in update["properties"].items()
    ]
    return result
