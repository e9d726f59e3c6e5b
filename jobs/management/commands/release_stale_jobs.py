import datetime
import re

from django.core.management.base import CommandError

from jobs import services
from jobs.bulk_command import BulkJobCommand

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text):
    """ "15m" -> 15 minutes; units s, m, h, d."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", text or "")
    if not match or int(match[1]) == 0:
        raise CommandError(f"--older-than {text!r} is not a positive duration like 90s, 15m, 2h or 1d.")
    return datetime.timedelta(**{UNITS[match[2]]: int(match[1])})


class Command(BulkJobCommand):
    help = (
        "Send in-progress jobs whose worker lease (reserved_until) expired more than --older-than ago back to "
        "pending (their worker is gone). In-progress jobs without a lease are left alone."
    )
    service = services.release_stale_jobs
    verb, past = "release", "Released"
    why_not = "their lease is still running"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--older-than", default="15m", help="How long ago the lease must have expired (default 15m)."
        )

    def selection(self, options):
        return {"older_than": parse_duration(options["older_than"])}
