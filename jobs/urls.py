from django.urls import re_path

from jobs.export_views import JobExportView
from jobs.views import JobViewSet
from speechai.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("jobs", JobViewSet, basename="job")

# Before the router's `jobs/{job_id}`, which would take "export" for an id.
urlpatterns = [re_path(r"^jobs/export/?$", JobExportView.as_view(), name="job-export"), *router.urls]
