import pytest
import yaml
from django.core.management import call_command
from jsonschema import Draft202012Validator

pytestmark = pytest.mark.django_db

JOB_OPERATIONS = {
    ("/api/v1/jobs", "get"): {"200", "400", "401"},
    ("/api/v1/jobs/{job_id}", "get"): {"200", "401", "404"},
    ("/api/v1/jobs/{job_id}", "delete"): {"200", "400", "401", "403", "404", "409"},
    ("/api/v1/jobs/{job_id}/cancel", "put"): {"200", "400", "401", "403", "404", "409"},
    ("/api/v1/jobs/{job_id}/cancel", "post"): {"200", "400", "401", "403", "404", "409"},
    ("/api/v1/jobs/{job_id}/retry", "put"): {"200", "401", "403", "404", "409"},
    ("/api/v1/jobs/{job_id}/retry", "post"): {"200", "401", "403", "404", "409"},
    ("/api/v1/jobs/cancel", "post"): {"200", "400", "401", "403"},
    ("/health", "get"): {"200", "503"},
}


@pytest.fixture
def schema(client):
    response = client.get("/api/schema", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_every_jobs_endpoint_is_documented_with_its_errors(schema):
    for (path, method), statuses in JOB_OPERATIONS.items():
        operation = schema["paths"][path][method]
        assert set(operation["responses"]) == statuses, (path, method)


def test_the_schema_is_openapi_3_1_generated_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    document = yaml.safe_load((tmp_path / "schema.yaml").read_text())
    assert document["openapi"] == "3.1.0"
    for component in document["components"]["schemas"].values():  # JSON Schema 2020-12, OpenAPI 3.1's dialect
        Draft202012Validator.check_schema(component)


def test_paths_have_no_trailing_slash(schema):
    assert all(path == "/" or not path.endswith("/") for path in schema["paths"])


def test_ids_are_strings_never_integers(schema):
    job = schema["components"]["schemas"]["Job"]["properties"]
    assert job["_id"]["type"] == "string"
    assert job["job_id"]["type"] == job["batch_id"]["type"] == ["string", "null"]  # as old documents hold them
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter["schema"]["type"] == "string", (path, parameter["name"])


def test_nested_worker_objects_are_typed(schema):
    job = schema["components"]["schemas"]["Job"]["properties"]
    assert "contact" in job and "payload" in job and "call_result" in job
    call_result = schema["components"]["schemas"]["CallResult"]["properties"]
    assert call_result["timestamp"]["format"] == "date-time"


def test_the_api_token_is_a_bearer_scheme(schema):
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    assert {"bearerAuth": []} in schema["paths"]["/api/v1/jobs"]["get"]["security"]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_documentation_pages_are_served(client, page):
    response = client.get(page)

    assert response.status_code == 200
    assert b"/api/schema" in response.content
