from jobs.views import JobViewSet
from speechai.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("jobs", JobViewSet, basename="job")

urlpatterns = router.urls
