from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError

# Group name -> "app_label.codename" permissions. Members also need a staff
# account ("Staff status" in the admin) to log in to /admin.
SUPERVISOR_GROUPS = {
    "Supervisors (read-only)": [
        "jobs.view_job",
        "batches.view_batch",
        "accounts.view_account",
        "accounts.view_transaction",
        "audit.view_auditentry",
        "audit.view_backgroundaction",
    ],
    "Operators": [
        "jobs.view_job",
        "jobs.change_job",
        "jobs.cancel_job",
        "jobs.retry_job",
        "jobs.restore_job",
        "batches.view_batch",
        "batches.add_batch",
        "batches.change_batch",
        "accounts.view_account",
        "accounts.add_account",
        "accounts.change_account",
        "accounts.view_transaction",
        "audit.view_auditentry",
        "audit.view_backgroundaction",
    ],
    # Money: topping up is kept apart from operating campaigns.
    "Account managers": [
        "accounts.view_account",
        "accounts.topup_account",
        "accounts.view_transaction",
    ],
}


class Command(BaseCommand):
    help = (
        "Create or update the admin groups: 'Supervisors (read-only)' see jobs, batches, accounts and the audit "
        "log; 'Operators' also cancel, retry, restore and edit jobs, create (import) campaigns, pause, resume, "
        "cancel, restore and edit batches, and create, edit, suspend and activate accounts; "
        "'Account managers' see accounts and top them up. "
        "Idempotent: a group's permissions are reset to this list."
    )

    def handle(self, *args, **options):
        for name, permission_names in SUPERVISOR_GROUPS.items():
            group, created = Group.objects.get_or_create(name=name)
            group.permissions.set([self.permission(p) for p in permission_names])
            self.stdout.write(f"{'Created' if created else 'Updated'} group '{name}': {', '.join(permission_names)}")

    @staticmethod
    def permission(name):
        app_label, codename = name.split(".")
        found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if found is None:
            raise CommandError(f"No permission {name}: run `manage.py migrate` first.")
        return found
