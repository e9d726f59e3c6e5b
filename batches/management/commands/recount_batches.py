from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from pymongo.errors import PyMongoError

from audit.models import AuditAction, AuditSource
from audit.services import finish_action, start_action
from batches.models import Batch
from batches.selectors import batch_get, custom_id_of
from jobs.counters import counter_drift, repair_counters
from jobs.moves import chunked
from speechai.logging import database_cause
from speechai.mongo import collection

# Batches counted per aggregation.
CHUNK = 100


class Command(BaseCommand):
    help = (
        "Compare the job counters stored on batch documents (total/pending/completed/failed/suspended_jobs) "
        "with the jobs, show the drift per batch and repair it by $inc of the difference (a worker's "
        "concurrent $inc is kept). --dry-run only shows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", help="One batch (ObjectId or custom batch_id); default: every batch.")
        parser.add_argument("--dry-run", action="store_true", help="Show the drift; change nothing.")
        parser.add_argument("--actor", default="recount_batches", help="Who to record in the audit log.")

    def handle(self, *args, **options):
        try:
            self.recount(options)
        except (PyMongoError, DatabaseError) as exc:
            raise CommandError(f"Database unreachable or failing: {database_cause(exc)}") from exc

    def recount(self, options):
        if options["batch"]:
            document = batch_get(options["batch"], {"batch_id": 1}, include_deleted=True)
            if document is None or custom_id_of(document) is None:
                raise CommandError(f"No batch {options['batch']!r} (with a custom batch_id).")
            batch_ids = [document["batch_id"]]
        else:
            batch_ids = [b for b in collection(Batch).distinct("batch_id") if isinstance(b, str)]
        entry = None
        if not options["dry_run"]:
            entry = start_action(
                AuditAction.RECOUNT_BATCHES,
                actor=options["actor"],
                source=AuditSource.COMMAND,
                target_ids=batch_ids if options["batch"] else (),
            )
        drifted = 0
        for chunk in chunked(batch_ids, CHUNK):
            drift = counter_drift(chunk)
            for batch_id, counters in sorted(drift.items()):
                changes = ", ".join(f"{name} {stored} -> {counted}" for name, (stored, counted) in counters.items())
                self.stdout.write(f"{batch_id}: {changes}")
            drifted += len(drift)
            if not options["dry_run"]:
                repair_counters(drift)
        verb = "would be repaired" if options["dry_run"] else "repaired"
        self.stdout.write(self.style.SUCCESS(f"{len(batch_ids):,} batches counted, {drifted:,} drifted, {verb}."))
        if entry is not None:
            finish_action(entry, matched=len(batch_ids), changed=drifted)
