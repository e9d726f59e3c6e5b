"""Logged-in admin users for the admin tests."""

from django.contrib.auth.models import Permission, User

VIEW_JOBS = ("view_job", "view_batch")
JOB_OPERATOR = ("view_job", "view_batch", "change_job", "cancel_job", "retry_job")


def staff_user(username, *permission_codenames, superuser=False):
    user = User.objects.create_user(username, password="staff-password-1234", is_staff=True, is_superuser=superuser)
    if permission_codenames:
        user.user_permissions.set(Permission.objects.filter(codename__in=permission_codenames))
    return user


def logged_in(client, user):
    client.force_login(user)
    return client
