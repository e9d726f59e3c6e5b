"""What the bulk job commands (cancel_jobs, retry_jobs, release_stale_jobs)
share: the selection options, the plan shown before anything changes, the
confirmation prompt, progress, and clear errors. The work itself is the
same service the admin's "select all" calls (jobs/services.py `*_matching`,
audited there), which applies the same rows of jobs/transitions.py as the
API's single and bulk actions."""

import datetime
import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.dateparse import parse_date, parse_datetime
from pymongo.errors import PyMongoError

from audit.models import AuditSource
from jobs.counts import status_counts_phrase
from jobs.models import JobStatus
from jobs.moves import DEFAULT_CHUNK_SIZE
from jobs.selectors import job_list_filter
from speechai.exceptions import database_cause


def positive_int(text):
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def parse_instant(text):
    """ISO date or datetime; naive values are UTC."""
    value = parse_datetime(text)
    if value is None and (day := parse_date(text)) is not None:
        value = datetime.datetime.combine(day, datetime.time())
    if value is None:
        raise CommandError(
            f"--created-before {text!r} is not an ISO date or datetime (e.g. 2025-10-31 or 2025-10-31T12:00)."
        )
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def read_ids(path):
    """One id (either form) per line; blank lines and # comments skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CommandError(f"Cannot read --ids-file {path}: {exc.strerror or exc}.") from exc
    ids = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not ids:
        raise CommandError(f"--ids-file {path} holds no ids.")
    return ids


class BulkJobCommand(BaseCommand):
    """Subclasses set `service` (a jobs.services function), `verb` ("cancel"),
    `past` ("Cancelled") and `why_not` (why skipped statuses are skipped), and
    implement selection()."""

    service = None
    verb = past = why_not = ""

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would change, by status; change nothing.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--chunk-size",
            type=positive_int,
            default=DEFAULT_CHUNK_SIZE,
            help=f"Jobs per database round trip (default {DEFAULT_CHUNK_SIZE}).",
        )
        parser.add_argument(
            "--actor", default=getpass.getuser(), help="Who to record as the operator (default: your login name)."
        )

    def add_filter_arguments(self, parser):
        """The job selection cancel_jobs and retry_jobs share."""
        parser.add_argument("--batch", help="The batch's ObjectId or custom batch_id.")
        parser.add_argument("--status", help=f"One or several comma-separated of: {', '.join(JobStatus.values)}.")
        parser.add_argument("--account", help="The account_id.")
        parser.add_argument("--created-before", help="ISO date or datetime (UTC when naive): jobs created before it.")
        parser.add_argument("--ids-file", help="A file with one job id per line (ObjectId or custom job_id).")

    def filter_selection(self, options):
        """{query, ids} from the filter options; at least one is required."""
        if not any(options[name] for name in ("batch", "status", "account", "created_before", "ids_file")):
            raise CommandError("Select the jobs: give --batch, --status, --account, --created-before or --ids-file.")
        statuses = None
        if options["status"]:
            statuses = [s.strip() for s in options["status"].split(",") if s.strip()]
            unknown = [s for s in statuses if s not in JobStatus.values]
            if unknown:
                raise CommandError(f"Unknown status {', '.join(unknown)}; allowed: {', '.join(JobStatus.values)}.")
        created_before = parse_instant(options["created_before"]) if options["created_before"] else None
        ids = read_ids(options["ids_file"]) if options["ids_file"] else None
        query = job_list_filter(
            statuses=statuses, batch_id=options["batch"], account_id=options["account"], created_before=created_before
        )
        return {"query": query, "ids": ids}

    def selection(self, options):
        """The keyword arguments that tell the service which jobs (and how)."""
        raise NotImplementedError

    def handle(self, *args, **options):
        selection = self.selection(options)
        arguments = {
            **selection,
            "actor": options["actor"],
            "source": AuditSource.COMMAND,
            "chunk_size": options["chunk_size"],
        }
        service = type(self).service
        try:
            plan = service(**arguments, dry_run=True)
            self.show_plan(plan)
            if options["dry_run"]:
                self.stdout.write("Dry run: nothing changed.")
                return
            if not plan.eligible:
                self.stdout.write(f"Nothing to {self.verb}.")
                return
            if not options["yes"]:
                self.confirm(plan.eligible)
            progress = self.progress if plan.eligible > options["chunk_size"] else None
            result = service(**arguments, progress=progress)
        except (PyMongoError, DatabaseError) as exc:
            raise CommandError(f"Database unreachable or failing: {database_cause(exc)}") from exc
        message = f"{self.past} {result.changed:,} of {result.matched:,} matched jobs."
        if result.skipped:
            message += f" Skipped: {status_counts_phrase(result.skipped)}."
        self.stdout.write(self.style.SUCCESS(message))

    def show_plan(self, plan):
        self.stdout.write(f"Matched {plan.matched:,} jobs.")
        allowed = {s: n for s, n in plan.by_status.items() if s in plan.allowed_statuses}
        self.stdout.write(
            f"  Will {self.verb}: {plan.eligible:,}" + (f" ({status_counts_phrase(allowed)})" if allowed else "")
        )
        skipped = plan.matched - plan.eligible
        self.stdout.write(
            f"  Will not {self.verb}: {skipped:,}"
            + (f" ({status_counts_phrase(plan.skipped)}: {self.why_not})" if skipped else "")
        )

    def confirm(self, count):
        try:
            answer = input(f"{self.verb.capitalize()} {count:,} jobs? Type 'yes' to go on: ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            raise CommandError("Not confirmed: nothing changed. (--yes skips the question.)")

    def progress(self, done, total):
        self.stdout.write(f"  {done:,} / {total:,}")
