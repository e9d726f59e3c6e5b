"""Admin actions over documents other programs write: a ticked row whose
`_id` is not an ObjectId (a worker may store a string or a number there)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect


class SelectionGuardMixin:
    """Django filters `pk__in=<posted ids>` before calling an action; a posted
    value that is no ObjectId raises there (a 500). The operator gets a
    message instead, and nothing changes."""

    def response_action(self, request, queryset):
        try:
            return super().response_action(request, queryset)
        except ValidationError:
            self.message_user(
                request,
                f"The selection names something that is not a {self.model._meta.verbose_name} the admin can act on "
                "(an _id that is not an ObjectId); nothing changed.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
