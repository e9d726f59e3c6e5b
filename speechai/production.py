"""The server refuses to start with settings that are only safe on a
developer's machine. Called when the WSGI/ASGI application loads (gunicorn,
runserver), not by management commands or tests; the addresses the server
listens on are checked by gunicorn's `on_starting` hook and by runserver."""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1", ".localhost", "testserver"}


def is_local_host(host):
    return host in LOCAL_HOSTS or host.endswith(".localhost") or is_loopback_address(host)


def is_loopback_address(address):
    """An IP address of this machine's loopback interface, or "localhost"."""
    if address == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    return (getattr(ip, "ipv4_mapped", None) or ip).is_loopback


def bind_host(bind):
    """The host of a listening address as gunicorn and runserver write it:
    "0.0.0.0:8000", "[::1]:8000", "localhost" (a unix: or fd:// address is
    returned whole and is not loopback)."""
    if bind.startswith(("unix:", "fd://")):
        return bind
    if bind.startswith("["):
        return bind[1 : bind.find("]")]
    return bind.rsplit(":", 1)[0] if bind.count(":") == 1 else bind


def exposed_open_mode_problem(api_auth_disabled, binds):
    """The open development mode (API_AUTH_DISABLED) serves anonymous
    callers, so it may only listen on loopback: a message naming the
    other addresses, or None."""
    exposed = [bind for bind in binds if not is_loopback_address(bind_host(bind))]
    if api_auth_disabled and exposed:
        return (
            "Refusing to start: API_AUTH_DISABLED serves anonymous callers, so the server must listen "
            f"on loopback only (127.0.0.1, [::1], localhost), not on {', '.join(exposed)}."
        )
    return None


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
