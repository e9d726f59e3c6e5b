"""The supervisors' view of `batches` (campaigns)."""

from django.contrib import admin
from django.db.models import Q

from batches.models import Batch
from speechai.mongo import object_id_or_none


def batch_search(term):
    """Exact ObjectId, batch_id from its start, or a part of the name."""
    condition = Q(batch_id__startswith=term) | Q(name__icontains=term)
    if (oid := object_id_or_none(term)) is not None:
        condition |= Q(pk=oid)
    return condition


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ["batch_id", "name", "account_id", "is_active", "priority", "created_at"]
    search_fields = ["batch_id"]  # shows the search box (and serves the jobs' batch autocomplete)
    ordering = ["-created_at", "-pk"]
    show_facets = admin.ShowFacets.NEVER

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(batch_search(term)), False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
