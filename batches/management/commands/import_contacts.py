import getpass

from django.core.management.base import BaseCommand, CommandError
from pymongo.errors import PyMongoError

from audit.models import AuditSource
from batches.intake.errors import IntakeError, Limits
from batches.intake.planning import Options
from batches.intake.services import NewBatch, Request, Upload, import_file
from speechai.logging import database_cause

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Import a contact file (xlsx, xls, ods or csv) into a new batch (--name) or an existing one (--batch): "
        "the same pipeline as the API, without the per-request size, row and job limits. Prints the report; "
        "--dry-run writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the contact file")
        parser.add_argument("--account", required=True, help="account_id of the account the contacts belong to")
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--batch", help="Add to this batch (ObjectId or batch_id) instead of creating one")
        target.add_argument("--name", default="", help="Name of the new batch (default: Campaña <date time>)")
        parser.add_argument("--allow-duplicates", action="store_true", help="Do not skip people with unfinished jobs")
        parser.add_argument("--processing-type", choices=["basic", "acquisition"], default="basic")
        parser.add_argument("--dry-run", action="store_true", help="Read, check and report; write nothing")
        parser.add_argument("--actor", default=getpass.getuser(), help="Who to record as the operator")

    def handle(self, *args, **options):
        request = Request(
            options["account"],
            Options(processing_type=options["processing_type"], allow_duplicates=options["allow_duplicates"]),
            limits=Limits.for_command(),
        )
        try:
            with open(options["file"], "rb") as file:
                result = import_file(
                    Upload(file, options["file"]),
                    request,
                    actor=options["actor"],
                    source=AuditSource.COMMAND,
                    new_batch=None if options["batch"] else NewBatch(name=options["name"]),
                    batch_ref=options["batch"],
                    dry_run=options["dry_run"],
                    on_progress=self.progress_bar(),
                )
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror or exc}.") from exc
        except IntakeError as exc:
            raise CommandError(exc.message) from exc
        except PyMongoError as exc:
            raise CommandError(f"Database unreachable or failing: {database_cause(exc)}") from exc
        self.report(result, options["dry_run"])

    def progress_bar(self):
        def show(done, total):
            filled = BAR_WIDTH * done // max(total, 1)
            self.stderr.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:,}/{total:,} jobs", ending="")
            if done >= total:
                self.stderr.write("")

        return show

    def report(self, result, dry_run):
        lines = [
            f"Rows read: {result['rows']:,} ({result['country']} numbering, columns: "
            + ", ".join(f"{name}={meaning}" for name, meaning in result["detected_columns"].items())
            + ")",
            f"Contacts (rows merged by national id): {result['contacts_processed']:,}",
            f"Duplicates skipped: {result['duplicates_skipped']:,}",
            f"Invalid rows: {result['invalid_rows']:,}",
            f"Estimated cost: {result['estimated_cost']:,.2f}",
        ]
        if dry_run:
            lines.append(f"Dry run: {result['jobs_to_create']:,} jobs would be created; nothing written.")
        else:
            lines.append(f"Jobs created: {result['jobs_created']:,} in batch {result['batch_id']}")
        for error in result["errors"][:20]:
            lines.append(f"  row {error['row']} [{error['column']}] {error['value']!r}: {error['message']}")
        if result["error_count"] > 20:
            lines.append(f"  ... and {result['error_count'] - 20:,} more row errors")
        self.stdout.write("\n".join(lines))
