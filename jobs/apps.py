import sys

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_job_indexes(sender, verbosity=1, **kwargs):
    from jobs.indexes import JOB_INDEXES
    from jobs.models import Job
    from speechai.indexes import ensure_model_indexes

    ensure_model_indexes(Job, JOB_INDEXES, verbosity, kwargs.get("stdout") or sys.stdout)


class JobsConfig(AppConfig):
    name = "jobs"
    default_auto_field = "django_mongodb_backend.fields.ObjectIdAutoField"

    def ready(self):
        post_migrate.connect(ensure_job_indexes, sender=self)
