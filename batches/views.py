from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from batches import lifecycle, selectors, services
from batches.permissions import CanAddBatches, CanChangeBatches, CanDeleteBatches
from batches.serializers import (
    BatchCancelledSerializer,
    BatchCreatedSerializer,
    BatchCreateSerializer,
    BatchDeletedSerializer,
    BatchDeleteQuerySerializer,
    BatchJobListQuerySerializer,
    BatchListQuerySerializer,
    BatchReasonSerializer,
    BatchRestoredSerializer,
    BatchSerializer,
    BatchStatusSerializer,
    BatchSummarySerializer,
    BatchUpdatedSerializer,
    BatchUpdateSerializer,
    DashboardQuerySerializer,
    DashboardStatsSerializer,
)
from batches.states import batch_state
from jobs import selectors as job_selectors
from jobs.counts import NO_JOBS
from jobs.serializers import JobSerializer
from speechai.authentication import actor_name
from speechai.exceptions import Conflict
from speechai.permissions import IsAuthenticatedOrOpenAPI
from speechai.serializers import AUTH_ERRORS, BAD_REQUEST, READ_AUTH_ERRORS, ConflictSerializer, ErrorSerializer

BATCH_ID_PARAMETER = OpenApiParameter(
    "batch_id", str, OpenApiParameter.PATH, description="The batch's 24-hex ObjectId or its custom batch_id"
)
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="Batch not found (unknown or deleted)")}
CONFLICT = {409: OpenApiResponse(ConflictSerializer, description="The batch's state does not allow the action")}
BATCH_NOT_FOUND = "Batch not found"


def valid_data(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def live_batch(batch_id):
    document = selectors.batch_get(batch_id)
    if document is None:
        raise NotFound(BATCH_NOT_FOUND)
    return document


def batch_action(service, batch_id, *args, **kwargs):
    try:
        return service(batch_id, *args, **kwargs)
    except services.BatchNotFound:
        raise NotFound(BATCH_NOT_FOUND) from None
    except services.BatchStateConflict as conflict:
        raise Conflict(str(conflict), conflict.state) from None


def reason_from(request):
    """`reason` from the JSON body, else from the query string; both optional,
    each validated (no body is {}; a JSON null or array is refused)."""
    if not isinstance(request.data, dict):
        raise ValidationError("The body must be a JSON object.")
    in_query = valid_data(BatchReasonSerializer, request.query_params)
    return {**in_query, **valid_data(BatchReasonSerializer, request.data)}.get("reason")


@extend_schema_view(
    list=extend_schema(
        summary="List batches",
        parameters=[BatchListQuerySerializer],
        responses={200: BatchSerializer(many=True), **BAD_REQUEST, **READ_AUTH_ERRORS},
        description="Newest first (created_at, then _id); deleted batches are not listed. Each batch carries "
        "live job counts: one aggregation for the whole page.",
    ),
    create=extend_schema(
        summary="Create an empty batch",
        request=BatchCreateSerializer,
        responses={201: BatchCreatedSerializer, **BAD_REQUEST, **AUTH_ERRORS},
        description="Active, no jobs, a generated batch_id (batch-YYYYMMDD-<8 hex>). Unknown keys are ignored; "
        "null values count as absent. Needs the batches.add_batch permission.",
    ),
    retrieve=extend_schema(
        summary="Get a batch",
        parameters=[BATCH_ID_PARAMETER],
        responses={200: BatchSerializer, **READ_AUTH_ERRORS, **NOT_FOUND},
        description="The stored document, call_settings included, with live job counts.",
    ),
    partial_update=extend_schema(
        summary="Pause, resume or update a batch",
        parameters=[BATCH_ID_PARAMETER],
        request=BatchUpdateSerializer,
        responses={200: BatchUpdatedSerializer, **BAD_REQUEST, **AUTH_ERRORS, **NOT_FOUND, **CONFLICT},
        description='Pause: {"is_active": false}; resume: {"is_active": true}, only from active, paused or '
        "completed (409 otherwise: a cancelled batch is never resumed). Other fields: any state but deleted. "
        "Only the keys sent (and updated_at) are written; other keys, an empty body or invalid values are a "
        "400. Null values count as absent. Jobs are not touched. Needs the batches.change_batch permission.",
    ),
    destroy=extend_schema(
        summary="Delete a batch",
        parameters=[BATCH_ID_PARAMETER, BatchDeleteQuerySerializer],
        request=None,
        responses={200: BatchDeletedSerializer, **BAD_REQUEST, **AUTH_ERRORS, **NOT_FOUND, **CONFLICT},
        description="delete_jobs=false (default): soft delete; the batch is marked deleted and inactive and "
        "disappears from the API (404 afterwards), its pending/scheduled/failed jobs are cancelled "
        '(reason "Batch deleted" or `reason`), in-progress and finished jobs are kept; returns jobs_cancelled. '
        "delete_jobs=true: the batch and all its jobs are removed (a soft-deleted batch can be purged too); "
        "returns jobs_deleted. Needs the batches.delete_batch permission.",
    ),
)
@extend_schema(tags=["batches"])
class BatchViewSet(viewsets.ViewSet):
    lookup_field = "batch_id"
    lookup_value_regex = "[^/]+"

    def get_permissions(self):
        if self.action == "create":
            return [CanAddBatches()]
        if self.action in ("partial_update", "cancel", "restore"):
            return [CanChangeBatches()]
        if self.action == "destroy":
            return [CanDeleteBatches()]
        return [IsAuthenticatedOrOpenAPI()]

    def list(self, request):
        query = valid_data(BatchListQuerySerializer, request.query_params)
        return Response(BatchSerializer(selectors.batch_list(**query), many=True).data)

    def create(self, request):
        document = services.create_batch(actor=actor_name(request), **valid_data(BatchCreateSerializer, request.data))
        batch = BatchSerializer({**document, **NO_JOBS, "status": batch_state(document, NO_JOBS)}).data
        return Response({"success": True, "batch": batch}, status=status.HTTP_201_CREATED)

    def retrieve(self, request, batch_id):
        return Response(BatchSerializer(selectors.with_live_counts([live_batch(batch_id)])[0]).data)

    def partial_update(self, request, batch_id):
        changes = valid_data(BatchUpdateSerializer, request.data)
        custom_id = batch_action(services.update_batch, batch_id, changes, actor=actor_name(request))
        if "is_active" in changes:
            message = "Batch resumed" if changes["is_active"] else "Batch paused"
        else:
            message = "Batch updated successfully"
        return Response(
            {"success": True, "message": message, "batch_id": custom_id, "updated_fields": [*changes, "updated_at"]}
        )

    @extend_schema(
        summary="Cancel a batch",
        parameters=[BATCH_ID_PARAMETER, BatchReasonSerializer],
        request=BatchReasonSerializer,
        responses={200: BatchCancelledSerializer, **BAD_REQUEST, **AUTH_ERRORS, **NOT_FOUND, **CONFLICT},
        description="From active, paused, completed or importing (or an interrupted cancel: `cancelling`). "
        "The batch becomes inactive at once; its pending, scheduled and failed jobs are cancelled (reason "
        '"Batch cancelled" or `reason`, from the body or the query); then cancelled_at and cancellation_reason '
        "are set. Calls in progress finish normally. Needs the batches.change_batch permission.",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, batch_id):
        cancelled = batch_action(
            lifecycle.cancel_batch, batch_id, actor=actor_name(request), reason=reason_from(request)
        )
        return Response({"success": True, "message": "Batch cancelled", "jobs_cancelled": cancelled})

    def destroy(self, request, batch_id):
        query = valid_data(BatchDeleteQuerySerializer, request.query_params)
        result = batch_action(lifecycle.delete_batch, batch_id, actor=actor_name(request), **query)
        return Response({"success": True, "message": "Batch deleted", **result})

    @extend_schema(
        summary="Restore a cancelled or deleted batch",
        parameters=[BATCH_ID_PARAMETER],
        request=None,
        responses={200: BatchRestoredSerializer, **AUTH_ERRORS, **NOT_FOUND, **CONFLICT},
        description="Only from cancelled or deleted (either id form, deleted batches too). The jobs this batch's "
        "cancel/delete cancelled (recognised by their stamp) return to the status they had; jobs cancelled one "
        "by one before stay cancelled. cancelled_at, cancellation_reason and deleted_at are removed and the "
        "batch stays paused: resume it explicitly. Needs batches.change_batch (and batches.delete_batch for "
        "a deleted batch).",
    )
    @action(detail=True, methods=["post"])
    def restore(self, request, batch_id):
        if lifecycle.is_deleted(batch_id) and not CanDeleteBatches().has_permission(request, self):
            self.permission_denied(request, message=CanDeleteBatches.message)
        restored = batch_action(lifecycle.restore_batch, batch_id, actor=actor_name(request))
        return Response({"success": True, "message": "Batch restored", "jobs_restored": restored})

    @extend_schema(
        summary="List a batch's jobs",
        parameters=[BATCH_ID_PARAMETER, BatchJobListQuerySerializer],
        responses={200: JobSerializer(many=True), **BAD_REQUEST, **READ_AUTH_ERRORS, **NOT_FOUND},
        description="Same query and response as GET /api/v1/jobs, restricted to the batch.",
    )
    @action(detail=True, methods=["get"])
    def jobs(self, request, batch_id):
        query = valid_data(BatchJobListQuerySerializer, request.query_params)
        custom_id = selectors.custom_id_of(live_batch(batch_id))
        # A batch without a custom id has no jobs: jobs reference batches by it.
        jobs = job_selectors.job_list(**query, batch_id=custom_id) if custom_id else []
        return Response(JobSerializer(jobs, many=True).data)

    @extend_schema(
        summary="A batch's progress (polled by the frontend)",
        parameters=[BATCH_ID_PARAMETER],
        responses={200: BatchStatusSerializer, **READ_AUTH_ERRORS, **NOT_FOUND},
        description="Live job counts (one aggregation) and progress.",
    )
    @action(detail=True, methods=["get"], url_path="status")
    def progress(self, request, batch_id):
        return Response(BatchStatusSerializer(selectors.batch_progress(live_batch(batch_id))).data)

    @extend_schema(
        summary="A batch's summary",
        parameters=[BATCH_ID_PARAMETER],
        responses={200: BatchSummarySerializer, **READ_AUTH_ERRORS, **NOT_FOUND},
        description="The progress plus name, account, derived status, completion rate, cost and minutes.",
    )
    @action(detail=True, methods=["get"])
    def summary(self, request, batch_id):
        return Response(BatchSummarySerializer(selectors.batch_summary(live_batch(batch_id))).data)


@extend_schema(
    summary="Dashboard statistics",
    tags=["dashboard"],
    parameters=[DashboardQuerySerializer],
    responses={200: DashboardStatsSerializer, **BAD_REQUEST, **READ_AUTH_ERRORS},
    description="Job counts by status, success rate, active batches and jobs created today (UTC), "
    "scoped to the account when given.",
)
@api_view(["GET"])
def dashboard_stats(request):
    query = valid_data(DashboardQuerySerializer, request.query_params)
    return Response(DashboardStatsSerializer(selectors.dashboard_stats(**query)).data)
