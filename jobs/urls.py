from rest_framework.routers import SimpleRouter

from jobs.views import JobViewSet

# "/?": paths work with or without a trailing slash, never redirected.
router = SimpleRouter(trailing_slash="/?")
router.register("jobs", JobViewSet, basename="job")

urlpatterns = router.urls
