"""AppConfigs: Django's contrib apps with ObjectId primary keys (MongoDB), and
the project's own app (management commands, startup warnings)."""

import logging

from django.apps import AppConfig
from django.conf import settings
from django.contrib.admin import apps as admin_apps
from django.contrib.auth import apps as auth_apps
from django.contrib.contenttypes import apps as contenttypes_apps

OBJECT_ID_FIELD = "django_mongodb_backend.fields.ObjectIdAutoField"


class MongoAdminConfig(admin_apps.AdminConfig):
    default = False
    default_auto_field = OBJECT_ID_FIELD
    default_site = "speechai.admin_site.SpeechAIAdminSite"


class MongoAuthConfig(auth_apps.AuthConfig):
    default = False
    default_auto_field = OBJECT_ID_FIELD


class MongoContentTypesConfig(contenttypes_apps.ContentTypesConfig):
    default = False
    default_auto_field = OBJECT_ID_FIELD


class SpeechAIConfig(AppConfig):
    name = "speechai"
    default = True
    default_auto_field = OBJECT_ID_FIELD

    def ready(self):
        from django.apps import apps

        import speechai.schema  # noqa: F401  (registers the OpenAPI auth extension)
        from speechai.indexes import TOKEN_INDEXES, ensure_indexes_on_migrate

        ensure_indexes_on_migrate(apps.get_app_config("authtoken"), "Token", TOKEN_INDEXES)

        if settings.API_AUTH_DISABLED:
            logging.getLogger("speechai").warning(
                "API_AUTH_DISABLED is on: the API accepts anonymous requests from this machine. Local development only."
            )
