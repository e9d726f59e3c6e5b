from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from speechai.permissions import open_mode_serves


class BearerOrTokenAuthentication(TokenAuthentication):
    """DRF token auth that takes `Authorization: Bearer <key>` (what the React
    frontend sends) as well as DRF's own `Token <key>`."""

    keywords = ("bearer", "token")
    keyword = "Bearer"  # the WWW-Authenticate challenge on 401

    def authenticate(self, request):
        parts = request.META.get("HTTP_AUTHORIZATION", "").split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid Authorization header: expected '<Bearer|Token> <key>'.")
        try:
            return self.authenticate_credentials(parts[1])
        except exceptions.AuthenticationFailed:
            if open_mode_serves(request):
                # Open development mode: the frontend's mock token is not a real one.
                return None
            raise


def actor_name(request):
    """Who an API request acts as, for the audit log and the `*_by` fields."""
    user = request.user
    return user.get_username() if user and user.is_authenticated else "anonymous"
