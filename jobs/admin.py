"""The supervisors' view of `jobs`: lifecycle views with counts, filters on
indexed fields, bulk cancel/retry through jobs/services.py (audited there),
and a change form that writes only what a supervisor edited."""

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from audit.models import AuditEntry, AuditSource
from jobs import services
from jobs.admin_actions import JobActionsMixin
from jobs.admin_changelist import JobPaginator, job_search
from jobs.admin_filters import AccountFilter, BatchFilter, CreatedDateRangeFilter, StatusViewFilter
from jobs.call_review import call_review, stored_fields
from jobs.export_views import JobExportAdminMixin
from jobs.models import Job, JobStatus
from speechai.admin_display import badge, first_text, nested, pretty

STATUS_COLOURS = {
    JobStatus.PENDING: "#2563eb",
    JobStatus.SCHEDULED: "#7c3aed",
    JobStatus.IN_PROGRESS: "#d97706",
    JobStatus.COMPLETED: "#16a34a",
    JobStatus.DONE: "#16a34a",
    JobStatus.FAILED: "#dc2626",
    JobStatus.SUSPENDED: "#64748b",
    JobStatus.CANCELLED: "#6b7280",
}
# What a supervisor may edit; everything else (the lifecycle) is read-only.
EDITABLE_FIELDS = ("to_number", "max_attempts")
AUDIT_ENTRIES_SHOWN = 50


def status_badge(status):
    if status in JobStatus.values:
        return badge(JobStatus(status).label, STATUS_COLOURS[status])
    return badge(status if status is not None else "no status", "#374151")


class JobAdminForm(forms.ModelForm):
    to_number = forms.RegexField(
        regex=r"^\+[1-9]\d{6,14}$",
        required=False,
        error_messages={"invalid": "An E.164 phone number: + and 7 to 15 digits."},
        help_text="The phone the next call dials (E.164, e.g. +56912345678).",
    )
    max_attempts = forms.IntegerField(required=False, min_value=1, max_value=10)

    class Meta:
        model = Job
        fields = EDITABLE_FIELDS


@admin.register(Job)
class JobAdmin(JobExportAdminMixin, JobActionsMixin, admin.ModelAdmin):
    form = JobAdminForm
    list_display = [
        "job",
        "contact_name",
        "phone",
        "batch_link",
        "status_badge",
        "attempts_display",
        "last_result",
        "updated_at",
        "created_at",
    ]
    list_display_links = ["job"]
    list_filter = [StatusViewFilter, BatchFilter, AccountFilter, CreatedDateRangeFilter]
    search_fields = ["job_id"]  # shows the search box; get_search_results decides
    search_help_text = "Exact job id or ObjectId, phone or DNI; or the start of the contact name."
    sortable_by = ["created_at"]
    ordering = ["-created_at", "-pk"]
    list_per_page = 100
    change_list_template = "admin/jobs/job/change_list.html"
    # At 100k jobs: no full count per page, estimated totals, no facets, no joins.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = JobPaginator
    list_select_related = False
    actions = ["cancel_selected_jobs", "retry_selected_jobs", "restore_selected_jobs"]
    fieldsets = [
        (None, {"fields": ["job_id", "object_id", "status_badge", "account_id", "batch_detail", "mode"]}),
        ("Contact", {"fields": ["contact_display", "to_number", "deduplication_key"]}),
        ("Payload", {"fields": ["payload_display", "estimated_cost"]}),
        (
            "Attempts and lease",
            {
                "fields": [
                    "attempts",
                    "max_attempts",
                    "worker_id",
                    "reserved_until",
                    "next_try_at",
                    "last_attempt_result",
                    "last_error",
                ]
            },
        ),
        ("Timeline", {"fields": ["created_at", "updated_at", "started_at", "finished_at", "failed_at"]}),
        (
            "Last call",
            {
                "fields": [
                    "call_id",
                    "call_started_at",
                    "call_ended_at",
                    "call_duration_seconds",
                    "is_calling_display",
                    "call_review_display",
                ]
            },
        ),
        ("Payment promise", {"fields": ["fecha_pago_cliente", "monto_pago_cliente"]}),
        (
            "Cancellation and restore",
            {
                "fields": [
                    "cancellation_reason",
                    "cancelled_at",
                    "cancelled_by",
                    "status_before_cancel",
                    "restored_at",
                    "restored_by",
                    "action_id",
                ]
            },
        ),
        ("Audit log", {"fields": ["audit_history"]}),
    ]

    @property
    def media(self):
        return (
            super().media + BatchFilter.widget(self.admin_site).media + forms.Media(js=["jobs/admin/batch_filter.js"])
        )

    def get_readonly_fields(self, request, obj=None):
        shown = [name for _, options in self.fieldsets for name in options["fields"]]
        return [name for name in shown if name not in EDITABLE_FIELDS]

    # Jobs come from batch uploads and are never deleted (soft delete = cancel).
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_cancel_permission(self, request):
        return request.user.has_perm("jobs.cancel_job")

    def has_retry_permission(self, request):
        return request.user.has_perm("jobs.retry_job")

    def has_restore_permission(self, request):
        return request.user.has_perm("jobs.restore_job")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(job_search(term)), False

    def save_model(self, request, obj, form, change):
        """Only the fields the supervisor changed, one targeted update: never a
        full save() of a document the workers also write."""
        changes = {Job._meta.get_field(name).column: form.cleaned_data[name] for name in form.changed_data}
        if changes:
            services.update_job(obj.pk, changes, actor=request.user.get_username(), source=AuditSource.ADMIN)

    # Columns: each reads the loaded document only, no query per row.

    @admin.display(description="Job")
    def job(self, obj):
        return first_text(obj.job_id, obj.pk)

    @admin.display(description="Contact")
    def contact_name(self, obj):
        return nested(obj.contact, "name") or "-"

    @admin.display(description="Phone")
    def phone(self, obj):
        return obj.to_number or "-"

    @admin.display(description="Batch")
    def batch_link(self, obj):
        if not obj.batch_id:
            return "-"
        url = reverse("admin:jobs_job_changelist") + "?" + urlencode({"batch": obj.batch_id})
        return format_html('<a href="{}" title="Jobs of this batch">{}</a>', url, obj.batch_id)

    @admin.display(description="Status")
    def status_badge(self, obj):
        return status_badge(obj.status)

    @admin.display(description="Attempts")
    def attempts_display(self, obj):
        if obj.max_attempts is None:
            return obj.attempts if obj.attempts is not None else "-"
        return f"{obj.attempts if obj.attempts is not None else 0}/{obj.max_attempts}"

    @admin.display(description="Last result")
    def last_result(self, obj):
        return obj.last_attempt_result or nested(obj.call_result, "status") or "-"

    # Change form.

    @admin.display(description="ObjectId")
    def object_id(self, obj):
        return str(obj.pk)

    @admin.display(description="Batch")
    def batch_detail(self, obj):
        if not obj.batch_id:
            return "-"
        batch = (
            Job._meta.get_field("batch")
            .related_model.objects.filter(batch_id=obj.batch_id)
            .values("pk", "name")
            .first()
        )
        jobs_url = reverse("admin:jobs_job_changelist") + "?" + urlencode({"batch": obj.batch_id})
        if batch is None:
            return format_html('{} (batch no longer exists) — <a href="{}">its jobs</a>', obj.batch_id, jobs_url)
        batch_url = reverse("admin:batches_batch_change", args=[batch["pk"]])
        return format_html(
            '<a href="{}">{}</a> {} — <a href="{}">its jobs</a>',
            batch_url,
            obj.batch_id,
            f"({batch['name']})" if batch["name"] else "",
            jobs_url,
        )

    @admin.display(description="Contact")
    def contact_display(self, obj):
        return pretty(obj.contact)

    @admin.display(description="Payload")
    def payload_display(self, obj):
        return pretty(obj.payload)

    @admin.display(description="Call review")
    def call_review_display(self, obj):
        return call_review(stored_fields(obj))

    @admin.display(description="Is calling")
    def is_calling_display(self, obj):
        return "-" if obj.is_calling is None else str(obj.is_calling)

    @admin.display(description="Operator actions on this job")
    def audit_history(self, obj):
        ids = [str(obj.pk), *([obj.job_id] if isinstance(obj.job_id, str) else [])]
        touched = Q(changed_job_ids__contains=[str(obj.pk)])
        for raw_id in ids:
            touched |= Q(target_ids__contains=[raw_id])
        entries = AuditEntry.objects.filter(touched).order_by("-created_at")[:AUDIT_ENTRIES_SHOWN]
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}/{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:audit_auditentry_change", args=[entry.pk]),
                    entry.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
                    entry.get_action_display(),
                    entry.actor,
                    entry.get_source_display(),
                    entry.changed,
                    entry.matched,
                    entry.reason or "",
                )
                for entry in entries
            ),
        )
        if not rows:
            return "No operator action has touched this job."
        return format_html(
            "<table><thead><tr><th>When</th><th>Action</th><th>Who</th><th>From</th>"
            "<th>Changed/matched</th><th>Reason</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )
