import sys

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_batch_indexes(sender, verbosity=1, **kwargs):
    from batches.indexes import BATCH_INDEXES
    from batches.models import Batch
    from speechai.indexes import ensure_model_indexes

    ensure_model_indexes(Batch, BATCH_INDEXES, verbosity, kwargs.get("stdout") or sys.stdout)


class BatchesConfig(AppConfig):
    name = "batches"
    default_auto_field = "django_mongodb_backend.fields.ObjectIdAutoField"

    def ready(self):
        post_migrate.connect(ensure_batch_indexes, sender=self)
