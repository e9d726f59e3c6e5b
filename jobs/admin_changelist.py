"""The jobs changelist at scale: estimated totals when unfiltered, pages read
with an index-served find, search on indexed fields only."""

from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property

from jobs.models import Job
from speechai.mongo import collection, instances_from_documents, object_id_or_none, queryset_filter, queryset_sort


class JobPaginator(Paginator):
    """Paging that stays cheap on a large `jobs` collection.

    The count of an unfiltered list comes from the collection's metadata
    (constant time) instead of a scan; filtered lists are counted exactly,
    on indexed filters. A page is read with a plain find (filter, sort,
    skip, limit) so that MongoDB serves the sort from an index: the ORM's
    pipeline puts an $addFields before its $sort, and a $sort after any
    stage but $match sorts every matching document in memory."""

    @cached_property
    def count(self):
        if not self.object_list.query.has_filters():
            return collection(Job).estimated_document_count()
        query = queryset_filter(self.object_list)
        return collection(Job).count_documents(query) if query is not None else 0

    def page(self, number):
        number = self.validate_number(number)
        rows = self.rows(skip=(number - 1) * self.per_page, limit=self.per_page + self.orphans)
        return self._get_page(rows, number, self)

    def rows(self, skip=0, limit=0):
        """Jobs of the list as model instances."""
        query = queryset_filter(self.object_list)
        if query is None:
            return []
        sort = queryset_sort(self.object_list)
        return instances_from_documents(Job, collection(Job).find(query, sort=sort, skip=skip, limit=limit))


class JobChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        if isinstance(self.result_list, QuerySet):  # one page only, or "show all"
            self.result_list = self.paginator.rows(limit=self.list_max_show_all)

    def get_ordering(self, request, queryset):
        ordering = super().get_ordering(request, queryset)
        # Ties by _id in created_at's direction: the (created_at, _id) index
        # then serves both "newest first" and "oldest first".
        if ordering[:1] == ["created_at"]:
            return ["created_at", "pk"]
        return ordering


def job_search(term):
    """Exact job_id, ObjectId, phone or DNI; contact name from its start
    (any case). Every clause is on an indexed field, so is the whole $or."""
    condition = Q(job_id=term) | Q(to_number=term) | Q(contact__dni=term) | Q(contact__name__istartswith=term)
    if term.isdigit():
        condition |= Q(to_number=f"+{term}")
    if (oid := object_id_or_none(term)) is not None:
        condition |= Q(pk=oid)
    return condition
