"""Documents written the way the call workers write them (raw pymongo)."""

import datetime
import itertools
import uuid

from bson import ObjectId

from accounts.models import Account
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


def account_document(**overrides):
    """An account as the original service stored it (floats, naive UTC dates)."""
    n = next(_sequence)
    document = {
        "_id": ObjectId(),
        "account_id": f"acc-{uuid.uuid4().hex[:12]}",
        "account_name": f"Customer {n}",
        "plan_type": "credit_based",
        "status": "active",
        "minutes_purchased": 0.0,
        "minutes_used": 0.0,
        "minutes_reserved": 0.0,
        "credit_balance": 100.0,
        "credit_used": 0.0,
        "credit_reserved": 0.0,
        "cost_per_minute": 0.15,
        "cost_per_call_setup": 0.02,
        "cost_failed_call": 0.01,
        "max_concurrent_calls": 5,
        "daily_call_limit": 1000,
        "calls_today": 0,
        "country": "CL",
        "timezone": None,
        "contact_name": "Ana Pérez",
        "contact_email": "ana@example.com",
        "contact_phone": None,
        "features": None,
        "settings": None,
        "created_at": datetime.datetime(2025, 10, 1, 12, 0, 0) + datetime.timedelta(seconds=n),
        "updated_at": datetime.datetime(2025, 10, 1, 12, 0, 0) + datetime.timedelta(seconds=n),
        "expires_at": None,
        "last_topup_at": None,
    }
    document.update(overrides)
    return document


def insert_account(**overrides):
    document = account_document(**overrides)
    collection(Account).insert_one(document)
    return document


def stored_account(_id):
    return collection(Account).find_one({"_id": _id})
