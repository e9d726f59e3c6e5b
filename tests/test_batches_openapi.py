import pytest

from jobs.models import JobStatus

pytestmark = pytest.mark.django_db

BATCH_OPERATIONS = {
    ("/api/v1/batches", "get"): {"200", "400", "401"},
    ("/api/v1/batches", "post"): {"201", "400", "401", "403"},
    ("/api/v1/batches/{batch_id}", "get"): {"200", "401", "404"},
    ("/api/v1/batches/{batch_id}", "patch"): {"200", "400", "401", "403", "404", "409"},
    ("/api/v1/batches/{batch_id}", "delete"): {"200", "400", "401", "403", "404", "409"},
    ("/api/v1/batches/{batch_id}/cancel", "post"): {"200", "400", "401", "403", "404", "409"},
    ("/api/v1/batches/{batch_id}/restore", "post"): {"200", "401", "403", "404", "409"},
    ("/api/v1/batches/{batch_id}/jobs", "get"): {"200", "400", "401", "404"},
    ("/api/v1/batches/{batch_id}/status", "get"): {"200", "401", "404"},
    ("/api/v1/batches/{batch_id}/summary", "get"): {"200", "401", "404"},
    ("/api/v1/dashboard/stats", "get"): {"200", "400", "401"},
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def component(schema, reference):
    return schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]


def body_schema(schema, path, method):
    return component(
        schema, schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    )


def query_parameters(schema, path, method):
    return {p["name"] for p in schema["paths"][path][method].get("parameters", []) if p["in"] == "query"}


def test_every_batch_endpoint_is_documented_with_its_errors(schema):
    for (path, method), statuses in BATCH_OPERATIONS.items():
        assert set(schema["paths"][path][method]["responses"]) == statuses, (path, method)


def test_errors_are_documented_with_the_detail_shape(schema):
    for (path, method), _statuses in BATCH_OPERATIONS.items():
        for code, response in schema["paths"][path][method]["responses"].items():
            if code.startswith("4"):
                error = component(schema, response["content"]["application/json"]["schema"]["$ref"])
                assert "detail" in error["properties"], (path, method, code)


def test_bodies_are_documented(schema):
    update = body_schema(schema, "/api/v1/batches/{batch_id}", "patch")
    assert set(update["properties"]) == {"is_active", "name", "description", "priority", "call_settings"}
    create = body_schema(schema, "/api/v1/batches", "post")
    assert set(create["required"]) == {"account_id", "name"}
    call_settings = create["properties"]["call_settings"]
    assert {"type": "null"} in call_settings["anyOf"]  # null means "not sent"
    settings = component(schema, call_settings["anyOf"][0]["$ref"])
    assert settings["properties"]["ring_timeout"]["maximum"] == 120
    assert settings["properties"]["days_of_week"]["items"]["minimum"] == 1
    assert settings["properties"]["days_of_week"]["uniqueItems"] is True
    timezone = settings["properties"]["timezone"]["anyOf"][0]["allOf"][0]["$ref"]
    assert "America/Santiago" in component(schema, timezone)["enum"]
    assert update["additionalProperties"] is False
    assert "reason" in body_schema(schema, "/api/v1/batches/{batch_id}/cancel", "post")["properties"]


def test_call_settings_keys_are_plain_names_and_extra_values_scalars_mongodb_stores(schema):
    settings = component(schema, "CallSettingsRequest")

    assert settings["propertyNames"] == {"pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$"}
    number = {"type": "number", "minimum": -(2**63), "maximum": 2**63 - 1}
    assert number in settings["additionalProperties"]["anyOf"]


def test_query_parameters_are_documented(schema):
    assert query_parameters(schema, "/api/v1/batches", "get") == {"account_id", "is_active", "status", "skip", "limit"}
    assert query_parameters(schema, "/api/v1/batches/{batch_id}", "delete") == {"delete_jobs", "reason"}
    assert query_parameters(schema, "/api/v1/batches/{batch_id}/jobs", "get") == query_parameters(
        schema, "/api/v1/jobs", "get"
    ) - {"batch_id"}


def test_the_status_filter_is_a_comma_separated_list_of_known_statuses(schema):
    (status,) = [p for p in schema["paths"]["/api/v1/jobs"]["get"]["parameters"] if p["name"] == "status"]

    assert status["schema"]["items"]["enum"] == JobStatus.values
    assert (status["style"], status["explode"]) == ("form", False)


def test_the_batch_state_filter_lists_the_known_states(schema):
    (status,) = [p for p in schema["paths"]["/api/v1/batches"]["get"]["parameters"] if p["name"] == "status"]

    assert {"active", "cancelling", "RUNNING", "ERROR"} <= set(status["schema"]["items"]["enum"])
    assert "deleted" not in status["schema"]["items"]["enum"]


def test_intake_form_fields_are_the_strings_the_frontend_sends(schema):
    form = component(schema, "CreateFormRequest")["properties"]

    assert form["allow_duplicates"]["enum"] == form["start_paused"]["enum"] == ["true", "false", ""]
    assert form["dias_fecha_limite"]["anyOf"][1] == {"type": "string", "enum": ["", "null"]}
    assert form["file"]["minLength"] == 1
    # The JSON text of a call_settings object (sent as such, as the frontend does), or blank for none.
    assert form["call_settings_json"]["anyOf"][0] == {"$ref": "#/components/schemas/CallSettingsRequest"}
    assert "JSON" in form["call_settings_json"]["description"]


def test_an_account_id_is_never_a_placeholder_in_the_form_nor_in_the_query(schema):
    import re

    preview = schema["paths"]["/api/v1/batches/excel/preview"]["post"]
    (query,) = [p for p in preview["parameters"] if p["name"] == "account_id"]
    form = component(schema, "PreviewFormRequest")["properties"]["account_id"]

    assert query["schema"] == {key: value for key, value in form.items() if key != "description"}
    pattern = re.compile(form["pattern"])
    assert pattern.search("acc-a1b2c3d4e5f6") and pattern.search("Undefined account")
    assert not any(pattern.search(text) for text in ("undefined", " Null ", "STRING", "none", "  "))


def test_batch_documents_have_string_ids_and_live_counts(schema):
    batch = component(schema, "Batch")["properties"]
    assert batch["_id"]["type"] == "string" and batch["batch_id"]["type"] == ["string", "null"]
    assert {"total_jobs", "in_progress_jobs", "cancelled_jobs", "call_settings"} <= set(batch)
    status = schema["paths"]["/api/v1/batches/{batch_id}/status"]["get"]["responses"]["200"]
    assert (
        "progress_percentage"
        in component(schema, status["content"]["application/json"]["schema"]["$ref"])["properties"]
    )
