"""The intake endpoints: campaigns created from a contact file (multipart).

Every refusal is a JSON 4xx `{"detail", "message", ...}` naming the
problem (413 past the size limit, before the body is read when the
request says its length); a database failure midway is a 503 that names
the batch left `import_status: "failed"`."""

import functools

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from audit.models import AuditSource
from batches import selectors
from batches.intake.errors import IntakeError
from batches.intake.services import NewBatch, Request, Upload, import_file, preview
from batches.intake_serializers import (
    USE_CASES,
    CreateFormSerializer,
    CreateResponseSerializer,
    IntakeErrorSerializer,
    PreviewFormSerializer,
    PreviewQuerySerializer,
    PreviewResponseSerializer,
    UploadFormSerializer,
    UploadResponseSerializer,
    UseCaseFormSerializer,
    UseCaseResponseSerializer,
    UseCasesSerializer,
)
from batches.permissions import CanAddBatches, CanChangeBatches
from batches.serializers import BatchSerializer
from speechai.authentication import actor_name
from speechai.bson_json import to_json
from speechai.permissions import IsAuthenticatedOrOpenAPI

MULTIPART_OVERHEAD = 1024 * 1024  # the form's other fields and boundaries
COUNTRY_OF_PATH = {"chile": "CL", "argentina": "AR"}


def _error(description):
    return OpenApiResponse(IntakeErrorSerializer, description=description)


INTAKE_ERRORS = {
    400: _error(
        "Bad form field, or a file that cannot be imported (format, missing columns, no callable row, "
        "too many rows/columns/contacts, a cell too long, a zip bomb...): the message names the problem"
    ),
    401: _error("No or invalid credentials"),
    403: _error("Missing permission"),
    404: _error("Account (or batch) not found"),
    409: _error("Account suspended, insufficient balance, or batch cancelled/deleted"),
    413: _error("The file is larger than INTAKE_MAX_FILE_BYTES (20 MB by default)"),
}
WRITE_ERRORS = {**INTAKE_ERRORS, 503: _error("The database failed midway: the batch is left import_status=failed")}


def problem(message, code, **extra):
    return Response({"detail": message, "message": message, **extra}, status=code)


def intake_endpoint(view):
    """Size guard before the body is read; form errors and IntakeErrors as JSON."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        limit = settings.INTAKE_MAX_FILE_BYTES
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD:
            return problem(f"The request has {int(declared):,} bytes; the file limit is {limit:,} bytes.", 413)
        try:
            return view(request, *args, **kwargs)
        except RequestDataTooBig:
            return problem("The form's fields are too large.", 413)
        except TooManyFieldsSent:
            return problem("The form has too many fields.", 400)
        except ValidationError as exc:
            return problem(_first_message(exc.detail), 400, errors=exc.detail)
        except IntakeError as exc:
            return problem(exc.message, exc.status, **exc.extra)

    return wrapper


def _first_message(detail):
    if isinstance(detail, dict):
        name, value = next(iter(detail.items()))
        return f"{name}: {_first_message(value)}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def form(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer, serializer.validated_data


def upload_of(data):
    uploaded = data["file"]
    return Upload(uploaded.file, uploaded.name)


def created_response(result, processing_type, **extra):
    batch = selectors.with_live_counts([selectors.batch_get(result["batch_id"])])[0]
    batch_name = batch.get("name")
    return Response(
        {
            "success": True,
            "message": f"Batch '{batch_name}' creado exitosamente con procesamiento {processing_type}",
            "batch_id": result["batch_id"],
            "batch_name": batch_name,
            "processing_type": processing_type,
            "total_jobs": result["jobs_created"],
            "jobs_created": result["jobs_created"],
            "contacts_processed": result["contacts_processed"],
            "duplicates_skipped": result["duplicates_skipped"],
            "invalid_rows": result["invalid_rows"],
            "estimated_cost": result["estimated_cost"],
            "errors": result["errors"],
            "batch": BatchSerializer(batch).data,
            **extra,
        },
        status=status.HTTP_201_CREATED,
    )


MULTIPART = "multipart/form-data"


@extend_schema(
    summary="Preview a contact file (writes nothing)",
    operation_id="batches_excel_preview",
    tags=["intake"],
    request={MULTIPART: PreviewFormSerializer},
    parameters=[PreviewQuerySerializer],
    responses={200: PreviewResponseSerializer, **INTAKE_ERRORS},
    description="Reads the file as the import would: detected columns, sample rows, sample jobs as they would be "
    "stored, duplicates (people with an unfinished job of the account) and row errors.",
)
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
@permission_classes([IsAuthenticatedOrOpenAPI])
@intake_endpoint
def excel_preview(request):
    # The query's account_id is checked whenever sent, and used when the form has none.
    query = PreviewQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = dict(request.data.items())
    if "account_id" not in data and "account_id" in query.validated_data:
        data["account_id"] = query.validated_data["account_id"]
    serializer = PreviewFormSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    if not serializer.validated_data.get("account_id"):
        raise ValidationError({"account_id": ["This field is required."]})
    upload = upload_of(serializer.validated_data)
    body, errors = preview(upload, Request(serializer.validated_data["account_id"]))
    # to_json: the sample jobs' datetimes as ISO UTC with Z, like every document the API shows.
    return Response(to_json({"success": True, "filename": upload.name, "preview": body, "errors": errors}))


@extend_schema(
    summary="Create a campaign from a contact file",
    operation_id="batches_excel_create",
    tags=["intake"],
    request={MULTIPART: CreateFormSerializer},
    responses={201: CreateResponseSerializer, **WRITE_ERRORS},
    description="The whole file is validated first (a refused file writes nothing). The batch is created with "
    "import_status=importing, its jobs inserted as `scheduled` and released to `pending` in one update once all "
    "are in. Needs the batches.add_batch permission.",
)
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
@permission_classes([CanAddBatches])
@intake_endpoint
def excel_create(request):
    serializer, data = form(CreateFormSerializer, request)
    batch = NewBatch(
        name=data.get("batch_name", ""),
        description=data.get("batch_description", ""),
        priority=data["priority"],
        call_settings=data.get("call_settings_json"),
        is_active=not data["start_paused"],
    )
    result = import_file(
        upload_of(data),
        Request(data["account_id"], serializer.options(data)),
        actor=actor_name(request),
        source=AuditSource.API,
        new_batch=batch,
    )
    return created_response(result, data["processing_type"])


@extend_schema(
    summary="Add a contact file's jobs to a batch",
    operation_id="batches_upload",
    tags=["intake"],
    parameters=[OpenApiParameter("batch_id", str, OpenApiParameter.PATH, description="ObjectId or batch_id")],
    request={MULTIPART: UploadFormSerializer},
    responses={200: UploadResponseSerializer, **WRITE_ERRORS},
    description="Same pipeline, into an existing batch of the file's account (its account decides the country). "
    "A batch left import_status=failed is completed by uploading the same file again. 409 for a cancelled batch. "
    "Needs the batches.change_batch permission.",
)
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
@permission_classes([CanChangeBatches])
@intake_endpoint
def batch_upload(request, batch_id):
    serializer, data = form(UploadFormSerializer, request)
    result = import_file(
        upload_of(data),
        Request(None, serializer.options(data)),
        actor=actor_name(request),
        source=AuditSource.API,
        batch_ref=batch_id,
    )
    return Response(
        {
            "success": True,
            "message": f"Added {result['jobs_created']} jobs to batch {result['batch_id']}",
            "jobs_added": result["jobs_created"],
            "duplicates_skipped": result["duplicates_skipped"],
            "invalid_rows": result["invalid_rows"],
            "errors": result["errors"],
        }
    )


@extend_schema(
    summary="Create a Chilean or Argentine campaign for a use case",
    operation_id="batches_country_use_case",
    tags=["intake"],
    parameters=[
        OpenApiParameter("country", str, OpenApiParameter.PATH, enum=list(COUNTRY_OF_PATH)),
        OpenApiParameter("use_case", str, OpenApiParameter.PATH, enum=list(USE_CASES)),
    ],
    request={MULTIPART: UseCaseFormSerializer},
    responses={201: UseCaseResponseSerializer, **WRITE_ERRORS},
    description="The same pipeline with the country forced (phones and national ids by its rules). marketing "
    "needs no debt amount and stores the offer fields in payload.additional_info. Needs batches.add_batch.",
)
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
@permission_classes([CanAddBatches])
@intake_endpoint
def country_use_case(request, country, use_case):
    if use_case not in USE_CASES:
        raise IntakeError(f"Caso de uso '{use_case}' no válido. Disponibles: {list(USE_CASES)}")
    serializer, data = form(UseCaseFormSerializer, request)
    code = COUNTRY_OF_PATH[country]
    adjective = "chileno" if code == "CL" else "argentino"
    batch = NewBatch(
        name=data.get("batch_name") or f"{country.capitalize()} {use_case.replace('_', ' ').title()} Batch",
        description=data.get("batch_description", ""),
    )
    result = import_file(
        upload_of(data),
        Request(data["account_id"], serializer.options_for(data, use_case), country=code),
        actor=actor_name(request),
        source=AuditSource.API,
        new_batch=batch,
    )
    response = created_response(
        result,
        "basic",
        use_case=use_case,
        country=code,
        stats={
            "total_records_normalized": result["contacts_processed"],
            "jobs_created": result["jobs_created"],
            "processing_type": "basic",
        },
    )
    response.data["message"] = f"Batch {adjective} de {use_case} creado exitosamente"
    return response


@extend_schema(
    summary="The use cases of the country endpoints",
    operation_id="use_cases",
    tags=["intake"],
    responses={200: UseCasesSerializer, 401: _error("No or invalid credentials")},
)
@api_view(["GET"])
@permission_classes([IsAuthenticatedOrOpenAPI])
def use_cases(request):
    return Response(
        {
            "success": True,
            "use_cases": list(USE_CASES),
            "description": USE_CASES,
            "countries": {name: f"/api/v1/batches/{name}/{{use_case}}" for name in COUNTRY_OF_PATH},
        }
    )
