from django.core.exceptions import RequestDataTooBig
from django.db import connections
from django.http import JsonResponse
from django.views import defaults
from drf_spectacular.utils import extend_schema
from pymongo.errors import PyMongoError
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from speechai.bson_json import format_datetime
from speechai.mongo import utc_now
from speechai.parsers import too_large_detail
from speechai.serializers import HealthSerializer


@extend_schema(
    summary="Service health", tags=["health"], responses={200: HealthSerializer, 503: HealthSerializer}, auth=[]
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def health(request):
    try:
        connections["default"].database.command("ping")
    except PyMongoError:
        body, status_code = {"status": "unhealthy", "database": "unreachable"}, 503
    else:
        body, status_code = {"status": "healthy", "database": "connected"}, 200
    return Response({**body, "timestamp": format_datetime(utc_now())}, status=status_code)


def is_api_request(request):
    return request.path.startswith("/api/")


def bad_request(request, exception):
    """Requests Django itself refuses (a body over DATA_UPLOAD_MAX_MEMORY_SIZE,
    an unknown Host...): JSON under /api/, Django's page elsewhere."""
    if not is_api_request(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": too_large_detail()}, status=413)
    return JsonResponse({"detail": "Bad request.", "errors": {}}, status=400)


def not_found(request, exception):
    """URLs no route matches: JSON under /api/, Django's page elsewhere."""
    if is_api_request(request):
        return JsonResponse({"detail": "Not found: no such API endpoint."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api_request(request):
        return JsonResponse({"detail": "Internal server error."}, status=500)
    return defaults.server_error(request)
