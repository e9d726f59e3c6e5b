"""`manage.py create_supervisor_groups`: the read-only supervisors and the
operators, ready to be given to staff accounts."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from tests.factories import insert_batch, insert_job, stored_job
from tests.staff import logged_in, staff_user

pytestmark = pytest.mark.django_db


def create_groups():
    out = StringIO()
    call_command("create_supervisor_groups", stdout=out)
    return out.getvalue()


def member_of(client, group_name, username):
    user = staff_user(username)
    user.groups.add(Group.objects.get(name=group_name))
    return logged_in(client, user)


def permissions_of(group_name):
    group = Group.objects.get(name=group_name)
    return sorted(group.permissions.values_list("codename", flat=True))


def test_creates_the_groups_idempotently():
    assert "Created group 'Supervisors (read-only)'" in create_groups()
    Group.objects.get(name="Operators").permissions.clear()

    assert "Updated group 'Operators'" in create_groups()

    assert Group.objects.count() == 3
    assert permissions_of("Supervisors (read-only)") == [
        "view_account",
        "view_auditentry",
        "view_backgroundaction",
        "view_batch",
        "view_job",
        "view_transaction",
    ]
    assert permissions_of("Operators") == [
        "add_account",
        "add_batch",
        "cancel_job",
        "change_account",
        "change_batch",
        "change_job",
        "restore_job",
        "retry_job",
        "view_account",
        "view_auditentry",
        "view_backgroundaction",
        "view_batch",
        "view_job",
        "view_transaction",
    ]
    assert permissions_of("Account managers") == ["topup_account", "view_account", "view_transaction"]


def test_a_read_only_supervisor_sees_jobs_and_the_audit_log_but_changes_nothing(client):
    create_groups()
    job = insert_job(status="pending")
    supervisor = member_of(client, "Supervisors (read-only)", "sara")

    listing = supervisor.get("/admin/jobs/job/")

    assert listing.status_code == 200
    assert 'value="cancel_selected_jobs"' not in listing.content.decode()
    assert supervisor.get("/admin/audit/auditentry/").status_code == 200
    assert supervisor.post(f"/admin/jobs/job/{job['_id']}/change/", {"to_number": "+56900000000"}).status_code == 403
    assert stored_job(job["_id"])["to_number"] == job["to_number"]


def test_an_operator_cancels_and_retries(client):
    create_groups()
    insert_job()
    insert_batch()
    operator = member_of(client, "Operators", "olga")

    html = operator.get("/admin/jobs/job/").content.decode()

    assert 'value="cancel_selected_jobs"' in html and 'value="retry_selected_jobs"' in html
    assert 'value="pause_batches"' in operator.get("/admin/batches/batch/").content.decode()
