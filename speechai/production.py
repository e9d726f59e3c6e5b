"""The server refuses to start with settings that are only safe on a
developer's machine. Called when the WSGI/ASGI application loads (gunicorn,
runserver), not by management commands or tests."""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1", ".localhost", "testserver"}


def is_local_host(host):
    if host in LOCAL_HOSTS or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def insecure_settings_problems():
    problems = []
    if settings.DEBUG:
        public_hosts = [host for host in settings.ALLOWED_HOSTS if not is_local_host(host)]
        if public_hosts:
            problems.append(f"DJANGO_DEBUG is on for public hosts {public_hosts}; debug pages leak secrets")
    else:
        if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY or len(settings.SECRET_KEY) < 32:
            problems.append("DJANGO_SECRET_KEY is unset, the development key or shorter than 32 characters")
        if not settings.ALLOWED_HOSTS:
            problems.append("DJANGO_ALLOWED_HOSTS is empty")
        if settings.API_AUTH_DISABLED:
            problems.append(
                "API_AUTH_DISABLED opens the API to anyone; it is for local development (DJANGO_DEBUG) only"
            )
    if "*" in settings.CORS_ALLOWED_ORIGINS:
        problems.append("CORS_ALLOWED_ORIGINS may not be '*' (credentials are allowed)")
    return problems


def refuse_insecure_settings():
    problems = insecure_settings_problems()
    if problems:
        raise ImproperlyConfigured("Refusing to start: " + "; ".join(problems) + ".")
