from jobs import services
from jobs.bulk_command import BulkJobCommand


class Command(BulkJobCommand):
    help = (
        "Restore the cancelled jobs among those selected to the status they had before the cancel "
        "(pending for jobs cancelled before that was recorded). Jobs of a batch still cancelled or deleted are "
        "left alone: restore the batch (POST /api/v1/batches/{id}/restore or the admin)."
    )
    service = services.restore_jobs_matching
    verb, past = "restore", "Restored"
    why_not = "only cancelled jobs can be restored"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        self.add_filter_arguments(parser)

    def selection(self, options):
        return self.filter_selection(options)
