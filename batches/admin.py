"""The supervisors' view of `batches` (campaigns): state, live job counts by
status (one grouped aggregation per page), links to each batch's jobs, and
pause / resume / cancel through batches/services.py (audited there)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from audit.models import AuditSource
from batches import services
from batches.models import Batch
from batches.selectors import NO_JOBS, custom_id_of, job_counts
from jobs.admin_actions import ReasonForm
from speechai.admin_display import badge, pretty
from speechai.admin_selection import SelectionGuardMixin
from speechai.mongo import collection, object_id_or_none

# (live count, label, the jobs changelist's status view it links to)
COUNT_COLUMNS = [
    ("total_jobs", "Jobs", None),
    ("pending_jobs", "Pending / scheduled", None),
    ("in_progress_jobs", "In progress", "in_progress"),
    ("completed_jobs", "Completed", "done"),
    ("failed_jobs", "Failed", "failed"),
    ("cancelled_jobs", "Cancelled", "cancelled"),
]


def column_name(count):
    """The list column of a live count ("total_jobs" is also a stored field,
    which the admin would show instead)."""
    return f"live_{count}"


# Fields a supervisor edits in the change form; the rest is read-only.
EDITABLE_FIELDS = ("name", "description", "priority", "is_active")


def batch_search(term):
    """Exact ObjectId, batch_id from its start, or a part of the name."""
    condition = Q(batch_id__startswith=term) | Q(name__icontains=term)
    if (oid := object_id_or_none(term)) is not None:
        condition |= Q(pk=oid)
    return condition


def jobs_url(batch_id, status=None):
    query = {"batch": batch_id, **({"status": status} if status else {})}
    return reverse("admin:jobs_job_changelist") + "?" + urlencode(query)


def state_of(batch):
    if batch.deleted_at:
        return "Deleted", "#6b7280"
    if batch.cancelled_at:
        return "Cancelled", "#6b7280"
    if batch.is_active is False:
        return "Paused", "#d97706"
    return "Active", "#16a34a"


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"
    CONDITIONS = {
        "active": Q(deleted_at=None, cancelled_at=None) & ~Q(is_active=False),
        "paused": Q(deleted_at=None, cancelled_at=None, is_active=False),
        "cancelled": Q(deleted_at=None) & ~Q(cancelled_at=None),
        "deleted": ~Q(deleted_at=None),
    }

    def lookups(self, request, model_admin):
        return [(value, value.capitalize()) for value in self.CONDITIONS]

    def queryset(self, request, queryset):
        if self.value() in self.CONDITIONS:
            return queryset.filter(self.CONDITIONS[self.value()])
        return queryset


class AccountFilter(admin.SimpleListFilter):
    title = "account"
    parameter_name = "account"

    def lookups(self, request, model_admin):
        accounts = {a for a in collection(Batch).distinct("account_id") if isinstance(a, str) and a}
        return [(account, account) for account in sorted(accounts)]

    def queryset(self, request, queryset):
        return queryset.filter(account_id=self.value()) if self.value() else queryset


class BatchChangeList(ChangeList):
    def get_results(self, request):
        """The page's batches with their live job counts: one grouped
        aggregation for the whole page, never a query per row."""
        super().get_results(request)
        self.result_list = list(self.result_list)
        counts = job_counts(batch.batch_id for batch in self.result_list)
        for batch in self.result_list:
            batch.live_counts = counts.get(batch.batch_id, NO_JOBS)


class BatchAdminForm(forms.ModelForm):
    priority = forms.IntegerField(min_value=1, max_value=4, required=False, help_text="1 low .. 4 urgent")
    is_active = forms.BooleanField(required=False, label="Active", help_text="Unticked: paused (workers skip it)")

    class Meta:
        model = Batch
        fields = EDITABLE_FIELDS


def count_column(name, label, status):
    @admin.display(description=label)
    def column(self, batch):
        count = batch.live_counts[name]
        if not count or not isinstance(batch.batch_id, str):
            return count
        return format_html('<a href="{}">{}</a>', jobs_url(batch.batch_id, status), f"{count:,}")

    column.__name__ = column_name(name)
    return column


@admin.register(Batch)
class BatchAdmin(SelectionGuardMixin, admin.ModelAdmin):
    form = BatchAdminForm
    list_display = [
        "batch_id",
        "name",
        "account_id",
        "state",
        "priority",
        *(column_name(name) for name, _, _ in COUNT_COLUMNS),
        "created_at",
    ]
    list_filter = [StateFilter, AccountFilter]
    search_fields = ["batch_id"]  # shows the search box (and serves the jobs' batch autocomplete)
    search_help_text = "ObjectId, the start of the batch_id, or part of the name."
    sortable_by = ["created_at", "name", "priority"]
    ordering = ["-created_at", "-pk"]
    show_facets = admin.ShowFacets.NEVER
    actions = ["pause_batches", "resume_batches", "cancel_batches"]
    fieldsets = [
        (None, {"fields": ["batch_id", "object_id", "account_id", "state", "name", "description", "priority"]}),
        ("Calls", {"fields": ["is_active", "jobs_by_status", "call_settings_display"]}),
        (
            "Stored by the workers",
            {"fields": ["total_jobs", "pending_jobs", "completed_jobs", "failed_jobs", "suspended_jobs"]},
        ),
        ("Cost", {"fields": ["total_cost", "total_minutes", "estimated_cost"]}),
        ("Timeline", {"fields": ["created_at", "updated_at", "started_at", "completed_at"]}),
        ("Cancellation", {"fields": ["cancellation_reason", "cancelled_at", "deleted_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        shown = [name for _, options in self.fieldsets for name in options["fields"]]
        return [name for name in shown if name not in EDITABLE_FIELDS]

    def get_changelist(self, request, **kwargs):
        return BatchChangeList

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(batch_search(term)), False

    # Batches come from the upload (API) and are soft-deleted there, never here.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Only the fields the supervisor changed, through the same service as
        the API (pause/resume included): never a full save()."""
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if changes:
            services.update_batch(str(obj.pk), changes, actor=request.user.get_username(), source=AuditSource.ADMIN)

    @admin.display(description="State")
    def state(self, batch):
        return badge(*state_of(batch))

    @admin.display(description="ObjectId")
    def object_id(self, batch):
        return str(batch.pk)

    @admin.display(description="Jobs by status")
    def jobs_by_status(self, batch):
        batch_id = custom_id_of({"batch_id": batch.batch_id})
        if batch_id is None:
            return "-"
        counts = job_counts([batch_id]).get(batch_id, NO_JOBS)
        links = format_html_join(
            " · ",
            '<a href="{}">{}: {}</a>',
            ((jobs_url(batch_id, status), label, f"{counts[name]:,}") for name, label, status in COUNT_COLUMNS),
        )
        return format_html('{}<br><a href="{}">Open this batch\'s jobs</a>', links, jobs_url(batch_id))

    @admin.display(description="Call settings")
    def call_settings_display(self, batch):
        return pretty(batch.call_settings)

    # Actions: one service call per selected batch (each audited); the jobs
    # of a cancelled batch are cancelled by one update, never one per job.

    def has_change_batch_permission(self, request):
        return request.user.has_perm("batches.change_batch")

    def run_on_batches(self, request, queryset, service, **kwargs):
        """(done, not_found) batch_ids after calling `service(pk, actor, source, ...)` for each."""
        done, gone, results = [], [], []
        for batch in queryset.only("pk", "batch_id"):
            try:
                results.append(
                    service(str(batch.pk), actor=request.user.get_username(), source=AuditSource.ADMIN, **kwargs)
                )
                done.append(batch.batch_id or str(batch.pk))
            except services.BatchNotFound:
                gone.append(batch.batch_id or str(batch.pk))
        if gone:
            self.message_user(request, f"Not changed (deleted or gone): {', '.join(map(str, gone))}.", messages.WARNING)
        return done, results

    @admin.action(description="Pause selected batches", permissions=["change_batch"])
    def pause_batches(self, request, queryset):
        done, _ = self.run_on_batches(request, queryset, services.update_batch, changes={"is_active": False})
        if done:
            self.message_user(request, f"Paused {len(done)} batch(es): {', '.join(map(str, done))}.")

    @admin.action(description="Resume selected batches", permissions=["change_batch"])
    def resume_batches(self, request, queryset):
        done, _ = self.run_on_batches(request, queryset, services.update_batch, changes={"is_active": True})
        if done:
            self.message_user(request, f"Resumed {len(done)} batch(es): {', '.join(map(str, done))}.")

    @admin.action(description="Cancel selected batches", permissions=["change_batch"])
    def cancel_batches(self, request, queryset):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            batches = list(queryset)
            counts = job_counts(batch.batch_id for batch in batches)
            rows = [(batch, counts.get(batch.batch_id, NO_JOBS)) for batch in batches]
            context = {
                **self.admin_site.each_context(request),
                "title": "Cancel batches",
                "opts": self.model._meta,
                "form": form,
                "rows": rows,
                "waiting": sum(c["pending_jobs"] + c["failed_jobs"] for _, c in rows),
                "in_progress": sum(c["in_progress_jobs"] for _, c in rows),
                "select_across": request.POST.get("select_across") == "1",
                "selected_ids": request.POST.getlist(ACTION_CHECKBOX_NAME),
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/batches/batch/cancel_selected_confirmation.html", context)
        reason = form.cleaned_data["reason"] or None
        done, cancelled = self.run_on_batches(request, queryset, services.cancel_batch, reason=reason)
        if done:
            self.message_user(
                request,
                f"Cancelled {len(done)} batch(es): {', '.join(map(str, done))}; {sum(cancelled):,} waiting jobs "
                "cancelled. Calls in progress finish normally.",
            )
        return None


for _count, _label, _status in COUNT_COLUMNS:
    setattr(BatchAdmin, column_name(_count), count_column(_count, _label, _status))
