"""The batch admin's actions: pause, resume, cancel (with a confirmation
page) and restore, each one call per selected batch to the same service as
the API (batches/services.py, batches/lifecycle.py; audited there), never
one update per job. A batch whose state does not allow the action is left
alone and said so; filtered by state, the changelist offers only the
actions that state allows."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse

from audit.models import AuditSource
from batches import lifecycle, services
from batches.states import ALLOWED
from jobs.admin_actions import ReasonForm
from jobs.counts import NO_JOBS, job_counts

# action -> the verb whose allowed states (batches/states.py) it needs
ACTION_VERBS = {
    "pause_batches": "paused",
    "resume_batches": "resumed",
    "cancel_batches": "cancelled",
    "restore_batches": "restored",
}


class BatchActionsMixin:
    def get_actions(self, request):
        actions = super().get_actions(request)
        state = request.GET.get("state")
        if state:
            for name, verb in ACTION_VERBS.items():
                if state not in ALLOWED[verb]:
                    actions.pop(name, None)
        return actions

    def has_change_batch_permission(self, request):
        return request.user.has_perm("batches.change_batch")

    def run_on_batches(self, request, queryset, service, **kwargs):
        """(done, results) after calling `service(pk, actor, source, ...)` for
        each batch; those gone or in a state that refuses it are reported."""
        done, gone, refused, results = [], [], [], []
        for batch in queryset.only("pk", "batch_id"):
            name = batch.batch_id or str(batch.pk)
            try:
                results.append(
                    service(str(batch.pk), actor=request.user.get_username(), source=AuditSource.ADMIN, **kwargs)
                )
                done.append(name)
            except services.BatchNotFound:
                gone.append(name)
            except services.BatchStateConflict as conflict:
                refused.append(f"{name} ({conflict.state})")
        if gone:
            self.message_user(request, f"Not changed (deleted or gone): {', '.join(map(str, gone))}.", messages.WARNING)
        if refused:
            self.message_user(
                request, f"Not changed, their state does not allow it: {', '.join(refused)}.", messages.WARNING
            )
        return done, results

    @admin.action(description="Pause selected batches", permissions=["change_batch"])
    def pause_batches(self, request, queryset):
        done, _ = self.run_on_batches(request, queryset, services.update_batch, changes={"is_active": False})
        if done:
            self.message_user(request, f"Paused {len(done)} batch(es): {', '.join(map(str, done))}.")

    @admin.action(description="Resume selected batches", permissions=["change_batch"])
    def resume_batches(self, request, queryset):
        done, _ = self.run_on_batches(request, queryset, services.update_batch, changes={"is_active": True})
        if done:
            self.message_user(request, f"Resumed {len(done)} batch(es): {', '.join(map(str, done))}.")

    @admin.action(description="Restore selected cancelled or deleted batches", permissions=["change_batch"])
    def restore_batches(self, request, queryset):
        deleted = queryset.exclude(deleted_at=None)
        if deleted.exists() and not request.user.has_perm("batches.delete_batch"):
            self.message_user(request, "Restoring a deleted batch needs the delete permission.", messages.ERROR)
            return
        done, restored = self.run_on_batches(request, queryset, lifecycle.restore_batch)
        if done:
            self.message_user(
                request,
                f"Restored {len(done)} batch(es): {', '.join(map(str, done))}; {sum(restored):,} jobs back to their "
                "status before the cancel. The batches stay paused: resume them when ready.",
            )

    @admin.action(description="Cancel selected batches", permissions=["change_batch"])
    def cancel_batches(self, request, queryset):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            batches = list(queryset)
            counts = job_counts(batch.batch_id for batch in batches)
            rows = [(batch, counts.get(batch.batch_id, NO_JOBS)) for batch in batches]
            context = {
                **self.admin_site.each_context(request),
                "title": "Cancel batches",
                "opts": self.model._meta,
                "form": form,
                "rows": rows,
                "waiting": sum(c["pending_jobs"] + c["failed_jobs"] for _, c in rows),
                "in_progress": sum(c["in_progress_jobs"] for _, c in rows),
                "select_across": request.POST.get("select_across") == "1",
                "selected_ids": request.POST.getlist(ACTION_CHECKBOX_NAME),
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/batches/batch/cancel_selected_confirmation.html", context)
        reason = form.cleaned_data["reason"] or None
        done, cancelled = self.run_on_batches(request, queryset, lifecycle.cancel_batch, reason=reason)
        if done:
            self.message_user(
                request,
                f"Cancelled {len(done)} batch(es): {', '.join(map(str, done))}; {sum(cancelled):,} waiting jobs "
                "cancelled. Calls in progress finish normally.",
            )
        return None
