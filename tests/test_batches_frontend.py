"""The React frontend's batch calls (speechai-original.md §6.2), in the id
forms it really uses, one campaign's life from creation to deletion."""

import pytest
from bson import ObjectId

from tests.api import make_user, token_client
from tests.batch_helpers import stored_batch, worker_claims
from tests.factories import insert_jobs

pytestmark = pytest.mark.django_db

# What the frontend's batch mapper reads from each batch.
MAPPED_KEYS = {
    "_id",
    "batch_id",
    "account_id",
    "name",
    "description",
    "is_active",
    "created_at",
    "total_jobs",
    "pending_jobs",
    "completed_jobs",
    "failed_jobs",
    "suspended_jobs",
    "total_cost",
    "total_minutes",
    "estimated_cost",
}
STATUS_KEYS = {
    "batch_id",
    "is_active",
    "total_jobs",
    "pending_jobs",
    "in_progress_jobs",
    "completed_jobs",
    "failed_jobs",
    "cancelled_jobs",
    "suspended_jobs",
    "progress_percentage",
    "started_at",
    "completed_at",
}


def test_a_campaign_driven_by_the_frontend(db):
    api = token_client(make_user("supervisor", superuser=True), keyword="Bearer")

    created = api.post(
        "/api/v1/batches",
        {
            "account_id": "acc-a1b2c3d4e5f6",
            "name": "Cobranza octubre",
            "description": "",
            "priority": 2,
            "call_settings": {
                "max_call_duration": 300,
                "ring_timeout": 30,
                "max_attempts": 3,
                "retry_delay_hours": 24,
                "allowed_hours": {"start": "09:00", "end": "20:00"},
                "days_of_week": [1, 2, 3, 4, 5, 6],
                "timezone": "America/Santiago",
                "priority": "medium",
                "max_concurrent_calls": 5,
            },
            "allow_duplicates": False,
        },
        format="json",
    )
    assert created.status_code == 201
    batch = created.json()["batch"]
    object_id, batch_id = batch["_id"], batch["batch_id"]
    insert_jobs(4, batch_id=batch_id, account_id="acc-a1b2c3d4e5f6")

    # useBatches (status is sent, and ignored) and useBatch.
    listed = api.get("/api/v1/batches", {"account_id": "acc-a1b2c3d4e5f6", "status": "RUNNING", "limit": 50, "skip": 0})
    assert listed.status_code == 200
    assert MAPPED_KEYS <= set(listed.json()[0])
    assert listed.json()[0]["pending_jobs"] == 4
    assert MAPPED_KEYS | {"call_settings", "priority"} <= set(api.get(f"/api/v1/batches/{batch_id}").json())

    # usePauseBatch / useResumeBatch: by ObjectId.
    paused = api.patch(f"/api/v1/batches/{object_id}", {"is_active": False}, format="json")
    assert paused.json() == {
        "success": True,
        "message": "Batch paused",
        "batch_id": batch_id,
        "updated_fields": ["is_active", "updated_at"],
    }
    assert worker_claims() is None  # a paused campaign is not called
    resumed = api.patch(f"/api/v1/batches/{object_id}", {"is_active": True}, format="json")
    assert resumed.json()["message"] == "Batch resumed"
    assert worker_claims()["batch_id"] == batch_id

    # useToggleBatchStatus and useUpdateBatch: by custom batch_id.
    assert api.patch(f"/api/v1/batches/{batch_id}", {"is_active": True}, format="json").status_code == 200
    updated = api.patch(
        f"/api/v1/batches/{batch_id}",
        {
            "name": "Cobranza octubre (2)",
            "priority": 3,
            "call_settings": {"timezone": "America/Argentina/Buenos_Aires"},
        },
        format="json",
    )
    assert updated.json()["message"] == "Batch updated successfully"

    # useBatchStatus (polled) and useBatchSummary.
    status = api.get(f"/api/v1/batches/{batch_id}/status")
    assert set(status.json()) == STATUS_KEYS
    assert (status.json()["pending_jobs"], status.json()["in_progress_jobs"]) == (3, 1)
    summary = api.get(f"/api/v1/batches/{object_id}/summary").json()
    assert (summary["name"], summary["status"], summary["priority"]) == ("Cobranza octubre (2)", "active", 3)

    # useCancelBatch: by ObjectId, no body.
    cancelled = api.post(f"/api/v1/batches/{object_id}/cancel")
    assert cancelled.json() == {"success": True, "message": "Batch cancelled", "jobs_cancelled": 3}

    # useDeleteBatch: by custom batch_id, jobs kept.
    deleted = api.delete(f"/api/v1/batches/{batch_id}?delete_jobs=false")
    assert deleted.json() == {"success": True, "message": "Batch deleted", "jobs_cancelled": 0}
    assert api.get("/api/v1/batches").json() == []
    assert stored_batch(ObjectId(object_id))["deleted_at"] is not None

    # useDashboardStats reads total_jobs, completed_jobs, failed_jobs.
    stats = api.get("/api/v1/dashboard/stats", {"account_id": "acc-a1b2c3d4e5f6"}).json()
    assert (stats["total_jobs"], stats["completed_jobs"], stats["failed_jobs"]) == (4, 0, 0)
