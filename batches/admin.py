"""The supervisors' view of `batches` (campaigns): state (batches/states.py),
live job counts by status (one grouped aggregation per page), links to each
batch's jobs, and the actions of batches/admin_actions.py."""

from bson import ObjectId
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from audit.models import AuditSource
from batches import services
from batches.admin_actions import BatchActionsMixin
from batches.admin_intake import IntakeAdminMixin
from batches.models import Batch
from batches.selectors import batch_ids_in_state, custom_id_of
from batches.states import BatchState, batch_state
from jobs.counts import NO_JOBS, job_counts
from jobs.recent_counts import BATCH_VERSION_FIELDS, batch_version, recent_job_counts
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


STATE_COLOURS = {
    BatchState.ACTIVE: "#16a34a",
    BatchState.PAUSED: "#d97706",
    BatchState.COMPLETED: "#2563eb",
    BatchState.IMPORTING: "#7c3aed",
}


def state_of(batch, counts):
    """(label, colour) of a Batch instance's state."""
    document = {
        "deleted_at": batch.deleted_at,
        "cancelled_at": batch.cancelled_at,
        "is_active": batch.is_active,
        "import_status": getattr(batch, "import_status", None),
        "closing": getattr(batch, "closing", None),
    }
    state = batch_state(document, counts)
    return BatchState(state).label, STATE_COLOURS.get(state, "#6b7280")


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return BatchState.choices

    def queryset(self, request, queryset):
        if self.value() in BatchState.values:
            # Only ObjectId keys: the admin cannot address a batch whose `_id`
            # a worker stored as a string or a number.
            ids = [pk for pk in batch_ids_in_state(self.value()) if isinstance(pk, ObjectId)]
            return queryset.filter(pk__in=ids)
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
        aggregation for the whole page (none for batches counted within
        LIVE_COUNTS_SECONDS and unchanged), never a query per row; and the
        stored fields the state needs that the model does not declare."""
        super().get_results(request)
        self.result_list = list(self.result_list)
        stored = {
            d["_id"]: d
            for d in collection(Batch).find(
                {"_id": {"$in": [batch.pk for batch in self.result_list]}},
                ["batch_id", "import_status", "closing", *BATCH_VERSION_FIELDS],
            )
        }
        counts = recent_job_counts(
            {batch_id: batch_version(d) for d in stored.values() if (batch_id := custom_id_of(d))}
        )
        for batch in self.result_list:
            document = stored.get(batch.pk, {})
            batch.live_counts = counts.get(custom_id_of(document), NO_JOBS)
            batch.import_status = document.get("import_status")
            batch.closing = document.get("closing")


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
class BatchAdmin(SelectionGuardMixin, IntakeAdminMixin, BatchActionsMixin, admin.ModelAdmin):
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
    actions = ["pause_batches", "resume_batches", "cancel_batches", "restore_batches"]
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
            try:
                services.update_batch(str(obj.pk), changes, actor=request.user.get_username(), source=AuditSource.ADMIN)
            except (services.BatchStateConflict, services.BatchNotFound) as refused:
                self.message_user(request, f"Nothing saved: {refused}.", messages.ERROR)

    @admin.display(description="State")
    def state(self, batch):
        counts = getattr(batch, "live_counts", None)
        if counts is None:  # the change form: one batch
            counts = job_counts([batch.batch_id]).get(batch.batch_id, NO_JOBS)
            stored = collection(Batch).find_one({"_id": batch.pk}, {"import_status": 1, "closing": 1}) or {}
            batch.import_status, batch.closing = stored.get("import_status"), stored.get("closing")
        return badge(*state_of(batch, counts))

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


for _count, _label, _status in COUNT_COLUMNS:
    setattr(BatchAdmin, column_name(_count), count_column(_count, _label, _status))
