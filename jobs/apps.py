from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    default_auto_field = "django_mongodb_backend.fields.ObjectIdAutoField"

    def ready(self):
        from jobs.indexes import JOB_INDEXES
        from speechai.indexes import ensure_indexes_on_migrate

        ensure_indexes_on_migrate(self, "Job", JOB_INDEXES)
