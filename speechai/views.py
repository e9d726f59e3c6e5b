from django.conf import settings
from django.http import JsonResponse
from django.views import defaults
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from speechai.bson_json import format_datetime
from speechai.database_breaker import breaker
from speechai.mongo import utc_now
from speechai.serializers import HealthSerializer


@extend_schema(
    summary="Service health", tags=["health"], responses={200: HealthSerializer, 503: HealthSerializer}, auth=[]
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def health(request):
    # Its own short timeout (MONGODB_PROBE_TIMEOUT_MS), whatever the breaker
    # says; the outcome opens or closes the breaker for the other requests.
    if breaker.check(settings.MONGODB_PROBE_TIMEOUT_MS):
        body, status_code = {"status": "healthy", "database": "connected"}, 200
    else:
        body, status_code = {"status": "unhealthy", "database": "unreachable"}, 503
    return Response({**body, "timestamp": format_datetime(utc_now())}, status=status_code)


def is_api_request(request):
    return request.path.startswith("/api/")


def not_found(request, exception):
    """URLs no route matches: JSON under /api/, Django's page elsewhere."""
    if is_api_request(request):
        return JsonResponse({"detail": "Not found: no such API endpoint."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api_request(request):
        return JsonResponse({"detail": "Internal server error."}, status=500)
    return defaults.server_error(request)
