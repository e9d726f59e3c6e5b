from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType


class JoinFreePermissionsBackend(ModelBackend):
    """Django's ModelBackend, reading a user's permission names without the
    permission -> content type join.

    ModelBackend reads `content_type__app_label` through a `$lookup` whose
    nested `$project` the embedded SecantusDB answers wrongly (the app label
    comes back as 1, so every has_perm() is False). Content types are cached
    by Django anyway: this costs no extra round trip after the first."""

    def _get_permissions(self, user_obj, obj, from_name):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cache_name = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, cache_name):
            if user_obj.is_superuser:
                permissions = Permission.objects.all()
            else:
                permissions = getattr(self, f"_get_{from_name}_permissions")(user_obj)
            pairs = permissions.values_list("content_type_id", "codename").order_by()
            setattr(
                user_obj,
                cache_name,
                {f"{ContentType.objects.get_for_id(ct).app_label}.{codename}" for ct, codename in pairs},
            )
        return getattr(user_obj, cache_name)
