"""Documents written the way the call workers write them (raw pymongo)."""

import datetime
import itertools
import uuid

from bson import ObjectId

from batches.models import Batch
from jobs.models import Job
from speechai.mongo import collection

_sequence = itertools.count()
# An ObjectId no document has; fixed, so that every pytest-xdist worker
# collects the same test ids.
UNKNOWN_OBJECT_ID = "5f0000000000000000000000"


def utc(*args):
    return datetime.datetime(*args)


def job_document(**overrides):
    n = next(_sequence)
    created_at = datetime.datetime(2025, 10, 25, 17, 0, 0) + datetime.timedelta(seconds=n)
    document = {
        "_id": ObjectId(),
        "job_id": f"job_retail_e_20251025_174129_{n:08x}",
        "account_id": "retail_express",
        "batch_id": None,
        "status": "pending",
        "mode": "single",
        "attempts": 0,
        "max_attempts": 3,
        "deduplication_key": f"retail_express::{10000000 + n}::single",
        "contact": {
            "name": f"Contact {n}",
            "dni": str(10000000 + n),
            "phones": ["+56912345678"],
            "next_phone_index": 0,
        },
        "to_number": "+56912345678",
        "payload": {
            "debt_amount": 150000.0,
            "due_date": "2025-11-15",
            "company_name": "Retail Express",
            "reference_number": str(10000000 + n),
            "additional_info": {"cantidad_cupones": 2},
        },
        "created_at": created_at,
        "updated_at": created_at,
    }
    document.update(overrides)
    return document


def insert_job(**overrides):
    document = job_document(**overrides)
    collection(Job).insert_one(document)
    return document


def insert_jobs(count, **overrides):
    documents = [job_document(**overrides) for _ in range(count)]
    collection(Job).insert_many(documents)
    return documents


def batch_document(**overrides):
    n = next(_sequence)
    document = {
        "_id": ObjectId(),
        "batch_id": f"batch-20251028-{uuid.uuid4().hex[:8]}",
        "account_id": "retail_express",
        "name": f"Campaign {n}",
        "description": "",
        "is_active": True,
        "priority": 1,
        "call_settings": None,
        "total_jobs": 0,
        "pending_jobs": 0,
        "completed_jobs": 0,
        "failed_jobs": 0,
        "suspended_jobs": 0,
        "total_cost": 0.0,
        "total_minutes": 0.0,
        "estimated_cost": 0.0,
        "created_at": datetime.datetime(2025, 10, 28, 12, 0, 0) + datetime.timedelta(seconds=n),
    }
    document.update(overrides)
    return document


def insert_batch(**overrides):
    document = batch_document(**overrides)
    collection(Batch).insert_one(document)
    return document


def stored_job(_id):
    return collection(Job).find_one({"_id": _id})
