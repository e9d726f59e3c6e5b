"""Django's ModelBackend, reading permissions without a join.

ModelBackend asks for `values_list("content_type__app_label", "codename")`:
a $lookup on every permission check, whose nested `$project` the embedded
SecantusDB server (development, demo, tests) answers wrongly — the app label
comes back as `1`, so every non-superuser lacked every permission. Here the
permissions are read on local fields and the app label comes from
ContentType's per-process cache: right on every server, and no join.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType


class ModelBackendWithoutJoins(ModelBackend):
    def _get_permissions(self, user_obj, obj, from_name):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        perm_cache_name = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, perm_cache_name):
            if user_obj.is_superuser:
                perms = Permission.objects.all()
            else:
                perms = getattr(self, f"_get_{from_name}_permissions")(user_obj)
            pairs = perms.values_list("content_type_id", "codename").order_by()
            names = {f"{ContentType.objects.get_for_id(ct).app_label}.{codename}" for ct, codename in pairs}
            setattr(user_obj, perm_cache_name, names)
        return getattr(user_obj, perm_cache_name)
