from django.db import models
from django_mongodb_backend.fields import ArrayField


class AuditSource(models.TextChoices):
    API = "api", "API"
    ADMIN = "admin", "Admin"
    COMMAND = "command", "Command"


class AuditAction(models.TextChoices):
    CANCEL_JOBS = "jobs.cancel", "Cancel jobs"
    RETRY_JOBS = "jobs.retry", "Retry jobs"
    RELEASE_STALE_JOBS = "jobs.release_stale", "Release stale jobs"
    EDIT_JOB = "jobs.edit", "Edit job"
    CREATE_BATCH = "batches.create", "Create batch"
    PAUSE_BATCH = "batches.pause", "Pause batch"
    RESUME_BATCH = "batches.resume", "Resume batch"
    UPDATE_BATCH = "batches.update", "Update batch"
    CANCEL_BATCH = "batches.cancel", "Cancel batch"
    DELETE_BATCH = "batches.delete", "Delete batch"
    RESTORE_JOBS = "jobs.restore", "Restore jobs"
    EXPORT_JOBS = "jobs.export", "Export jobs"
    RESTORE_BATCH = "batches.restore", "Restore batch"
    RECOUNT_BATCHES = "batches.recount", "Recount batches"
    IMPORT_CONTACTS = "batches.import", "Import contacts"
    CREATE_ACCOUNT = "accounts.create", "Create account"
    UPDATE_ACCOUNT = "accounts.update", "Update account"
    SUSPEND_ACCOUNT = "accounts.suspend", "Suspend account"
    ACTIVATE_ACCOUNT = "accounts.activate", "Activate account"
    TOPUP_ACCOUNT = "accounts.topup", "Top up account"


class AuditState(models.TextChoices):
    """An action that changes many documents is recorded as started before
    its first write and completed after its last, so a process killed midway
    leaves a visible incomplete entry; single-document actions are written
    once, completed."""

    STARTED = "started", "Started (not finished)"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


# Bound on the ids one entry keeps (a MongoDB document is at most 16 MB);
# `changed` always holds the real count.
MAX_AUDITED_IDS = 100_000


class AuditEntry(models.Model):
    """One operator action, whatever its entry point (API, admin, command).

    Written only by the services that perform the action (audit/services.py),
    never edited. Unlike `jobs` and `batches` this collection is the project's
    own: a managed model with normal migrations."""

    created_at = models.DateTimeField(auto_now_add=True)
    actor = models.CharField(max_length=150, help_text="Username of the operator")
    source = models.CharField(max_length=10, choices=AuditSource.choices)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    # The ids the operator named, as named (ObjectId hex or custom id) ...
    target_ids = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    # ... or the MongoDB filter that selected the documents (JSON-safe form).
    filter = models.JSONField(null=True, blank=True)
    # `_id`s (hex) of the jobs this action changed, so a job's page can list
    # every entry that touched it.
    changed_job_ids = ArrayField(models.CharField(max_length=24), default=list, blank=True)
    matched = models.IntegerField(default=0, help_text="Documents the selection matched")
    changed = models.IntegerField(default=0, help_text="Documents the action changed")
    skipped = models.JSONField(default=dict, blank=True, help_text="Matched but not changed, by status")
    reason = models.TextField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text="Action-specific facts (fields edited, ...)")
    state = models.CharField(max_length=10, choices=AuditState.choices, default=AuditState.COMPLETED)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        ordering = ["-created_at"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["-created_at"], name="audit_created"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_created"),
            models.Index(fields=["action", "-created_at"], name="audit_action_created"),
            models.Index(fields=["target_ids"], name="audit_target_ids"),
            models.Index(fields=["changed_job_ids"], name="audit_changed_job_ids"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor} ({self.get_source_display()})"


class BackgroundActionState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class BackgroundAction(models.Model):
    """An admin bulk action over more jobs than one request should carry,
    queued here (the queue is this collection: no broker) and run by
    `manage.py run_background_actions` through the same service the
    request would call (jobs/background_actions.py). The service audits the
    change itself; this document shows its progress and its end.

    Written by targeted updates only: the claim is one conditional update
    (`state` queued -> running), progress one `$set` per chunk."""

    created_at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    actor = models.CharField(max_length=150, help_text="Username of the operator who started it")
    # The selection: the MongoDB filter of the changelist in Extended JSON
    # (ObjectIds and dates keep their types), narrowed to `target_ids` if any.
    query = models.TextField(default="{}")
    target_ids = ArrayField(models.CharField(max_length=200), null=True, blank=True)
    options = models.JSONField(default=dict, blank=True, help_text="The service's other arguments (reason, ...)")
    state = models.CharField(max_length=10, choices=BackgroundActionState.choices, default=BackgroundActionState.QUEUED)
    worker = models.CharField(max_length=200, blank=True, help_text="host:pid of the worker that ran it")
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True, help_text="Last progress")
    finished_at = models.DateTimeField(null=True, blank=True)
    done = models.IntegerField(default=0, help_text="Jobs changed so far")
    total = models.IntegerField(default=0, help_text="Jobs the action may change")
    matched = models.IntegerField(default=0)
    changed = models.IntegerField(default=0)
    skipped = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = "background action"
        verbose_name_plural = "background actions"
        ordering = ["-created_at"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["state", "created_at"], name="background_state_created"),
            models.Index(fields=["-created_at"], name="background_created"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor} ({self.get_state_display()})"

    @property
    def has_ended(self):
        return self.state in (BackgroundActionState.COMPLETED, BackgroundActionState.FAILED)
