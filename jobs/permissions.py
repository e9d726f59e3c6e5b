"""The permissions of the job actions of the API."""

from speechai.permissions import HasDjangoPermission


class CanCancelJobs(HasDjangoPermission):
    required_permission = "jobs.cancel_job"
    message = "You do not have permission to cancel jobs."


class CanRetryJobs(HasDjangoPermission):
    required_permission = "jobs.retry_job"
    message = "You do not have permission to retry jobs."


class CanRestoreJobs(HasDjangoPermission):
    required_permission = "jobs.restore_job"
    message = "You do not have permission to restore jobs."


class CanViewJobs(HasDjangoPermission):
    """Reads that hand out whole selections (exports)."""

    required_permission = "jobs.view_job"
    message = "You do not have permission to view jobs."
