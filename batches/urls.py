from django.urls import re_path

from batches import intake_views
from batches.views import BatchViewSet, dashboard_stats
from speechai.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("batches", BatchViewSet, basename="batch")

# Intake routes first: "batches/excel/..." must not be read as a batch id.
intake_urlpatterns = [
    re_path(r"^batches/excel/preview/?$", intake_views.excel_preview, name="batch-excel-preview"),
    re_path(r"^batches/excel/create/?$", intake_views.excel_create, name="batch-excel-create"),
    re_path(
        r"^batches/(?P<country>chile|argentina)/(?P<use_case>[^/]+)/?$",
        intake_views.country_use_case,
        name="batch-country-use-case",
    ),
    re_path(r"^batches/(?P<batch_id>[^/]+)/upload/?$", intake_views.batch_upload, name="batch-upload"),
    re_path(r"^use-cases/?$", intake_views.use_cases, name="use-cases"),
]

urlpatterns = [
    *intake_urlpatterns,
    *router.urls,
    re_path(r"^dashboard/stats/?$", dashboard_stats, name="dashboard-stats"),
]
