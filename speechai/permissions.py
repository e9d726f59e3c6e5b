"""API permissions. Reads need an authenticated user; each state change needs
its Django permission (superusers have all). API_AUTH_DISABLED opens all."""

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


class CanCancelJobs(HasDjangoPermission):
    required_permission = "jobs.cancel_job"
    message = "You do not have permission to cancel jobs."


class CanRetryJobs(HasDjangoPermission):
    required_permission = "jobs.retry_job"
    message = "You do not have permission to retry jobs."


class CanRestoreJobs(HasDjangoPermission):
    required_permission = "jobs.restore_job"
    message = "You do not have permission to restore jobs."


class CanAddBatches(HasDjangoPermission):
    required_permission = "batches.add_batch"
    message = "You do not have permission to create batches."


class CanChangeBatches(HasDjangoPermission):
    """Pause, resume, update and cancel."""

    required_permission = "batches.change_batch"
    message = "You do not have permission to change batches."


class CanDeleteBatches(HasDjangoPermission):
    required_permission = "batches.delete_batch"
    message = "You do not have permission to delete batches."
