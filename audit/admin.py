"""The audit log, read-only: who did what, from where, to which jobs; and
the admin's background actions with their progress."""

from datetime import timedelta

from bson import json_util
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

from audit.models import AuditEntry, BackgroundAction, BackgroundActionState
from speechai.admin_display import pretty


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "source", "targets", "matched", "changed", "reason"]
    list_filter = ["action", "source", "actor"]
    search_fields = ["=actor"]
    date_hierarchy = None
    show_facets = admin.ShowFacets.NEVER
    fields = [
        "created_at",
        "actor",
        "source",
        "action",
        "target_ids_display",
        "filter_display",
        "matched",
        "changed",
        "skipped_display",
        "reason",
        "details_display",
        "changed_job_ids_display",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Targets")
    def targets(self, obj):
        if obj.target_ids:
            shown = ", ".join(obj.target_ids[:3])
            return shown + (f" … ({len(obj.target_ids):,} ids)" if len(obj.target_ids) > 3 else "")
        return "filter" if obj.filter is not None else "-"

    @admin.display(description="Ids named")
    def target_ids_display(self, obj):
        return pretty(obj.target_ids or None)

    @admin.display(description="Filter")
    def filter_display(self, obj):
        return pretty(obj.filter)

    @admin.display(description="Skipped, by status")
    def skipped_display(self, obj):
        return pretty(obj.skipped)

    @admin.display(description="Details")
    def details_display(self, obj):
        return pretty(obj.details)

    @admin.display(description="Jobs changed (ObjectIds)")
    def changed_job_ids_display(self, obj):
        return pretty(obj.changed_job_ids or None)


# A running action whose worker recorded nothing for this long has likely
# stopped (a chunk takes seconds even on the embedded database).
STALLED_AFTER = timedelta(minutes=10)


@admin.register(BackgroundAction)
class BackgroundActionAdmin(admin.ModelAdmin):
    """Admin bulk actions run in the background (jobs/background_actions.py):
    a read-only page per action that follows its progress to its end."""

    list_display = ["created_at", "action", "actor", "state", "progress", "finished_at"]
    list_filter = ["state", "action", "actor"]
    show_facets = admin.ShowFacets.NEVER
    fields = [
        "action",
        "actor",
        "state",
        "progress",
        "created_at",
        "started_at",
        "updated_at",
        "finished_at",
        "matched",
        "changed",
        "skipped_display",
        "error",
        "selection",
        "options_display",
        "worker",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # The operator who started an action follows it, whatever their groups.
        own = obj is not None and obj.actor == request.user.get_username()
        return own or super().has_view_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        action = self.get_object(request, object_id)
        context = {**(extra_context or {}), "auto_refresh": action is not None and not action.has_ended}
        return super().change_view(request, object_id, form_url, context)

    @admin.display(description="Progress")
    def progress(self, obj):
        if obj.state == BackgroundActionState.QUEUED:
            return "Waiting for a worker (manage.py run_background_actions)."
        counted = format_html(
            '<progress value="{}" max="{}"></progress> <span class="progress-count">{} of {} jobs</span>',
            obj.done,
            max(obj.total, 1),
            f"{obj.done:,}",
            f"{obj.total:,}",
        )
        last_sign = obj.updated_at or obj.started_at
        if obj.state == BackgroundActionState.RUNNING and last_sign and timezone.now() - last_sign > STALLED_AFTER:
            return format_html(
                "{} <strong>No progress since {}: its worker has probably stopped. The jobs changed so far "
                "stay changed; start the action again for the rest.</strong>",
                counted,
                last_sign,
            )
        return counted

    @admin.display(description="Selection")
    def selection(self, obj):
        return pretty({"filter": json_util.loads(obj.query), "ids": obj.target_ids})

    @admin.display(description="Skipped, by status")
    def skipped_display(self, obj):
        return pretty(obj.skipped)

    @admin.display(description="Options")
    def options_display(self, obj):
        return pretty(obj.options)
