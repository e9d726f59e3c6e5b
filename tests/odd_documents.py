"""Worker documents of every odd shape a MongoDB collection can hold: wrong
BSON types where the models expect others, missing and unknown fields,
values JSON has no word for, keys with `$` and dots, a document near BSON's
16 MB limit. Shared by the tests that walk every surface (admin, API,
commands) over them."""

import datetime
import re

from bson import Binary, Decimal128, Int64, ObjectId, Regex

# The batch every "normal" odd job points to (its jobs show up in batch pages).
ODD_BATCH_ID = "batch-20251028-0dd0dd00"
LEGACY_FLAT_JOB = {
    "_id": ObjectId(),
    "status": "failed",
    "rut": "123456789",
    "rut_fmt": "12.345.678-9",
    "nombre": "María Pérez",
    "to_number": "+56911112222",
    "try_phones": ["+56911112222", "+56222223333"],
    "monto_total": 350000.5,
    "fecha_limite": "2025-11-30",
    "origen_empresa": "Cobranzas SA",
    "cantidad_cupones": Int64(3),
    "tries": 2,
    "created_at": datetime.datetime(2025, 9, 1, 10, 0),
}

WORKER_JOB = {
    "_id": ObjectId(),
    "job_id": "job_retail_e_20251025_174129_b96907c5",
    "account_id": "retail_express",
    "batch_id": "batch-2025-10-25-144129-862530",  # this batch does not exist
    "status": "failed",
    "attempts": Int64(2),
    "max_attempts": 3.0,
    "estimated_cost": 1,
    "contact": {"name": "Juan", "dni": "11111111", "phones": ["+56933334444"], "next_phone_index": Int64(1)},
    "payload": {"debt_amount": Int64(150000), "due_date": "2025-11-15", "additional_info": {"x": ObjectId()}},
    "call_result": {
        "success": False,
        "status": "not_connected",
        "summary": {"disconnection_reason": "dial_no_answer", "nested": [{"at": datetime.datetime(2025, 10, 25)}]},
        "details": {},
        "timestamp": datetime.datetime(2025, 10, 25, 17, 46, 4, 648000),
    },
    "retell_result": {"raw": True},
    "some_future_worker_field": {"anything": [1, "two", 3.0]},
    "last_error": "No quedan teléfonos por intentar",
    "failed_at": datetime.datetime(2025, 10, 25, 17, 47),
    "worker_id": "bot-2",
    "reserved_until": datetime.datetime(2025, 10, 25, 17, 49),
    "next_try_at": datetime.datetime(2025, 10, 25, 18, 47),
    "created_at": datetime.datetime(2025, 10, 25, 17, 41, 29),
}

NESTED_DATETIMES = {"at": datetime.datetime(2025, 10, 25, 17, 46), "list": [{"at": datetime.datetime(2025, 1, 1)}]}
# Under 16 MiB with the rest of the document (BSON's limit is 16,777,216 bytes).
NEAR_16_MB = 16 * 1024 * 1024 - 4096


def _job(shape, **fields):
    """A job of the shape `shape` (kept in `odd_shape`, shown in failure messages)."""
    return {"_id": ObjectId(), "odd_shape": shape, **fields}


def odd_jobs():
    """Fresh documents (the big one is built on each call, not at import)."""
    return [
        dict(LEGACY_FLAT_JOB, _id=ObjectId(), odd_shape="legacy flat fields"),
        dict(
            WORKER_JOB,
            _id=ObjectId(),
            job_id=WORKER_JOB["job_id"] + "_odd",
            odd_shape="worker job, dangling batch",
        ),
        _job("nothing but _id"),
        _job("int job_id", job_id=28, status="pending", batch_id=ODD_BATCH_ID),
        _job("Int64 job_id", job_id=Int64(29), status="failed", batch_id=ODD_BATCH_ID),
        _job("int status", job_id="odd-int-status", status=3),
        _job("null status", job_id="odd-null-status", status=None),
        _job("list status", job_id="odd-list-status", status=["pending", "failed"]),
        _job("dict status", job_id="odd-dict-status", status={"s": "failed"}),
        _job("unknown status", job_id="odd-unknown-status", status="paused_by_worker"),
        _job("string created_at", job_id="odd-str-created", status="pending", created_at="2025-10-25T17:00:00Z"),
        _job("int created_at", job_id="odd-int-created", status="failed", created_at=1761411600),
        _job("ObjectId batch_id", job_id="odd-oid-batch", status="pending", batch_id=ObjectId()),
        _job("int batch_id", job_id="odd-int-batch", status="failed", batch_id=7),
        _job("string contact", job_id="odd-str-contact", status="pending", contact="Juan Pérez +56911112222"),
        _job("list contact", job_id="odd-list-contact", status="pending", contact=[{"name": "Juan"}, "x"]),
        _job("string call_result", job_id="odd-str-result", status="failed", call_result="no_answer"),
        _job("list call_result", job_id="odd-list-result", status="failed", call_result=[{"status": "busy"}, 1]),
        _job(
            "Decimal128 values",
            job_id="odd-decimal",
            status="failed",
            estimated_cost=Decimal128("NaN"),
            call_duration_seconds=Decimal128("Infinity"),
            monto_pago_cliente=Decimal128("-NaN"),
            payload={"debt_amount": Decimal128("NaN"), "exact": Decimal128("12.50")},
        ),
        _job(
            "binary and regex",
            job_id="odd-binary",
            status="pending",
            to_number=Binary(b"\x00\xff+569"),
            payload={"blob": Binary(b"\x01\x02", 4), "pattern": Regex("^a.*", "i"), "compiled": re.compile("b+")},
            deduplication_key=Regex("x"),
        ),
        _job(
            "nested datetimes",
            job_id="odd-nested-dates",
            status="failed",
            call_result={"status": "failed", "timestamp": datetime.datetime(2025, 10, 25), "summary": NESTED_DATETIMES},
            contact={"name": {"first": "Ana"}, "dni": 12345678, "phones": "+56911112222"},
        ),
        _job(
            "wrong scalar types",
            job_id="odd-scalars",
            status="in_progress",
            account_id=17,
            attempts="two",
            max_attempts=[3],
            to_number=56911112222,
            is_calling="yes",
            worker_id=ObjectId(),
            reserved_until="soon",
            estimated_cost="12.5",
            last_error={"code": 1},
            mode=None,
            cancellation_reason=5,
            fecha_pago_cliente=datetime.datetime(2025, 11, 1),
        ),
        _job(
            "dollar and dotted keys",
            job_id="odd-keys",
            status="pending",
            **{"a.b": 1, "$weird": "x"},
            contact={"name.first": "Ana", "$ref": "nowhere"},
            payload={"x.y": {"$z": 1}},
        ),
        _job("string _id is elsewhere", job_id="odd-dup-job-id", status="pending"),
        {"_id": "job-with-a-string-id", "job_id": "odd-string-oid", "status": "failed", "odd_shape": "string _id"},
        {"_id": 12345, "job_id": "odd-int-oid", "status": "pending", "odd_shape": "int _id"},
        _job("near 16 MB", job_id="odd-huge", status="failed", last_error="x" * NEAR_16_MB),
    ]


def _batch(shape, **fields):
    return {"_id": ObjectId(), "odd_shape": shape, **fields}


def odd_batches():
    return [
        _batch("the odd jobs' batch", batch_id=ODD_BATCH_ID, name="Odd", account_id="retail_express", is_active=True),
        _batch("int name", batch_id="batch-odd-int-name", name=42, is_active=True),
        _batch("nothing but _id"),
        _batch("int batch_id", batch_id=7, name="Int id"),
        _batch("null batch_id", batch_id=None, name="No id"),
        _batch(
            "wrong scalar types",
            batch_id="batch-odd-scalars",
            name=["a", "b"],
            account_id=3,
            is_active="yes",
            priority="high",
            description={"x": 1},
            call_settings="fast",
            total_jobs="many",
            total_cost=Decimal128("NaN"),
            created_at="2025-10-28",
            cancelled_at=1,
            deleted_at=None,
        ),
        _batch("list call_settings", batch_id="batch-odd-list-settings", call_settings=[1, 2], created_at=17),
        _batch(
            "nested odd values",
            batch_id="batch-odd-nested",
            call_settings={"a.b": 1, "$x": Binary(b"\x00"), "when": NESTED_DATETIMES, "r": Regex("x")},
        ),
        {
            "_id": "batch-with-a-string-id",
            "batch_id": "batch-odd-string-oid",
            "name": "String _id",
            "odd_shape": "string _id",
        },
        {"_id": 99, "batch_id": "batch-odd-int-oid", "name": "Int _id", "odd_shape": "int _id"},
    ]


def insert_odd_documents():
    """Stores every odd job and batch (raw pymongo, as workers write); returns (jobs, batches)."""
    from batches.models import Batch
    from jobs.models import Job
    from speechai.mongo import collection

    jobs, batches = odd_jobs(), odd_batches()
    collection(Batch).insert_many(batches)
    collection(Job).insert_many(jobs)
    return jobs, batches
