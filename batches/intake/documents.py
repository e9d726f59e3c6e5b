"""The stored shape of what an import writes: job documents (the workers'
shape), their ids, and the batch ids of the original's creation paths."""

import datetime
import uuid

from speechai.mongo import utc_now

ESTIMATE_DIGITS = 6


def new_job_id(account_id, now, taken):
    """`job_{account_id[:8]}_{UTC %Y%m%d_%H%M%S}_{8 hex}`, never one of `taken`
    (100,000 jobs in one second would otherwise share a suffix or two)."""
    while True:
        job_id = f"job_{account_id[:8]}_{now:%Y%m%d_%H%M%S}_{uuid.uuid4().hex[:8]}"
        if job_id not in taken:
            taken.add(job_id)
            return job_id


def new_batch_id(processing_type, use_case=None, country=None, now=None):
    """The original's formats (UTC; microseconds so that ids made in the same
    second differ): basic `batch-YYYY-MM-DD-HHMMSS-<us>`, acquisition
    `batch-acq-YYYYMMDD-HHMMSS-<us>`, use cases `batch-<use_case>-...` (Chile)
    and `batch-ar-<use_case>-...` (Argentina)."""
    now = now or datetime.datetime.now(datetime.UTC)
    if use_case and country == "AR":
        return f"batch-ar-{use_case}-{now:%Y%m%d-%H%M%S}-{now.microsecond}"
    if use_case and use_case != "debt_collection":
        return f"batch-{use_case}-{now:%Y%m%d-%H%M%S}-{now.microsecond}"
    if processing_type == "acquisition":
        return f"batch-acq-{now:%Y%m%d-%H%M%S}-{now.microsecond}"
    return f"batch-{now:%Y-%m-%d-%H%M%S}-{now.microsecond}"


def _in_days(base, days):
    return (base + datetime.timedelta(days=days)).isoformat()


def due_dates(person, options, today):
    """(due_date, fecha_maxima): the form's day counts from today when given,
    else latest due + days overdue + 3 and earliest due + days overdue + 7."""
    if options.dias_fecha_limite is not None:
        due = _in_days(today, options.dias_fecha_limite)
    else:
        due = _in_days(person.latest[0], person.latest[1] + 3) if person.latest else ""
    if options.dias_fecha_maxima is not None:
        maxima = _in_days(today, options.dias_fecha_maxima)
    else:
        maxima = _in_days(person.earliest[0], person.earliest[1] + 7) if person.earliest else None
    return due, maxima


def job_document(person, *, account, batch_id, options, now, taken_job_ids, status="scheduled"):
    phones = person.phones if options.processing_type == "acquisition" else person.phones[:1]
    due, maxima = due_dates(person, options, now.date())
    info = {**person.info, "cantidad_cupones": person.coupons, **options.extra_info}
    if maxima:
        info["fecha_maxima"] = maxima
    identity = person.dni or phones[0]
    return {
        "job_id": new_job_id(account.account_id, now, taken_job_ids),
        "account_id": account.account_id,
        "batch_id": batch_id,
        "status": status,
        "mode": "single",
        "attempts": 0,
        "max_attempts": options.max_attempts,
        "deduplication_key": f"{account.account_id}::{identity}::{batch_id}",
        "contact": {"name": person.name, "dni": person.dni, "phones": phones, "next_phone_index": 0},
        "to_number": phones[0],
        "payload": {
            "debt_amount": round(person.amount, 2),
            "due_date": due,
            "company_name": person.company or options.company_name,
            "reference_number": person.reference or person.dni,
            "additional_info": info,
        },
        "estimated_cost": account.cost_per_job,
        "created_at": now,
        "updated_at": now,
    }


def job_documents(persons, *, account, batch_id, options, now=None):
    """The job documents of `persons`, made lazily (one chunk in memory at a time)."""
    now, taken = now or utc_now(), set()
    for person in persons:
        yield job_document(person, account=account, batch_id=batch_id, options=options, now=now, taken_job_ids=taken)
