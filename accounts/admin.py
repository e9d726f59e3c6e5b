"""The accounts back office: plan, status, what is left to call with, calls
today and active batches (one aggregation per page); suspend / activate and
top-up through accounts/services.py (audited there); the ledger read-only."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from accounts import balances, services
from accounts.admin_forms import EDITABLE_FIELDS, AccountAddForm, AccountAdminForm, SuspendForm
from accounts.admin_topup import TopupAdminMixin
from accounts.models import Account, AccountStatus, Transaction
from accounts.selectors import active_batch_counts
from audit.models import AuditSource
from speechai.admin_display import badge, pretty
from speechai.mongo import object_id_or_none

STATUS_COLOURS = {
    AccountStatus.ACTIVE: "#16a34a",
    AccountStatus.SUSPENDED: "#dc2626",
    AccountStatus.EXPIRED: "#6b7280",
    AccountStatus.PENDING_ACTIVATION: "#d97706",
}


def account_values(account):
    """A loaded Account as the mapping accounts/balances.py reads."""
    return {field.attname: getattr(account, field.attname) for field in Account._meta.concrete_fields}


def changelist_url(model_label, **query):
    return reverse(f"admin:{model_label}_changelist") + "?" + urlencode(query)


class AccountChangeList(ChangeList):
    def get_results(self, request):
        """The page's accounts with their active batches: one aggregation."""
        super().get_results(request)
        self.result_list = list(self.result_list)
        counts = active_batch_counts(account.account_id for account in self.result_list)
        for account in self.result_list:
            account.active_batches = counts.get(account.account_id, 0)


@admin.register(Account)
class AccountAdmin(TopupAdminMixin, admin.ModelAdmin):
    list_display = [
        "account_id",
        "account_name",
        "plan_type",
        "status_badge",
        "remaining_balance",
        "calls_today",
        "active_batches_link",
        "country",
        "created_at",
    ]
    list_filter = ["status", "plan_type", "country"]
    search_fields = ["account_id"]  # shows the search box; get_search_results decides
    search_help_text = "Start of the name (any case) or of the account_id, or the exact ObjectId."
    sortable_by = ["created_at", "account_name"]
    ordering = ["-created_at", "-pk"]
    show_facets = admin.ShowFacets.NEVER
    actions = ["suspend_accounts", "activate_accounts"]
    readonly_fields = [
        "account_id",
        "object_id",
        "status_badge",
        "suspension_reason",
        "balance_display",
        "links",
        "features_display",
        "settings_display",
        "created_at",
        "updated_at",
        "last_topup_at",
        "expires_at",
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": list(AccountAddForm.Meta.fields)})]
        return [
            (None, {"fields": ["account_id", "object_id", "status_badge", "suspension_reason", "links"]}),
            ("Balance", {"fields": ["balance_display", "last_topup_at"]}),
            ("Details", {"fields": list(EDITABLE_FIELDS)}),
            ("Free-form", {"fields": ["features_display", "settings_display"]}),
            ("Timeline", {"fields": ["created_at", "updated_at", "expires_at"]}),
        ]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = AccountAddForm if obj is None else AccountAdminForm
        return super().get_form(request, obj, **kwargs)

    def get_changelist(self, request, **kwargs):
        return AccountChangeList

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = Q(account_name__istartswith=term) | Q(account_id__startswith=term)
        if (oid := object_id_or_none(term)) is not None:
            condition |= Q(pk=oid)
        return queryset.filter(condition), False

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are never deleted

    def save_model(self, request, obj, form, change):
        """Through the services, never a full save(): an account is created
        by create_account; an edit writes only the fields changed."""
        actor = request.user.get_username()
        if not change:
            values = {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}
            obj.pk = services.create_account(actor=actor, source=AuditSource.ADMIN, **values)["_id"]
            return
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if changes:
            services.update_account(str(obj.pk), changes, actor=actor, source=AuditSource.ADMIN)

    # --- columns and read-only fields ---------------------------------

    @admin.display(description="Status")
    def status_badge(self, account):
        status = account.status if isinstance(account.status, str) else None
        return badge(status or "no status", STATUS_COLOURS.get(status, "#374151"))

    @admin.display(description="Remaining")
    def remaining_balance(self, account):
        amount, unit = balances.remaining_balance(account_values(account))
        return "unlimited" if amount is None else f"{amount:,.2f} {unit}"

    @admin.display(description="Active batches")
    def active_batches_link(self, account):
        count = getattr(account, "active_batches", 0)
        if not count:
            return 0
        return format_html('<a href="{}">{}</a>', changelist_url("batches_batch", account=account.account_id), count)

    @admin.display(description="ObjectId")
    def object_id(self, account):
        return str(account.pk)

    @admin.display(description="Balance")
    def balance_display(self, account):
        values = account_values(account)
        rows = [(key.replace("_", " "), value) for key, value in balances.balance(values).items()]
        return format_html_join(mark_safe("<br>"), "{}: <strong>{}</strong>", rows)

    @admin.display(description="Go to")
    def links(self, account):
        links = []
        if isinstance(account.account_id, str):
            links += [
                ("Batches", changelist_url("batches_batch", account=account.account_id)),
                ("Jobs", changelist_url("jobs_job", account=account.account_id)),
                ("Ledger", changelist_url("accounts_transaction", account_id=account.account_id)),
            ]
        if getattr(account, "can_top_up", False):
            links.insert(0, ("Top up", reverse("admin:accounts_account_topup", args=[account.pk])))
        return format_html_join(" · ", '<a href="{}">{}</a>', ((url, label) for label, url in links)) or "-"

    @admin.display(description="Features")
    def features_display(self, account):
        return pretty(account.features)

    @admin.display(description="Settings")
    def settings_display(self, account):
        return pretty(account.settings)

    def get_object(self, request, object_id, from_field=None):
        account = super().get_object(request, object_id, from_field)
        if account is not None:
            account.can_top_up = self.has_topup_permission(request)  # for the links
        return account

    # --- actions --------------------------------------------------------

    def run_on_accounts(self, request, queryset, changes, **kwargs):
        done = []
        for account in queryset.only("pk", "account_id"):
            try:
                services.update_account(
                    str(account.pk), changes, actor=request.user.get_username(), source=AuditSource.ADMIN, **kwargs
                )
                done.append(account.account_id or str(account.pk))
            except services.AccountNotFound:
                self.message_user(request, f"Not found: {account.pk}.", messages.WARNING)
        return done

    @admin.action(description="Suspend selected accounts", permissions=["change"])
    def suspend_accounts(self, request, queryset):
        form = SuspendForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": "Suspend accounts",
                "opts": self.model._meta,
                "form": form,
                "accounts": list(queryset),
                "select_across": request.POST.get("select_across") == "1",
                "selected_ids": request.POST.getlist(ACTION_CHECKBOX_NAME),
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/accounts/account/suspend_confirmation.html", context)
        changes = {"status": AccountStatus.SUSPENDED.value, "suspension_reason": form.cleaned_data["reason"] or None}
        pause = form.cleaned_data["pause_batches"]
        done = self.run_on_accounts(request, queryset, changes, pause_batches=pause)
        paused = " and paused their active batches" if pause else " (their batches keep running)"
        self.message_user(request, f"Suspended {len(done)} account(s){paused}: {', '.join(map(str, done))}.")
        return None

    @admin.action(description="Activate selected accounts", permissions=["change"])
    def activate_accounts(self, request, queryset):
        done = self.run_on_accounts(request, queryset, {"status": AccountStatus.ACTIVE.value})
        self.message_user(request, f"Activated {len(done)} account(s): {', '.join(map(str, done))}.")


@admin.register(Transaction)
class TransactionAdmin(admin.ModelAdmin):
    """The ledger: append-only, so read-only here."""

    list_display = ["transaction_id", "account_id", "type", "amount", "description", "created_by", "created_at"]
    list_filter = ["type"]
    search_fields = ["account_id"]
    search_help_text = "Exact account_id or transaction_id."
    ordering = ["-created_at", "-pk"]
    show_facets = admin.ShowFacets.NEVER

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(Q(account_id=term) | Q(transaction_id=term)), False

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "account_id" or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
