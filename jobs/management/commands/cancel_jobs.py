from django.core.management.base import CommandError

from jobs import services
from jobs.bulk_command import BulkJobCommand
from jobs.serializers import MAX_REASON_LENGTH


class Command(BulkJobCommand):
    help = (
        "Cancel (soft delete) the pending, scheduled and failed jobs among those selected; "
        "other statuses are left alone and reported."
    )
    service = services.cancel_jobs_matching
    verb, past = "cancel", "Cancelled"
    why_not = "only pending, scheduled and failed jobs can be cancelled"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        self.add_filter_arguments(parser)
        parser.add_argument("--reason", help='Recorded on each job (default "Cancelled by user").')

    def selection(self, options):
        if options["reason"] and len(options["reason"]) > MAX_REASON_LENGTH:
            raise CommandError(f"--reason is longer than {MAX_REASON_LENGTH} characters.")
        return {**self.filter_selection(options), "reason": options["reason"]}
