from django.db import connections
from drf_spectacular.utils import extend_schema
from pymongo.errors import PyMongoError
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from speechai.bson_json import format_datetime
from speechai.mongo import utc_now
from speechai.serializers import HealthSerializer


@extend_schema(summary="Service health", responses={200: HealthSerializer, 503: HealthSerializer}, auth=[])
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
