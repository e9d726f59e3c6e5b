"""Production settings: read from the environment by a fresh process, they
refuse the configurations that are only safe on a developer's machine."""

import json
import re
import subprocess
import sys

import pytest

from tests.environment import ROOT, documented_variables, new_secret_key, production_environment

SECURE = {"DJANGO_SECRET_KEY": new_secret_key(), "DJANGO_ALLOWED_HOSTS": "backoffice.example.com"}
BEHIND_TLS_PROXY = {**SECURE, "DJANGO_BEHIND_TLS_PROXY": "true"}

# What a fresh interpreter reports: the startup problems (speechai/production.py)
# and the settings the tests look at.
REPORT = """
import json
from django.conf import settings
from speechai.production import insecure_settings_problems

names = [
    "DEBUG", "ALLOWED_HOSTS", "STORAGES", "LOG_FORMAT", "REST_FRAMEWORK", "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
]
print(json.dumps({"problems": insecure_settings_problems(), **{name: getattr(settings, name) for name in names}}))
"""


def run_report(**variables):
    return subprocess.run(
        [sys.executable, "-c", REPORT],
        env=production_environment(**variables),
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


def read_settings(**variables):
    result = run_report(**variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def problems(**variables):
    return " | ".join(read_settings(**variables)["problems"])


def test_debug_is_off_unless_asked_for():
    assert read_settings(**SECURE)["DEBUG"] is False
    assert read_settings(**SECURE, DJANGO_DEBUG="true")["DEBUG"] is True


def test_a_complete_production_configuration_starts():
    production = read_settings(**SECURE)

    assert production["problems"] == []
    assert production["ALLOWED_HOSTS"] == ["backoffice.example.com"]
    assert production["LOG_FORMAT"] == "json"
    assert production["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert production["REST_FRAMEWORK"]["DEFAULT_RENDERER_CLASSES"] == ["speechai.renderers.FastJSONRenderer"]


def test_refuses_to_start_without_a_secret_key():
    assert "DJANGO_SECRET_KEY" in problems(DJANGO_ALLOWED_HOSTS="backoffice.example.com")


def test_refuses_the_development_secret_key():
    from django.conf import settings

    development_key = {**SECURE, "DJANGO_SECRET_KEY": settings.DEVELOPMENT_SECRET_KEY}
    assert "DJANGO_SECRET_KEY" in problems(**development_key)


def test_refuses_a_short_secret_key():
    assert "DJANGO_SECRET_KEY" in problems(**{**SECURE, "DJANGO_SECRET_KEY": "short-but-not-empty"})


def test_refuses_empty_allowed_hosts():
    assert "DJANGO_ALLOWED_HOSTS is empty" in problems(**{**SECURE, "DJANGO_ALLOWED_HOSTS": ""})


def test_refuses_an_api_open_to_anonymous_callers():
    assert "API_AUTH_DISABLED" in problems(**SECURE, API_AUTH_DISABLED="true")


def test_refuses_debug_pages_on_a_public_host():
    assert "DJANGO_DEBUG" in problems(**SECURE, DJANGO_DEBUG="true")


def test_refuses_any_origin_with_credentials():
    assert "CORS_ALLOWED_ORIGINS" in problems(**SECURE, CORS_ALLOWED_ORIGINS="*")


def test_refuses_an_unknown_log_format():
    result = run_report(**SECURE, LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT must be 'json' or 'plain'" in result.stderr


def test_plain_http_keeps_cookies_usable_until_a_tls_proxy_is_declared():
    production = read_settings(**SECURE)

    assert production["SECURE_PROXY_SSL_HEADER"] is None
    assert production["SESSION_COOKIE_SECURE"] is False
    assert production["SECURE_HSTS_SECONDS"] == 0


def test_behind_a_tls_proxy_cookies_are_secure_and_hsts_is_on():
    production = read_settings(**BEHIND_TLS_PROXY)

    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SECURE_HSTS_SECONDS"] == 31536000
    assert read_settings(**BEHIND_TLS_PROXY, DJANGO_HSTS_SECONDS="3600")["SECURE_HSTS_SECONDS"] == 3600


@pytest.mark.django_db
def test_behind_a_tls_proxy_plain_http_is_redirected_except_the_health_probe(client, settings):
    production = read_settings(**BEHIND_TLS_PROXY)
    settings.SECURE_PROXY_SSL_HEADER = tuple(production["SECURE_PROXY_SSL_HEADER"])
    settings.SECURE_SSL_REDIRECT = production["SECURE_SSL_REDIRECT"]
    settings.SECURE_REDIRECT_EXEMPT = production["SECURE_REDIRECT_EXEMPT"]
    settings.SECURE_HSTS_SECONDS = production["SECURE_HSTS_SECONDS"]

    over_tls = client.get("/api/v1/jobs/", headers={"x-forwarded-proto": "https"})
    plain = client.get("/api/v1/jobs/")
    probe = client.get("/health")

    assert over_tls.status_code == 401
    assert over_tls["Strict-Transport-Security"] == "max-age=31536000"
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/api/v1/jobs/"
    assert probe.status_code == 200


def variables_read_by(path):
    source = (ROOT / path).read_text()
    calls = r"(?:os\.environ\.get|os\.getenv|env_bool|env_list)\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']"
    items = r"os\.environ\[\s*[\"']([A-Z][A-Z0-9_]*)[\"']\s*\]"
    return set(re.findall(calls, source)) | set(re.findall(items, source))


@pytest.mark.parametrize(
    ("path", "one_of_them"), [("speechai/settings.py", "DJANGO_SECRET_KEY"), ("docker/gunicorn.conf.py", "PORT")]
)
def test_env_example_documents_every_variable_read(path, one_of_them):
    read = variables_read_by(path)

    assert one_of_them in read
    assert read - documented_variables() == set()
