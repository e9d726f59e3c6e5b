from django.db import models

from speechai.admin_display import first_text
from speechai.fields import RawBSONField, StoredDateTimeField, StoredIntegerField
from speechai.mongo import collection


class JobStatus(models.TextChoices):
    PENDING = "pending"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DONE = "done"
    FAILED = "failed"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


def status_label(status):
    return JobStatus(status).label if status in JobStatus.values else str(status)


# What can happen to a job, and from which statuses: jobs/transitions.py.
CANCELLABLE_STATUSES = (JobStatus.PENDING, JobStatus.SCHEDULED, JobStatus.FAILED)
# `done` (what workers write) and `completed` both mean "finished OK".
FINISHED_OK_STATUSES = (JobStatus.DONE, JobStatus.COMPLETED)


class Job(models.Model):
    """One contact to call, in the `jobs` collection shared with the workers.

    Unmanaged and written only by targeted updates (jobs/services.py): a
    full save() would null absent fields and drop unknown sub-keys."""

    job_id = models.CharField(max_length=200, unique=True, null=True)
    account_id = models.CharField(max_length=200, null=True, blank=True)
    # The batch's custom `batch_id` string. Nullable so that a join never
    # becomes an inner join that hides jobs whose batch is gone.
    # A string reference: the jobs app never imports the batches app (batches
    # build on jobs, not the other way round).
    batch = models.ForeignKey(
        "batches.Batch",
        to_field="batch_id",
        db_column="batch_id",
        db_constraint=False,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="jobs",
    )
    status = models.CharField(max_length=20, choices=JobStatus.choices, null=True)
    mode = models.CharField(max_length=20, null=True, blank=True)
    attempts = StoredIntegerField(null=True, default=0)
    max_attempts = StoredIntegerField(null=True, default=3)
    deduplication_key = models.CharField(max_length=300, null=True, blank=True)
    contact = RawBSONField(null=True, blank=True)
    to_number = models.CharField(max_length=40, null=True, blank=True)
    payload = RawBSONField(null=True, blank=True)
    estimated_cost = models.FloatField(null=True, blank=True)

    worker_id = models.CharField(max_length=100, null=True, blank=True)
    reserved_until = StoredDateTimeField(null=True, blank=True)
    created_at = StoredDateTimeField(null=True, blank=True)
    updated_at = StoredDateTimeField(null=True, blank=True)
    started_at = StoredDateTimeField(null=True, blank=True)
    finished_at = StoredDateTimeField(null=True, blank=True)
    failed_at = StoredDateTimeField(null=True, blank=True)

    call_id = models.CharField(max_length=200, null=True, blank=True)
    call_started_at = StoredDateTimeField(null=True, blank=True)
    call_ended_at = StoredDateTimeField(null=True, blank=True)
    call_duration_seconds = models.FloatField(null=True, blank=True)
    is_calling = models.BooleanField(null=True, blank=True)
    call_result = RawBSONField(null=True, blank=True)

    next_try_at = StoredDateTimeField(null=True, blank=True)
    last_attempt_result = models.CharField(max_length=100, null=True, blank=True)
    last_error = models.TextField(null=True, blank=True)
    fecha_pago_cliente = models.CharField(max_length=50, null=True, blank=True)
    monto_pago_cliente = RawBSONField(null=True, blank=True)  # int or string

    cancellation_reason = models.TextField(null=True, blank=True)
    cancelled_at = StoredDateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=150, null=True, blank=True)
    status_before_cancel = models.CharField(max_length=20, null=True, blank=True)
    restored_at = StoredDateTimeField(null=True, blank=True)
    restored_by = models.CharField(max_length=150, null=True, blank=True)
    # The stamp of the last action that moved the job, and of the cancel that
    # cancelled it (jobs/transitions.py).
    action_id = models.CharField(max_length=32, null=True, blank=True)
    cancel_action_id = models.CharField(max_length=32, null=True, blank=True)

    class Meta:
        db_table = "jobs"
        managed = False
        default_permissions = ("view", "change")
        permissions = [
            ("cancel_job", "Can cancel jobs"),
            ("retry_job", "Can retry failed jobs"),
            ("restore_job", "Can restore cancelled jobs"),
        ]

    def __str__(self):
        return first_text(self.job_id, self.pk)


def batch_collection():
    """The `batches` collection, found through the foreign key (no import of
    the batches app): jobs move the counters stored on their batch."""
    return collection(Job._meta.get_field("batch").related_model)
