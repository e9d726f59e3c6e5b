"""Fill the database with demo campaigns and call jobs, written the way the
call workers write them, so that /docs and the admin show something real."""

import datetime
import random
import uuid

from bson import Int64, ObjectId
from django.core.management.base import BaseCommand

from accounts.models import Account
from batches.dashboard_hours import forget_stored_hours
from batches.models import Batch
from jobs.counters import counter_drift, repair_counters
from jobs.models import Job, JobStatus
from speechai.demo_calls import DemoCalls
from speechai.mongo import collection, utc_now

INSERT_CHUNK = 5000
ACCOUNTS = ["retail_express", "acc-a1b2c3d4e5f6", "cobranzas_sur"]
COMPANIES = ["Retail Express", "Banco Austral", "Cobranzas Sur", "Telco Andes"]
FIRST_NAMES = ["María", "José", "Camila", "Matías", "Valentina", "Benjamín", "Sofía", "Joaquín", "Isidora", "Tomás"]
LAST_NAMES = ["González", "Muñoz", "Rojas", "Díaz", "Pérez", "Soto", "Contreras", "Silva", "Martínez", "Sepúlveda"]
# How often each status appears among the demo jobs.
STATUS_WEIGHTS = {
    JobStatus.PENDING: 30,
    JobStatus.SCHEDULED: 4,
    JobStatus.IN_PROGRESS: 6,
    JobStatus.DONE: 30,
    JobStatus.COMPLETED: 4,
    JobStatus.FAILED: 16,
    JobStatus.SUSPENDED: 2,
    JobStatus.CANCELLED: 8,
}
CALL_SETTINGS = {
    "max_call_duration": 300,
    "ring_timeout": 30,
    "max_attempts": 3,
    "retry_delay_hours": 2,
    "allowed_hours": {"start": "09:00", "end": "20:00"},
    "days_of_week": [1, 2, 3, 4, 5],
    "timezone": "America/Santiago",
}


class DemoData:
    def __init__(self, rng, now):
        self.rng = rng
        self.now = now
        self.calls = DemoCalls(rng, now)
        # National ids drawn so far: a debtor twice in one campaign would break
        # the unique deduplication_key (likely past ~10k jobs per campaign).
        self.dnis = set()

    def batch(self, index, created_at):
        batch_id = f"batch-{created_at:%Y%m%d}-{uuid.UUID(int=self.rng.getrandbits(128)).hex[:8]}"
        return {
            "_id": ObjectId(),
            "account_id": ACCOUNTS[index % len(ACCOUNTS)],
            "batch_id": batch_id,
            "name": f"{COMPANIES[index % len(COMPANIES)]} — campaña {index + 1}",
            "description": f"Importado desde Excel con {self.rng.randint(50, 900)} deudores",
            "total_jobs": 0,
            "pending_jobs": 0,
            "completed_jobs": 0,
            "failed_jobs": 0,
            "suspended_jobs": 0,
            "total_cost": 0.0,
            "total_minutes": 0.0,
            "estimated_cost": round(self.rng.uniform(10, 500), 2),
            "is_active": index % 4 != 3,  # every fourth campaign paused
            "priority": self.rng.randint(1, 4),
            "call_settings": CALL_SETTINGS if index % 2 == 0 else None,
            "created_at": created_at,
            "started_at": None,
            "completed_at": None,
            "updated_at": created_at,
        }

    def job(self, index, batch, status):
        rng = self.rng
        created_at = (batch or {}).get("created_at") or self.now - datetime.timedelta(days=rng.randint(1, 60))
        # Imported within minutes of its campaign; never in the future.
        created_at = min(created_at + datetime.timedelta(seconds=rng.randint(0, 600)), self.now)
        account_id = (batch or {}).get("account_id", ACCOUNTS[0])
        dni = self.new_dni()
        phones = [f"+569{rng.randint(10_000_000, 99_999_999)}" for _ in range(rng.choice([1, 1, 2]))]
        document = {
            "_id": ObjectId(),
            "job_id": f"job_{account_id[:8]}_{created_at:%Y%m%d_%H%M%S}_{uuid.UUID(int=rng.getrandbits(128)).hex[:8]}",
            "account_id": account_id,
            "batch_id": (batch or {}).get("batch_id"),
            "status": str(status),
            "mode": "single",
            "attempts": 0,
            "max_attempts": 3,
            "deduplication_key": f"{account_id}::{dni}::{(batch or {}).get('batch_id') or 'single'}",
            "contact": {
                "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "dni": dni,
                "phones": phones,
                "next_phone_index": 0,
            },
            "to_number": phones[0],
            "payload": {
                "debt_amount": float(rng.randrange(20_000, 2_000_000, 500)),
                "due_date": (created_at + datetime.timedelta(days=rng.randint(5, 40))).strftime("%Y-%m-%d"),
                "company_name": rng.choice(COMPANIES),
                "reference_number": dni,
                "additional_info": {"cantidad_cupones": rng.randint(1, 12)},
            },
            "created_at": created_at,
            "updated_at": created_at,
        }
        self.add_worker_fields(document, status)
        return document

    def new_dni(self):
        while (dni := str(self.rng.randint(5_000_000, 25_000_000)) + self.rng.choice("0123456789K")) in self.dnis:
            pass
        self.dnis.add(dni)
        return dni

    def add_worker_fields(self, job, status):
        """What the workers leave behind in each status."""
        rng, now = self.rng, self.now
        worker = f"bot-{rng.randint(1, 6)}"
        if status == JobStatus.IN_PROGRESS:
            started = now - datetime.timedelta(seconds=rng.randint(5, 900))
            # Some leases already expired: a crashed worker (release_stale_jobs finds them).
            lease_end = started + datetime.timedelta(seconds=120)
            job.update(
                status="in_progress",
                worker_id=worker,
                started_at=started,
                reserved_until=lease_end,
                attempts=Int64(1),
                call_id=f"call_{uuid.UUID(int=rng.getrandbits(128)).hex[:28]}",
                call_started_at=started,
                is_calling=True,
                updated_at=started,
            )
        elif status in (JobStatus.DONE, JobStatus.COMPLETED, JobStatus.FAILED):
            job.update(attempts=Int64(rng.randint(1, 3)), worker_id=worker)
            job.update(self.calls.call(job, success=status != JobStatus.FAILED))
            job["reserved_until"] = job["started_at"] + datetime.timedelta(seconds=120)
        elif status == JobStatus.SCHEDULED:
            job["next_try_at"] = now + datetime.timedelta(hours=rng.randint(1, 48))
        elif status == JobStatus.SUSPENDED:
            job["last_error"] = "Saldo insuficiente: Sin minutos disponibles (restantes: 0)"
        elif status == JobStatus.CANCELLED:
            cancelled = self.calls.call_time(job["created_at"])
            job.update(
                cancellation_reason="Cancelled by user",
                cancelled_at=cancelled,
                cancelled_by="supervisor",
                updated_at=cancelled,
            )

    def legacy_flat_job(self, index):
        """A pre-`contact`/`payload` document, as old imports left them."""
        created_at = self.now - datetime.timedelta(days=200, seconds=index)
        rut = str(self.rng.randint(5_000_000, 25_000_000))
        return {
            "_id": ObjectId(),
            "status": self.rng.choice(["done", "failed", "pending"]),
            "rut": rut + "9",
            "rut_fmt": f"{int(rut):,}".replace(",", ".") + "-9",
            "nombre": f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}",
            "to_number": f"+569{self.rng.randint(10_000_000, 99_999_999)}",
            "try_phones": [],
            "monto_total": float(self.rng.randrange(50_000, 900_000, 100)),
            "fecha_limite": "2025-05-30",
            "origen_empresa": "Retail Express",
            "cantidad_cupones": Int64(2),
            "tries": 1,
            "created_at": created_at,
        }


# The demo batches' accounts (ACCOUNTS), one Chilean and one Argentine among them.
DEMO_ACCOUNTS = [
    {"account_id": ACCOUNTS[0], "account_name": "Retail Express", "country": "CL", "plan_type": "credit_based"},
    {"account_id": ACCOUNTS[1], "account_name": "Banco Austral", "country": "AR", "plan_type": "minutes_based"},
    {"account_id": ACCOUNTS[2], "account_name": "Cobranzas Sur", "country": "CL", "plan_type": "unlimited"},
]


def insert_demo_accounts(now):
    """The accounts the demo batches name, as the original service stored
    them; an account_id already there is left alone (idempotent)."""
    for index, account in enumerate(DEMO_ACCOUNTS):
        document = {
            **account,
            "status": "active",
            "contact_name": "Demo contact",
            "contact_email": f"ops@{account['account_id'].replace('_', '-')}.example",
            "timezone": "America/Argentina/Buenos_Aires" if account["country"] == "AR" else "America/Santiago",
            "minutes_purchased": 5000.0,
            "minutes_used": 1234.5,
            "minutes_reserved": 0.0,
            "credit_balance": 800.0,
            "credit_used": round(312.4 * (index + 1), 2),
            "credit_reserved": 0.0,
            "cost_per_minute": 0.15,
            "cost_per_call_setup": 0.02,
            "cost_failed_call": 0.01,
            "max_concurrent_calls": 5,
            "daily_call_limit": 1000,
            "calls_today": 17 * (index + 1),
            "features": None,
            "settings": None,
            "created_at": now - datetime.timedelta(days=90 - index),
            "updated_at": now,
            "expires_at": None,
            "last_topup_at": None,
        }
        collection(Account).update_one({"account_id": account["account_id"]}, {"$setOnInsert": document}, upsert=True)


class Command(BaseCommand):
    help = "Insert demo batches and jobs in every status (worker-style documents), in bulk."

    def add_arguments(self, parser):
        parser.add_argument("--jobs", type=int, default=600, help="How many jobs (default 600).")
        parser.add_argument("--batches", type=int, default=8, help="How many batches (default 8).")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the jobs collection has data.")
        parser.add_argument("--random-seed", type=int, default=None, help="Repeatable data.")

    def handle(self, jobs, batches, if_empty, random_seed, **options):
        jobs_collection, batches_collection = collection(Job), collection(Batch)
        if if_empty and jobs_collection.find_one({}, {"_id": 1}) is not None:
            self.stdout.write("The jobs collection has data already: no demo data added.")
            return
        demo = DemoData(random.Random(random_seed), utc_now())
        insert_demo_accounts(demo.now)
        batch_documents = [
            # Campaigns started every few days, the newest yesterday.
            demo.batch(
                index, demo.now - datetime.timedelta(days=(batches - index) * 3 - 2, hours=demo.rng.randint(0, 9))
            )
            for index in range(batches)
        ]
        if batch_documents:
            batches_collection.insert_many(batch_documents)
        # A campaign that was removed while its jobs remained: their batch_id dangles.
        gone_batch = {"batch_id": "batch-2025-10-25-144129-862530", "account_id": ACCOUNTS[0]}
        statuses, weights = zip(*STATUS_WEIGHTS.items(), strict=True)
        legacy_count = min(5, jobs // 50)
        inserted = 0
        chunk = []
        for index in range(jobs - legacy_count):
            batch = gone_batch if index % 97 == 0 else (demo.rng.choice(batch_documents) if batch_documents else None)
            chunk.append(demo.job(index, batch, demo.rng.choices(statuses, weights)[0]))
            if len(chunk) == INSERT_CHUNK:
                jobs_collection.insert_many(chunk, ordered=False)
                inserted += len(chunk)
                chunk = []
                self.stdout.write(f"  {inserted} jobs inserted...")
        chunk += [demo.legacy_flat_job(index) for index in range(legacy_count)]
        if chunk:
            jobs_collection.insert_many(chunk, ordered=False)
            inserted += len(chunk)
        repair_counters(counter_drift([batch["batch_id"] for batch in batch_documents]))
        forget_stored_hours()  # calls were written in hours the dashboard may have stored
        self.stdout.write(self.style.SUCCESS(f"Demo data: {len(batch_documents)} batches, {inserted} jobs."))
