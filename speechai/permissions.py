"""API permissions. Reads need an authenticated user; each state change needs
its Django permission (superusers have all; each app declares its classes,
e.g. jobs/permissions.py). API_AUTH_DISABLED opens all."""

from django.conf import settings
from rest_framework.permissions import BasePermission


class IsAuthenticatedOrOpenAPI(BasePermission):
    def has_permission(self, request, view):
        if settings.API_AUTH_DISABLED:
            return True
        return bool(request.user and request.user.is_authenticated)


class HasDjangoPermission(IsAuthenticatedOrOpenAPI):
    """Authenticated and holding `required_permission` ("app_label.codename")."""

    required_permission = None

    def has_permission(self, request, view):
        if settings.API_AUTH_DISABLED:
            return True
        return super().has_permission(request, view) and request.user.has_perm(self.required_permission)
