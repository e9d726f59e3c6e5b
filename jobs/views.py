from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from jobs import selectors, services
from jobs.permissions import CanCancelJobs, CanRestoreJobs, CanRetryJobs
from jobs.serializers import (
    BulkCancelJobsSerializer,
    BulkCancelResultSerializer,
    BulkRestoreJobsSerializer,
    BulkRestoreResultSerializer,
    CancelJobSerializer,
    JobListQuerySerializer,
    JobSerializer,
    RestoredSerializer,
)
from speechai.authentication import actor_name
from speechai.exceptions import Conflict
from speechai.permissions import IsAuthenticatedOrOpenAPI
from speechai.serializers import (
    AUTH_ERRORS,
    BAD_REQUEST,
    READ_AUTH_ERRORS,
    ActionResultSerializer,
    ConflictSerializer,
    ErrorSerializer,
)

JOB_ID_PARAMETER = OpenApiParameter(
    "job_id", str, OpenApiParameter.PATH, description="The job's 24-hex ObjectId or its custom job_id"
)
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="Job not found")}
CONFLICT = {409: OpenApiResponse(ConflictSerializer, description="The job's status does not allow the action")}


def job_action(request, job_id, service, message, **kwargs):
    """Run a single-job state change and translate its outcome to HTTP."""
    try:
        move = service(job_id, actor=actor_name(request), **kwargs)
    except services.JobNotFound:
        raise NotFound("Job not found") from None
    except services.JobStatusConflict as conflict:
        raise Conflict(str(conflict), conflict.current_status) from None
    return Response({"success": True, "message": message}), move


CANCEL_SCHEMA = {
    "summary": "Cancel a job (soft delete)",
    "request": CancelJobSerializer,
    "parameters": [JOB_ID_PARAMETER],
    "responses": {200: ActionResultSerializer, **BAD_REQUEST, **AUTH_ERRORS, **NOT_FOUND, **CONFLICT},
    "description": "Pending, scheduled and failed jobs become `cancelled`; nothing is removed. "
    "`DELETE /jobs/{job_id}` and `PUT|POST /jobs/{job_id}/cancel` do the same.",
}


@extend_schema_view(
    list=extend_schema(
        summary="List jobs",
        parameters=[JobListQuerySerializer],
        responses={200: JobSerializer(many=True), **BAD_REQUEST, **READ_AUTH_ERRORS},
        description="Newest first (created_at, then _id). Cancelled jobs only when `status` names them.",
    ),
    retrieve=extend_schema(
        summary="Get a job",
        parameters=[JOB_ID_PARAMETER],
        responses={200: JobSerializer, **READ_AUTH_ERRORS, **NOT_FOUND},
    ),
    destroy=extend_schema(**CANCEL_SCHEMA),
)
@extend_schema(tags=["jobs"])
class JobViewSet(viewsets.ViewSet):
    lookup_field = "job_id"
    lookup_value_regex = "[^/]+"

    def get_permissions(self):
        if self.action in ("destroy", "cancel", "bulk_cancel"):
            return [CanCancelJobs()]
        if self.action == "retry":
            return [CanRetryJobs()]
        if self.action in ("restore", "bulk_restore"):
            return [CanRestoreJobs()]
        return [IsAuthenticatedOrOpenAPI()]

    def list(self, request):
        query = JobListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(JobSerializer(selectors.job_list(**query.validated_data), many=True).data)

    def retrieve(self, request, job_id):
        document = selectors.job_get(job_id)
        if document is None:
            raise NotFound("Job not found")
        return Response(JobSerializer(document).data)

    def destroy(self, request, job_id):
        return self.cancel(request, job_id)

    @extend_schema(**CANCEL_SCHEMA)
    @action(detail=True, methods=["put", "post"])
    def cancel(self, request, job_id):
        body = CancelJobSerializer(data=request.data)  # no body is {}; a JSON null is refused
        body.is_valid(raise_exception=True)
        return job_action(
            request, job_id, services.cancel_job, "Job cancelled", reason=body.validated_data.get("reason")
        )[0]

    @extend_schema(
        summary="Retry a failed job",
        request=None,
        parameters=[JOB_ID_PARAMETER],
        responses={200: ActionResultSerializer, **AUTH_ERRORS, **NOT_FOUND, **CONFLICT},
        description="failed -> pending; lease, next_try_at, last_error and failed_at cleared; attempts kept.",
    )
    @action(detail=True, methods=["put", "post"])
    def retry(self, request, job_id):
        return job_action(request, job_id, services.retry_job, "Job marked for retry")[0]

    @extend_schema(
        summary="Restore a cancelled job (undo a cancel)",
        request=None,
        parameters=[JOB_ID_PARAMETER],
        responses={200: RestoredSerializer, **AUTH_ERRORS, **NOT_FOUND, **CONFLICT},
        description="cancelled -> the status it had when cancelled (status_before_cancel; pending for jobs "
        "cancelled before that field existed); the cancel fields removed, restored_at/restored_by set. "
        "A 409 while the job's batch is still cancelled or deleted: restore the batch instead. "
        "Needs the jobs.restore_job permission.",
    )
    @action(detail=True, methods=["put", "post"])
    def restore(self, request, job_id):
        response, move = job_action(request, job_id, services.restore_job, "Job restored")
        response.data["status"] = move.to_status
        return response

    @extend_schema(
        operation_id="jobs_bulk_cancel",
        summary="Cancel many jobs",
        request=BulkCancelJobsSerializer,
        responses={200: BulkCancelResultSerializer, **BAD_REQUEST, **AUTH_ERRORS},
        description="1..1000 ids in either form; ids are echoed as sent. A bounded number of database round trips.",
    )
    @action(detail=False, methods=["post"], url_path="cancel")
    def bulk_cancel(self, request):
        body = BulkCancelJobsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        outcome = services.cancel_jobs(
            body.validated_data["ids"], actor=actor_name(request), reason=body.validated_data.get("reason")
        )
        result = {"cancelled": outcome.moved, "not_found": outcome.not_found, "not_cancellable": outcome.refused}
        return Response(BulkCancelResultSerializer(result).data, status=status.HTTP_200_OK)

    @extend_schema(
        operation_id="jobs_bulk_restore",
        summary="Restore many cancelled jobs",
        request=BulkRestoreJobsSerializer,
        responses={200: BulkRestoreResultSerializer, **BAD_REQUEST, **AUTH_ERRORS},
        description="1..1000 ids in either form, echoed as sent. Jobs of a batch still cancelled or deleted "
        "are not restorable (their status shows the batch's). A bounded number of database round trips.",
    )
    @action(detail=False, methods=["post"], url_path="restore")
    def bulk_restore(self, request):
        body = BulkRestoreJobsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        outcome = services.restore_jobs(body.validated_data["ids"], actor=actor_name(request))
        result = {"restored": outcome.moved, "not_found": outcome.not_found, "not_restorable": outcome.refused}
        return Response(BulkRestoreResultSerializer(result).data)
