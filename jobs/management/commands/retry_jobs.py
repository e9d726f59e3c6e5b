from jobs import services
from jobs.bulk_command import BulkJobCommand


class Command(BulkJobCommand):
    help = "Send the failed jobs among those selected back to pending; other statuses are left alone and reported."
    service = services.retry_jobs_matching
    verb, past = "retry", "Sent back to pending"
    why_not = "only failed jobs can be retried"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        self.add_filter_arguments(parser)

    def selection(self, options):
        return self.filter_selection(options)
