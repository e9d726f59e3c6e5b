"""The jobs admin's bulk actions: the same services as the API and the
commands, on the whole selection at once ("select all N" included), never
one update per job."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse

from audit.models import AuditSource
from jobs import services
from jobs.models import CANCELLABLE_STATUSES, JobStatus
from jobs.serializers import MAX_REASON_LENGTH
from jobs.services import status_counts_phrase, status_label
from speechai.admin_selection import SelectionGuardMixin
from speechai.mongo import queryset_filter

# Why an action leaves a job of this status alone (confirmation page, messages).
NOT_CANCELLABLE_BECAUSE = {
    JobStatus.IN_PROGRESS: "a worker is calling it",
    JobStatus.DONE: "already finished",
    JobStatus.COMPLETED: "already finished",
    JobStatus.CANCELLED: "already cancelled",
    JobStatus.SUSPENDED: "suspended jobs are not cancelled",
}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text='Optional; "Cancelled by user" when empty.',
    )


class JobActionsMixin(SelectionGuardMixin):
    # Actions: the same services as the API and the commands, on the whole
    # selection at once ("select all N" included), never one update per job.

    @staticmethod
    def selection(request, queryset):
        """(query, ids) for the services: the ticked ids, or for "select all"
        the MongoDB filter of the changelist's queryset."""
        if request.POST.get("select_across") == "1":
            return queryset_filter(queryset), None
        return {}, request.POST.getlist(ACTION_CHECKBOX_NAME)

    @admin.action(description="Cancel selected jobs", permissions=["cancel"])
    def cancel_selected_jobs(self, request, queryset):
        query, ids = self.selection(request, queryset)
        actor = request.user.get_username()
        if query is None:
            return None
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            plan = services.cancel_jobs_matching(query, ids=ids, actor=actor, source=AuditSource.ADMIN, dry_run=True)
            return self.cancel_confirmation(request, form, plan, ids)
        reason = form.cleaned_data["reason"] or None
        result = services.cancel_jobs_matching(query, ids=ids, actor=actor, source=AuditSource.ADMIN, reason=reason)
        self.report(request, result, "Cancelled", "not cancelled")
        return None

    @admin.action(description="Retry selected failed jobs", permissions=["retry"])
    def retry_selected_jobs(self, request, queryset):
        query, ids = self.selection(request, queryset)
        if query is None:
            return None
        result = services.retry_jobs_matching(
            query, ids=ids, actor=request.user.get_username(), source=AuditSource.ADMIN
        )
        self.report(request, result, "Sent back to pending", "not retried (only failed jobs are)")
        return None

    def report(self, request, result, done, not_done):
        message = f"{done} {result.changed:,} of {result.matched:,} matched jobs."
        if result.skipped:
            message += f" Skipped, {not_done}: {status_counts_phrase(result.skipped)}."
        self.message_user(request, message, messages.SUCCESS if result.changed else messages.WARNING)

    def cancel_confirmation(self, request, form, plan, ids):
        will_not = [
            (status_label(status), count, NOT_CANCELLABLE_BECAUSE.get(status, "status does not allow it"))
            for status, count in sorted(plan.skipped.items(), key=str)
        ]
        will = [(status_label(s), plan.by_status[str(s)]) for s in CANCELLABLE_STATUSES if plan.by_status.get(str(s))]
        context = {
            **self.admin_site.each_context(request),
            "title": "Cancel jobs",
            "opts": self.model._meta,
            "media": self.media,
            "form": form,
            "plan": plan,
            "will_cancel": will,
            "will_not_cancel": will_not,
            "will_not_cancel_count": plan.matched - plan.eligible,
            "select_across": ids is None,
            "selected_ids": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/jobs/job/cancel_selected_confirmation.html", context)
