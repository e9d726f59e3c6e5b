from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "batches"
    default_auto_field = "django_mongodb_backend.fields.ObjectIdAutoField"

    def ready(self):
        from batches.dashboard_hours import HOURS_COLLECTION, HOURS_INDEXES
        from batches.indexes import BATCH_INDEXES
        from speechai.indexes import ensure_indexes_on_migrate, ensure_raw_indexes_on_migrate

        ensure_indexes_on_migrate(self, "Batch", BATCH_INDEXES)
        ensure_raw_indexes_on_migrate(self, HOURS_COLLECTION, HOURS_INDEXES)
