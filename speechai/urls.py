from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from speechai.views import health, root

handler400 = "speechai.views.bad_request"
handler404 = "speechai.views.not_found"
handler500 = "speechai.views.server_error"

urlpatterns = [
    path("", root, name="root"),
    path("health", health, name="health"),
    path("api/v1/", include("jobs.urls")),
    path("api/v1/", include("batches.urls")),
    path("api/v1/", include("accounts.urls")),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("admin/", admin.site.urls),
]
