"""Filters of the jobs changelist. Each one filters on an indexed field of
`jobs` and none costs a query per choice (Django's generic per-filter facets
stay off: they would count every choice with a subquery)."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Q

from jobs.models import FINISHED_OK_STATUSES, Job, JobStatus, batch_collection
from jobs.recent_counts import recent_status_counts
from jobs.selectors import batch_custom_id
from speechai.mongo import queryset_filter

# The batches model, through the foreign key (the jobs app imports nothing of batches).
Batch = Job._meta.get_field("batch").related_model

# (parameter value, label, statuses): the lifecycle views of the changelist.
STATUS_VIEWS = [
    *(
        (s.value, s.label, (s,))
        for s in (JobStatus.PENDING, JobStatus.SCHEDULED, JobStatus.IN_PROGRESS, JobStatus.FAILED)
    ),
    ("done", "Done / completed", FINISHED_OK_STATUSES),
    *((s.value, s.label, (s,)) for s in (JobStatus.SUSPENDED, JobStatus.CANCELLED)),
]
STATUSES_OF_VIEW = {value: [str(s) for s in statuses] for value, _, statuses in STATUS_VIEWS}


class StatusViewFilter(admin.SimpleListFilter):
    """One-click views per lifecycle state with their counts: one grouped
    aggregation over the jobs the other filters and the search select,
    remembered while no batch changes (jobs/recent_counts.py)."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(value, label) for value, label, _ in STATUS_VIEWS]

    def queryset(self, request, queryset):
        if self.value() in STATUSES_OF_VIEW:
            return queryset.filter(status__in=STATUSES_OF_VIEW[self.value()])
        return queryset

    def choices(self, changelist):
        others = changelist.get_queryset(self.request, exclude_parameters=self.expected_parameters())
        query = queryset_filter(others)
        counts = recent_status_counts(query) if query is not None else {}
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": f"All ({sum(counts.values()):,})",
        }
        for value, label, statuses in STATUS_VIEWS:
            count = sum(counts.get(str(status), 0) for status in statuses)
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": f"{label} ({count:,})",
            }


class BatchFilter(admin.SimpleListFilter):
    """The batch, picked with the admin's autocomplete (batches are searched
    as you type, never listed all); either id form works in the URL."""

    title = "batch"
    parameter_name = "batch"
    template = "admin/jobs/job/batch_filter.html"

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(batch_id=batch_custom_id(self.value()))
        return queryset

    @staticmethod
    def widget(admin_site):
        return AutocompleteSelect(Job._meta.get_field("batch"), admin_site)

    def choices(self, changelist):
        field = forms.ModelChoiceField(
            Batch.objects.all(),
            to_field_name="batch_id",
            required=False,
            widget=self.widget(changelist.model_admin.admin_site),
        )
        selected = batch_custom_id(self.value()) if self.value() else None
        yield {
            "widget": field.widget.render(self.parameter_name, selected, attrs={"id": "batch-filter"}),
            "selected": selected,
            "query_string": changelist.get_query_string(remove=[self.parameter_name, "p"]),
        }


class AccountFilter(admin.SimpleListFilter):
    title = "account"
    parameter_name = "account"

    def lookups(self, request, model_admin):
        # The accounts of the batches: a small collection, where the jobs'
        # own accounts would cost a pass over the jobs' index. An account in
        # the URL is listed even when no batch has it. Read once per request
        # although the changelist builds its filters twice.
        if not hasattr(request, "_job_accounts"):
            accounts = {a for a in batch_collection().distinct("account_id") if isinstance(a, str) and a}
            if self.value():
                accounts.add(self.value())
            request._job_accounts = sorted(accounts)
        return [(account, account) for account in request._job_accounts]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(account_id=self.value())
        return queryset


class CreatedDateRangeFilter(admin.ListFilter):
    """Created from / to (inclusive days, UTC), on the indexed created_at."""

    title = "created"
    template = "admin/jobs/job/date_range_filter.html"
    parameters = ("created_from", "created_to")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.dates = {}
        for name in self.parameters:
            if name not in params:
                continue
            raw = params.pop(name)[-1]
            if not raw.strip():
                continue
            self.used_parameters[name] = raw
            try:
                self.dates[name] = datetime.date.fromisoformat(raw.strip())
            except ValueError:
                messages.error(request, f"Ignored {name}={raw!r}: not a date (YYYY-MM-DD).")

    def has_output(self):
        return True

    def expected_parameters(self):
        return list(self.parameters)

    def queryset(self, request, queryset):
        condition = Q()
        if "created_from" in self.dates:
            condition &= Q(created_at__gte=self._midnight(self.dates["created_from"]))
        if "created_to" in self.dates:
            condition &= Q(created_at__lt=self._midnight(self.dates["created_to"] + datetime.timedelta(days=1)))
        return queryset.filter(condition)

    @staticmethod
    def _midnight(day):
        return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)

    def choices(self, changelist):
        kept = {k: v for k, v in changelist.params.items() if k not in self.parameters}
        yield {
            "created_from": self.used_parameters.get("created_from", ""),
            "created_to": self.used_parameters.get("created_to", ""),
            "kept_params": sorted(kept.items()),
            "selected": bool(self.used_parameters),
            "query_string": changelist.get_query_string(remove=[*self.parameters, "p"]),
        }
