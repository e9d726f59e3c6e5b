"""The jobs export, from the API (`GET /api/v1/jobs/export`) and from the
admin changelist ("Export CSV / XLSX" of the current filter): both stream
jobs/exports.py over the filter their list would show."""

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from audit.models import AuditSource
from jobs.admin_changelist import JobChangeList
from jobs.exports import FORMATS, export_jobs, filename
from jobs.permissions import CanViewJobs
from jobs.selectors import job_list_filter
from jobs.serializers import JobListQuerySerializer
from speechai.mongo import queryset_filter, utc_now
from speechai.serializers import ErrorSerializer, ValidationErrorSerializer


def export_response(query, export_format, *, actor, source, description=None):
    content_type, _ = FORMATS[export_format]
    response = StreamingHttpResponse(
        export_jobs(query, export_format, actor=actor, source=source, description=description),
        content_type=content_type,
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(export_format, utc_now())}"'
    response["Cache-Control"] = "no-store"
    return response


class JobExportQuerySerializer(JobListQuerySerializer):
    """The list's filters (not its paging: every matching job is exported)."""

    skip = None
    limit = None
    format = serializers.ChoiceField(choices=sorted(FORMATS), help_text="csv (UTF-8 with BOM) or xlsx")


class JobExportView(APIView):
    permission_classes = [CanViewJobs]

    def perform_content_negotiation(self, request, force=False):
        # `format` names the file format here, not a DRF renderer; errors are JSON.
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(
        tags=["jobs"],
        operation_id="jobs_export",
        summary="Export jobs (CSV or XLSX)",
        parameters=[JobExportQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV, UTF-8 with BOM"),
            (200, FORMATS["xlsx"][0]): OpenApiResponse(OpenApiTypes.BINARY, description="An XLSX workbook"),
            (400, "application/json"): OpenApiResponse(ValidationErrorSerializer, description="Invalid filter"),
            (401, "application/json"): OpenApiResponse(ErrorSerializer, description="No or invalid credentials"),
            (403, "application/json"): OpenApiResponse(ErrorSerializer, description="Missing permission"),
        },
        description="Every job the filters of `GET /jobs` select (cancelled ones only when `status` names them), "
        "not one page, newest first, streamed. Columns: name, national id, phone, campaign, status, attempts, "
        "last outcome, disconnection reason, call time (UTC), duration (s), payment promise date and amount, "
        "cost (USD). CSV cells starting with =, +, -, @, tab or CR are prefixed with '; XLSX cells are typed "
        "(never formulas). Needs the view-jobs permission; each export is audited.",
    )
    def get(self, request):
        params = JobExportQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = dict(params.validated_data)
        export_format = filters.pop("format")
        user = request.user
        return export_response(
            job_list_filter(**filters),
            export_format,
            actor=user.get_username() if user.is_authenticated else "anonymous",
            source=AuditSource.API,
            description=dict(request.query_params.items()),
        )


class ExportChangeList(JobChangeList):
    """The changelist's filtering without reading a page."""

    def get_results(self, request):
        self.result_count = self.full_result_count = None
        self.result_list = []
        self.can_show_all = self.multi_page = False


class JobExportAdminMixin:
    """Adds `<changelist>/export/<csv|xlsx>/` to the jobs admin: the current
    filter, search and status view, every matching row."""

    def get_urls(self):
        view = self.admin_site.admin_view(self.export_view)
        return [path("export/<str:export_format>/", view, name="jobs_job_export"), *super().get_urls()]

    def export_view(self, request, export_format):
        changelist_url = reverse("admin:jobs_job_changelist")
        if not self.has_view_permission(request):
            messages.error(request, "You may not view jobs, so you may not export them.")
            return HttpResponseRedirect(reverse("admin:index"))
        if export_format not in FORMATS:
            messages.error(request, f"Unknown export format {export_format!r}: csv or xlsx.")
            return HttpResponseRedirect(changelist_url)
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            messages.error(request, "The list's filters are not valid; nothing exported.")
            return HttpResponseRedirect(changelist_url)
        query = queryset_filter(changelist.get_queryset(request))
        return export_response(
            query if query is not None else {"_id": {"$exists": False}},
            export_format,
            actor=request.user.get_username(),
            source=AuditSource.ADMIN,
            description=dict(request.GET.items()),
        )

    def get_changelist(self, request, **kwargs):
        """The jobs changelist (scaled for a large collection); without its page for an export."""
        if request.resolver_match and request.resolver_match.url_name == "jobs_job_export":
            return ExportChangeList
        return JobChangeList
