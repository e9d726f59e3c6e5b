import pytest
from django.contrib.auth.models import Group, Permission, User

pytestmark = pytest.mark.django_db


def fresh(user):
    return User.objects.get(pk=user.pk)  # no permission cache


def test_a_user_has_the_permissions_given_to_them():
    user = User.objects.create_user("ana")
    user.user_permissions.add(Permission.objects.get(codename="cancel_job"))

    assert fresh(user).has_perm("jobs.cancel_job")
    assert not fresh(user).has_perm("jobs.retry_job")


def test_a_user_has_the_permissions_of_their_groups():
    group = Group.objects.create(name="Operators")
    group.permissions.add(Permission.objects.get(codename="retry_job"))
    user = User.objects.create_user("ben")
    user.groups.add(group)

    assert fresh(user).has_perm("jobs.retry_job")
    assert fresh(user).get_all_permissions() == {"jobs.retry_job"}


def test_inactive_users_have_no_permissions():
    user = User.objects.create_user("cy", is_active=False)
    user.user_permissions.add(Permission.objects.get(codename="cancel_job"))

    assert not fresh(user).has_perm("jobs.cancel_job")


def test_superusers_have_every_permission():
    assert User.objects.create_superuser("root", password="x").has_perm("jobs.retry_job")
