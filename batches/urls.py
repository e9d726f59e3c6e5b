from django.urls import re_path

from batches.views import BatchViewSet, dashboard_stats
from speechai.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("batches", BatchViewSet, basename="batch")

urlpatterns = [
    *router.urls,
    re_path(r"^dashboard/stats/?$", dashboard_stats, name="dashboard-stats"),
]
