"""API permissions. Reads need an authenticated user; each state change needs
its Django permission (superusers have all; each app declares its classes,
e.g. jobs/permissions.py). API_AUTH_DISABLED opens all to callers on this
machine only."""

import re

from django.conf import settings
from rest_framework.permissions import BasePermission

from speechai.production import bind_host, is_loopback_address

# `for=` addresses of a Forwarded header (RFC 7239), quoted or not.
FORWARDED_FOR = re.compile(r'for="?([^";,]+)', re.IGNORECASE)


def forwarded_addresses(meta):
    """Client addresses a proxy says it forwarded for, every one listed."""
    addresses = [*meta.get("HTTP_X_FORWARDED_FOR", "").split(","), meta.get("HTTP_X_REAL_IP", "")]
    addresses += FORWARDED_FOR.findall(meta.get("HTTP_FORWARDED", ""))
    return [bind_host(address.strip()) for address in addresses if address.strip()]


def open_mode_serves(request):
    """The open development mode (API_AUTH_DISABLED) lets anonymous callers
    in only from this machine: the TCP peer (REMOTE_ADDR, which the client
    cannot choose, unlike a Host header) is loopback, and so is every client
    a local proxy says it forwarded for. Anyone else is treated as if the
    mode were off."""
    if not settings.API_AUTH_DISABLED:
        return False
    peers = [request.META.get("REMOTE_ADDR") or "", *forwarded_addresses(request.META)]
    return all(is_loopback_address(peer) for peer in peers)


class IsAuthenticatedOrOpenAPI(BasePermission):
    def has_permission(self, request, view):
        if open_mode_serves(request):
            return True
        return bool(request.user and request.user.is_authenticated)


class HasDjangoPermission(IsAuthenticatedOrOpenAPI):
    """Authenticated and holding `required_permission` ("app_label.codename")."""

    required_permission = None

    def has_permission(self, request, view):
        if open_mode_serves(request):
            return True
        return super().has_permission(request, view) and request.user.has_perm(self.required_permission)
