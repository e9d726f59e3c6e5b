from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from tests.api import make_user

pytestmark = pytest.mark.django_db


def api_token(*args):
    out, err = StringIO(), StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip()


def test_prints_the_same_token_every_time():
    user = make_user("frontend")

    first = api_token("frontend")

    assert first == Token.objects.get(user=user).key
    assert api_token("frontend") == first


def test_the_printed_token_authenticates_api_calls(client):
    make_user("frontend")
    key = api_token("frontend")

    assert client.get("/api/v1/jobs", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_reset_replaces_the_token():
    make_user("frontend")
    old = api_token("frontend")

    new = api_token("frontend", "--reset")

    assert new != old
    assert not Token.objects.filter(key=old).exists()


def test_an_unknown_user_is_an_error_unless_asked_to_create_it():
    with pytest.raises(CommandError, match="No user 'ghost'"):
        api_token("ghost")

    key = api_token("ghost", "--create-user")

    user = User.objects.get(username="ghost")
    assert Token.objects.get(user=user).key == key
    assert not user.has_usable_password()
