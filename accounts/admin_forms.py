"""Forms of the accounts admin: the editable fields, the suspension and
the top-up (both confirmed before anything is written)."""

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Account
from accounts.serializers import MAX_AMOUNT
from batches.call_settings import time_zone_names

# What an operator edits in the change form; balances move by top-up only,
# status by the suspend/activate actions.
EDITABLE_FIELDS = (
    "account_name",
    "contact_name",
    "contact_email",
    "contact_phone",
    "country",
    "timezone",
    "plan_type",
    "max_concurrent_calls",
    "daily_call_limit",
    "cost_per_minute",
)


def validate_time_zone(name):
    if name and name not in time_zone_names():
        raise ValidationError(f"Unknown time zone {name!r}; use an IANA name like America/Santiago.")


class AccountAdminForm(forms.ModelForm):
    account_name = forms.CharField(max_length=200)
    contact_email = forms.EmailField(required=False)
    timezone = forms.CharField(required=False, validators=[validate_time_zone], help_text="IANA, e.g. America/Santiago")
    max_concurrent_calls = forms.IntegerField(min_value=1, max_value=100, required=False)
    daily_call_limit = forms.IntegerField(min_value=0, required=False)
    cost_per_minute = forms.FloatField(min_value=0, max_value=MAX_AMOUNT, required=False)

    class Meta:
        model = Account
        fields = EDITABLE_FIELDS


class AccountAddForm(AccountAdminForm):
    initial_credits = forms.FloatField(min_value=0, max_value=MAX_AMOUNT, required=False)
    initial_minutes = forms.FloatField(min_value=0, max_value=MAX_AMOUNT, required=False)

    class Meta(AccountAdminForm.Meta):
        fields = (*EDITABLE_FIELDS, "initial_credits", "initial_minutes")


class SuspendForm(forms.Form):
    reason = forms.CharField(
        required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), label="Reason"
    )
    pause_batches = forms.BooleanField(
        required=False,
        initial=True,
        label="Also pause their active batches",
        help_text="Suspension alone does not stop the workers: queued calls of running batches go on.",
    )


class TopupForm(forms.Form):
    credits = forms.FloatField(required=False, min_value=0.01, max_value=MAX_AMOUNT, help_text="USD")
    minutes = forms.FloatField(required=False, min_value=0.01, max_value=MAX_AMOUNT)
    description = forms.CharField(required=False, max_length=500, help_text="e.g. the invoice number")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("credits") and not cleaned.get("minutes"):
            raise ValidationError("Enter credits, minutes or both.")
        return cleaned
