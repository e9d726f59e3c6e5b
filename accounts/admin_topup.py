"""The accounts admin's top-up: a form, a confirmation page, then one call
to accounts/services.py topup_account (audited there)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts import services
from accounts.admin_forms import TopupForm
from accounts.models import Account
from audit.models import AuditSource
from speechai.mongo import object_id_or_none


class TopupAdminMixin:
    def has_topup_permission(self, request):
        return request.user.has_perm("accounts.topup_account")

    def get_urls(self):
        topup = self.admin_site.admin_view(self.topup_view)
        return [path("<path:object_id>/topup/", topup, name="accounts_account_topup"), *super().get_urls()]

    def topup_view(self, request, object_id):
        """Form, then a confirmation page, then one call to topup_account."""
        if not self.has_topup_permission(request):
            raise PermissionDenied
        account = get_object_or_404(Account, pk=object_id_or_none(object_id))
        form = TopupForm(request.POST or None)
        if request.method == "POST" and form.is_valid() and "confirm" in request.POST:
            data = form.cleaned_data
            try:
                services.topup_account(
                    object_id,
                    actor=request.user.get_username(),
                    source=AuditSource.ADMIN,
                    minutes=data["minutes"],
                    credits=data["credits"],
                    description=data["description"] or None,
                )
            except (services.AccountNotFound, services.BalanceNotNumeric) as error:
                self.message_user(request, f"Not topped up: {error}", messages.ERROR)
            else:
                self.message_user(request, f"Topped up {account}: {self.amounts_phrase(data)}.")
            return HttpResponseRedirect(reverse("admin:accounts_account_change", args=[account.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Top up {account}",
            "opts": self.model._meta,
            "account": account,
            "remaining": self.remaining_balance(account),
            "form": form,
            "confirming": request.method == "POST" and form.is_valid(),
            "amounts": self.amounts_phrase(form.cleaned_data) if form.is_bound and form.is_valid() else "",
        }
        return TemplateResponse(request, "admin/accounts/account/topup.html", context)

    @staticmethod
    def amounts_phrase(data):
        parts = [f"{data['credits']:,.2f} credits" if data.get("credits") else ""]
        parts.append(f"{data['minutes']:,.2f} minutes" if data.get("minutes") else "")
        return " and ".join(part for part in parts if part)
