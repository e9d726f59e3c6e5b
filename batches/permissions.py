"""The permissions of the batch actions of the API."""

from speechai.permissions import HasDjangoPermission


class CanAddBatches(HasDjangoPermission):
    required_permission = "batches.add_batch"
    message = "You do not have permission to create batches."


class CanChangeBatches(HasDjangoPermission):
    """Pause, resume, update and cancel."""

    required_permission = "batches.change_batch"
    message = "You do not have permission to change batches."


class CanDeleteBatches(HasDjangoPermission):
    required_permission = "batches.delete_batch"
    message = "You do not have permission to delete batches."
