from accounts.views import AccountViewSet
from speechai.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("accounts", AccountViewSet, basename="account")

urlpatterns = router.urls
