"""The intake's entry points, shared by the API, the admin and the command:
preview a file (writes nothing) and import it into a new or existing batch.
Parsing and validation finish before the first write; each import writes
one audit entry (file name, SHA-256, counts, who)."""

import hashlib
from dataclasses import dataclass, field

from audit.models import AuditAction, AuditEntry, AuditState
from audit.services import record_action
from batches.intake import writing
from batches.intake.account import intake_account
from batches.intake.documents import job_document, job_documents, new_batch_id
from batches.intake.duplicates import find_duplicates
from batches.intake.errors import IntakeError, Limits
from batches.intake.planning import Options, plan_rows
from batches.intake.reading import open_table
from batches.selectors import batch_get, custom_id_of
from batches.services import STORED_COUNTERS
from batches.states import ALLOWED, stored_state
from jobs.transitions import Stamp
from speechai.mongo import utc_now

RESPONSE_ERRORS = 100
RESUMABLE = ("importing", "failed")


@dataclass
class Upload:
    """A contact file: a seekable binary file object and the name it came with."""

    file: object
    name: str

    @property
    def sha256(self):
        self.file.seek(0)
        digest = hashlib.sha256()
        while chunk := self.file.read(1024 * 1024):
            digest.update(chunk)
        self.file.seek(0)
        return digest.hexdigest()


@dataclass
class NewBatch:
    name: str = ""
    description: str = ""
    priority: int = 1
    call_settings: dict | None = None
    is_active: bool = True


@dataclass
class Request:
    account_id: str | None
    options: Options = field(default_factory=Options)
    country: str | None = None  # forced by the Chile/Argentina endpoints
    limits: Limits = field(default_factory=Limits.for_requests)


def plan_upload(upload, request, batch=None):
    """(account, plan): the file read, normalised and checked for duplicates."""
    account = intake_account(request.account_id or (batch or {}).get("account_id"))
    table = open_table(upload.file, request.limits)
    plan = plan_rows(table, request.country or account.country, request.limits)
    if not request.options.allow_duplicates:
        plan.duplicates = find_duplicates(account.account_id, [person.dni for person in plan.persons.values()])
    return account, plan


def preview(upload, request):
    account, plan = plan_upload(upload, request)
    contacts = plan.contacts
    now, taken = utc_now(), set()
    sample = [
        job_document(person, account=account, batch_id=None, options=request.options, now=now, taken_job_ids=taken)
        for person in contacts[:3]
    ]
    for job in sample:
        job.pop("batch_id")
    return {
        "total_rows": plan.total_rows,
        "valid_debtors": len(plan.persons),
        "with_valid_phone": len(plan.persons),
        "without_phone": plan.without_phone,
        "invalid_rows": plan.invalid_rows,
        "total_debt_amount": plan.total_debt_amount,
        "duplicates_found": len(plan.duplicates),
        "duplicates_preview": [
            {"dni": dni, "name": plan.persons[dni].name, **existing}
            for dni, existing in list(plan.duplicates.items())[:5]
        ],
        "sample_debtors": sample,
        "sample_rows": plan.sample_rows,
        "detected_columns": plan.header.detected,
        "country_format": plan.country,
        "file_format": plan.file_format,
        "jobs_to_create": len(contacts),
        "estimated_cost": round(len(contacts) * account.cost_per_job, 2),
    }, plan.errors[:RESPONSE_ERRORS]


def existing_batch(raw_id):
    batch = batch_get(raw_id, include_deleted=True)
    if batch is None or custom_id_of(batch) is None:
        raise IntakeError("Batch not found", status=404)
    state = stored_state(batch)
    if state is not None and state not in ALLOWED["imported"]:
        raise IntakeError(f"The batch is {state}: contacts cannot be added to it.", status=409)
    return batch


def import_file(upload, request, *, actor, source, new_batch=None, batch_ref=None, dry_run=False, on_progress=None):
    """Import `upload` into a new batch (`new_batch`) or into the batch named
    `batch_ref`. Returns a dict of the outcome; raises IntakeError."""
    batch = existing_batch(batch_ref) if batch_ref is not None else None
    account, plan = plan_upload(upload, request, batch)
    if batch is not None and batch.get("account_id") != account.account_id:
        raise IntakeError("The batch belongs to another account.", status=409)
    contacts = plan.contacts
    resuming = batch is not None and batch.get("import_status") in RESUMABLE
    if not plan.persons:
        raise IntakeError("No row of the file can become a job.", errors=plan.errors[:RESPONSE_ERRORS])
    if not contacts and not resuming:
        raise IntakeError(
            f"All {len(plan.persons)} contacts already have an unfinished job of this account "
            "(send allow_duplicates=true to add them anyway).",
            duplicates=len(plan.duplicates),
        )
    if request.options.processing_type == "basic":
        account.check_balance(len(contacts))
    estimated_cost = len(contacts) * account.cost_per_job
    outcome = {
        "contacts_processed": len(plan.persons),
        "rows": plan.total_rows,
        "duplicates_skipped": len(plan.duplicates),
        "invalid_rows": plan.invalid_rows,
        "error_count": plan.error_count,
        "errors": plan.errors[:RESPONSE_ERRORS],
        "estimated_cost": round(estimated_cost, 2),
        "country": plan.country,
        "detected_columns": plan.header.detected,
    }
    if dry_run:
        return {**outcome, "jobs_created": 0, "batch_id": None, "jobs_to_create": len(contacts)}
    batch_id = _open_batch(batch, new_batch, account, request, plan)
    audit = _Audit(upload, account, batch_id, plan, actor=actor, source=source)
    documents = job_documents(contacts, account=account, batch_id=batch_id, options=request.options)
    try:
        inserted, already_there = writing.insert_jobs(documents, len(contacts), on_progress)
    except writing.ImportFailed as failure:
        stats = _stats(plan, failure.inserted, 0)
        writing.fail_import(
            batch_id, inserted=failure.inserted, estimated_cost=failure.inserted * account.cost_per_job, stats=stats
        )
        audit.record(stats, failed=True)
        raise IntakeError(
            f"The import stopped after {failure.inserted} of {len(contacts)} jobs ({failure}). The batch {batch_id} "
            "is left import_status=failed and none of its new jobs can be called: upload the same file to it again "
            "to complete it.",
            status=503,
            batch_id=batch_id,
        ) from None
    stats = _stats(plan, inserted, already_there)
    released = writing.complete_import(
        batch_id,
        audit.stamp,
        inserted=inserted,
        estimated_cost=inserted * account.cost_per_job,
        stats=stats,
        is_active=new_batch.is_active if batch is None else batch.get("activate_after_import"),
    )
    audit.record({**stats, "released": released})
    return {**outcome, "batch_id": batch_id, "jobs_created": inserted, "already_in_batch": already_there}


def _open_batch(batch, new_batch, account, request, plan):
    if batch is not None:
        if not writing.start_import(batch["batch_id"]):
            raise IntakeError("The batch was cancelled or deleted meanwhile.", status=409)
        return batch["batch_id"]
    now = utc_now()
    batch_id = new_batch_id(request.options.processing_type, _named_use_case(request), request.country)
    writing.insert_new_batch(
        {
            "batch_id": batch_id,
            "account_id": account.account_id,
            "name": new_batch.name or f"Campaña {now:%Y-%m-%d %H:%M}",
            "description": new_batch.description or f"Importado desde archivo con {len(plan.persons)} deudores",
            **dict.fromkeys(STORED_COUNTERS, 0),
            "total_cost": 0.0,
            "total_minutes": 0.0,
            "estimated_cost": 0.0,
            "priority": new_batch.priority,
            "call_settings": new_batch.call_settings,
            "processing_type": request.options.processing_type,
            "created_at": now,
            "updated_at": now,
            "started_at": None,
            "completed_at": None,
        },
        is_active=new_batch.is_active,
    )
    return batch_id


def _named_use_case(request):
    return request.options.use_case if request.country else None


def _stats(plan, created, already_there):
    return {
        "rows": plan.total_rows,
        "contacts": len(plan.persons),
        "created": created,
        "already_in_batch": already_there,
        "duplicates": len(plan.duplicates),
        "invalid_rows": plan.invalid_rows,
    }


class _Audit:
    def __init__(self, upload, account, batch_id, plan, *, actor, source):
        self.upload, self.account, self.batch_id, self.plan = upload, account, batch_id, plan
        self.actor, self.source = actor, source
        self.stamp = Stamp(actor)  # the jobs' release is stamped with the import's action_id

    def record(self, stats, failed=False):
        entry = record_action(
            AuditAction.IMPORT_CONTACTS,
            actor=self.actor,
            source=self.source,
            target_ids=[self.batch_id],
            matched=self.plan.total_rows,
            changed=stats["created"],
            details={
                "file_name": self.upload.name,
                "sha256": self.upload.sha256,
                "account_id": self.account.account_id,
                "format": self.plan.file_format,
                "action_id": self.stamp.action_id,
                **stats,
            },
        )
        if failed:
            AuditEntry.objects.filter(pk=entry.pk).update(state=AuditState.FAILED)
