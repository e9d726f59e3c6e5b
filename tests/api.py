"""Authenticated API clients for the tests."""

from django.contrib.auth.models import Permission, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def token_client(user, keyword="Bearer"):
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {token.key}")
    return client


def make_user(username, *permission_codenames, superuser=False):
    user = User.objects.create_user(username, password="not-used-here-1234", is_superuser=superuser)
    if permission_codenames:
        user.user_permissions.set(Permission.objects.filter(codename__in=permission_codenames))
    return user
