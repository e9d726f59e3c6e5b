"""The jobs admin's bulk actions: the same services as the commands
(jobs/services.py `*_matching`, which apply the rows of jobs/transitions.py
the API applies too), on the whole selection at once ("select all N"
included), never one update per job. Cancel and restore ask first on a
confirmation page that says how many will and will not change, and why."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from audit.models import AuditAction, AuditSource
from jobs import background_actions, services
from jobs.counts import status_counts_phrase
from jobs.models import JobStatus, status_label
from jobs.outcomes import CHANGED_CONCURRENTLY, IN_CLOSED_BATCH
from jobs.serializers import MAX_REASON_LENGTH
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
NOT_RESTORABLE_BECAUSE = {IN_CLOSED_BATCH: "restore the batch instead"}
CANCEL_EXPLANATION = 'Cancelling is a soft delete: the jobs stay, with status "cancelled", the reason, who and when.'
RESTORE_EXPLANATION = (
    "Each job returns to the status it had when it was cancelled (pending for jobs cancelled before that was "
    "recorded); a job cancelled while failed stays failed until retried."
)


class ConfirmForm(forms.Form):
    # How many jobs the confirmation page said would change: decides between
    # the request and the background without counting them again.
    planned = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class ReasonForm(ConfirmForm):
    reason = forms.CharField(
        required=False,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text='Optional; "Cancelled by user" when empty.',
    )


class JobActionsMixin(SelectionGuardMixin):
    @staticmethod
    def selection(request, queryset):
        """(query, ids) for the services: the ticked ids, or for "select all"
        the MongoDB filter of the changelist's queryset."""
        if request.POST.get("select_across") == "1":
            return queryset_filter(queryset), None
        return {}, request.POST.getlist(ACTION_CHECKBOX_NAME)

    def confirmed_action(self, request, queryset, action, form_class, *, page, outcome):
        """Show the plan (a dry run) until confirmed, then run the service of
        `action`: in the request (reported with `outcome`, the words for done
        and not done), or in the background past ADMIN_BULK_SYNC_LIMIT jobs."""
        service = background_actions.SERVICES[action]
        query, ids = self.selection(request, queryset)
        if query is None:
            return None
        actor = request.user.get_username()
        form = form_class(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            plan = service(query, ids=ids, actor=actor, source=AuditSource.ADMIN, dry_run=True)
            return self.confirmation(request, form, plan, ids, **page)
        extra = {"reason": form.cleaned_data["reason"] or None} if "reason" in form.fields else {}
        planned = form.cleaned_data["planned"]
        if background_actions.too_big_for_a_request(action, query, ids, actor=actor, planned=planned):
            return self.run_in_background(request, action, query, ids, **extra)
        result = service(query, ids=ids, actor=actor, source=AuditSource.ADMIN, **extra)
        self.report(request, result, *outcome)
        return None

    @admin.action(description="Cancel selected jobs", permissions=["cancel"])
    def cancel_selected_jobs(self, request, queryset):
        page = {
            "verb": "cancel",
            "past": "cancelled",
            "why": NOT_CANCELLABLE_BECAUSE,
            "explanation": CANCEL_EXPLANATION,
        }
        outcome = ("Cancelled", "not cancelled")
        return self.confirmed_action(request, queryset, AuditAction.CANCEL_JOBS, ReasonForm, page=page, outcome=outcome)

    @admin.action(description="Restore selected cancelled jobs", permissions=["restore"])
    def restore_selected_jobs(self, request, queryset):
        page = {
            "verb": "restore",
            "past": "restored",
            "why": NOT_RESTORABLE_BECAUSE,
            "explanation": RESTORE_EXPLANATION,
        }
        outcome = ("Restored", "not restored (only cancelled jobs of open batches are)")
        return self.confirmed_action(
            request, queryset, AuditAction.RESTORE_JOBS, ConfirmForm, page=page, outcome=outcome
        )

    @admin.action(description="Retry selected failed jobs", permissions=["retry"])
    def retry_selected_jobs(self, request, queryset):
        query, ids = self.selection(request, queryset)
        actor = request.user.get_username()
        if query is None:
            return None
        if background_actions.too_big_for_a_request(AuditAction.RETRY_JOBS, query, ids, actor=actor):
            return self.run_in_background(request, AuditAction.RETRY_JOBS, query, ids)
        result = services.retry_jobs_matching(query, ids=ids, actor=actor, source=AuditSource.ADMIN)
        self.report(request, result, "Sent back to pending", "not retried (only failed jobs are)")
        return None

    def run_in_background(self, request, action, query, ids, **options):
        """Queue the action for `manage.py run_background_actions` and show
        its progress page at once."""
        queued = background_actions.enqueue(action, query, ids, actor=request.user.get_username(), **options)
        self.message_user(
            request,
            f"More than {settings.ADMIN_BULK_SYNC_LIMIT:,} jobs: this runs in the background; "
            "this page follows its progress.",
            messages.INFO,
        )
        return HttpResponseRedirect(reverse("admin:audit_backgroundaction_change", args=[queued.pk]))

    def report(self, request, result, done, not_done):
        message = f"{done} {result.changed:,} of {result.matched:,} matched jobs."
        if result.skipped:
            message += f" Skipped, {not_done}: {status_counts_phrase(result.skipped)}."
        self.message_user(request, message, messages.SUCCESS if result.changed else messages.WARNING)

    def confirmation(self, request, form, plan, ids, *, verb, past, why, explanation):
        will_not = [
            (status_label(status), count, why.get(status, "status does not allow it"))
            for status, count in sorted(plan.skipped.items(), key=str)
            if status != CHANGED_CONCURRENTLY
        ]
        will = [(status_label(s), plan.by_status[s]) for s in plan.allowed_statuses if plan.by_status.get(s)]
        context = {
            **self.admin_site.each_context(request),
            "title": f"{verb.capitalize()} jobs",
            "opts": self.model._meta,
            "media": self.media,
            "form": form,
            "plan": plan,
            "verb": verb,
            "past": past,
            "action": f"{verb}_selected_jobs",
            "explanation": explanation,
            "will": will,
            "will_not": will_not,
            "will_not_count": plan.matched - plan.eligible,
            "in_background": plan.eligible > settings.ADMIN_BULK_SYNC_LIMIT,
            "sync_limit": settings.ADMIN_BULK_SYNC_LIMIT,
            "select_across": ids is None,
            "selected_ids": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/jobs/job/transition_confirmation.html", context)
