from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views import defaults
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from speechai.bson_json import format_datetime
from speechai.database_breaker import breaker
from speechai.exceptions import error_body
from speechai.middleware import ERROR_DETAILS, is_json_path
from speechai.mongo import utc_now
from speechai.parsers import too_large_detail
from speechai.serializers import HealthSerializer, RootSerializer


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


@extend_schema(summary="What this server is", tags=["health"], responses={200: RootSerializer}, auth=[])
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def root(request):
    return Response(
        {
            "name": "SpeechAI back office",
            "version": settings.SPECTACULAR_SETTINGS["VERSION"],
            "docs": "/docs",
            "api": "/api/v1",
            "health": "/health",
        }
    )


def bad_request(request, exception):
    """Requests Django itself refuses (a body over DATA_UPLOAD_MAX_MEMORY_SIZE,
    an unknown Host...): JSON under /api/, Django's page elsewhere."""
    if not is_json_path(request.path):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(error_body(too_large_detail()), status=413)
    return JsonResponse(error_body(ERROR_DETAILS[400], errors={}), status=400)


def not_found(request, exception):
    """URLs no route matches: JSON under /api/, Django's page elsewhere."""
    if is_json_path(request.path):
        return JsonResponse(error_body(ERROR_DETAILS[404]), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_json_path(request.path):
        return JsonResponse(error_body(ERROR_DETAILS[500]), status=500)
    return defaults.server_error(request)
