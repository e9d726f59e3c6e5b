from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from speechai.mongo import collection, instances_from_documents
from speechai.permissions import open_mode_serves
from speechai.recent import RecentValues

# Tokens recently read, with their users (and the permissions those load on
# first use): a token revoked or a user deactivated or changed is noticed
# within API_TOKEN_CACHE_SECONDS. Beyond 1,000 distinct tokens in that time
# the oldest are read again.
TOKEN_CACHE = RecentValues(size=1000)


def token_with_user(key):
    """The token `key` and its user in one round trip: the token matched by
    its (indexed) key first, then joined to its user. DRF's own
    `select_related("user")` lookup joins first and matches after, which
    walks every token on the embedded server."""
    pipeline = [
        {"$match": {"key": key}},
        {"$limit": 1},
        {
            "$lookup": {
                "from": get_user_model()._meta.db_table,
                "localField": "user_id",
                "foreignField": "_id",
                "as": "user",
            }
        },
    ]
    for document in collection(Token).aggregate(pipeline):
        if not document["user"]:
            return None
        (user,) = instances_from_documents(get_user_model(), document["user"])
        (token,) = instances_from_documents(Token, [document])
        token.user = user
        return token
    return None


class BearerOrTokenAuthentication(TokenAuthentication):
    """DRF token auth that takes `Authorization: Bearer <key>` (what the React
    frontend sends) as well as DRF's own `Token <key>`; at most one round trip
    per request, none for a token seen within API_TOKEN_CACHE_SECONDS."""

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

    def authenticate_credentials(self, key):
        cached = TOKEN_CACHE.get(key)
        if cached is not None:
            return cached
        token = token_with_user(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if settings.API_TOKEN_CACHE_SECONDS > 0:
            TOKEN_CACHE.put(key, (token.user, token), settings.API_TOKEN_CACHE_SECONDS)
        return token.user, token


def actor_name(request):
    """Who an API request acts as, for the audit log and the `*_by` fields."""
    user = request.user
    return user.get_username() if user and user.is_authenticated else "anonymous"
