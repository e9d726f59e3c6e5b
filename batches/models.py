from django.db import models

from speechai.admin_display import first_text
from speechai.fields import RawBSONField, StoredDateTimeField, StoredIntegerField


class Batch(models.Model):
    """A calling campaign, in the `batches` collection shared with the workers.

    Unmanaged: the project never migrates this collection (docs/data-model.md)."""

    batch_id = models.CharField(max_length=200, unique=True, null=True)
    account_id = models.CharField(max_length=200, null=True, blank=True)
    name = models.CharField(max_length=200, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    is_active = models.BooleanField(null=True, default=True)
    priority = StoredIntegerField(null=True, default=1)
    call_settings = RawBSONField(null=True, blank=True)

    total_jobs = StoredIntegerField(null=True, default=0)
    pending_jobs = StoredIntegerField(null=True, default=0)
    completed_jobs = StoredIntegerField(null=True, default=0)
    failed_jobs = StoredIntegerField(null=True, default=0)
    suspended_jobs = StoredIntegerField(null=True, default=0)
    total_cost = models.FloatField(null=True, default=0.0)
    total_minutes = models.FloatField(null=True, default=0.0)
    estimated_cost = models.FloatField(null=True, default=0.0)

    created_at = StoredDateTimeField(null=True)
    updated_at = StoredDateTimeField(null=True)
    started_at = StoredDateTimeField(null=True)
    completed_at = StoredDateTimeField(null=True)

    cancellation_reason = models.TextField(null=True, blank=True)
    cancelled_at = StoredDateTimeField(null=True)
    deleted_at = StoredDateTimeField(null=True)

    class Meta:
        db_table = "batches"
        managed = False
        verbose_name_plural = "batches"

    def __str__(self):
        return first_text(self.name, self.batch_id, self.pk)
