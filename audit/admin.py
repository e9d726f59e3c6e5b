"""The audit log, read-only: who did what, from where, to which jobs."""

from django.contrib import admin

from audit.models import AuditEntry
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
