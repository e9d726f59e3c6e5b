"""Fill the database with demo campaigns and call jobs, written the way the
call workers write them, so that /docs and the admin show something real."""

import datetime
import random
import uuid

from bson import Int64, ObjectId
from django.core.management.base import BaseCommand

from batches.models import Batch
from jobs.counters import counter_drift, repair_counters
from jobs.models import Job, JobStatus
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
        created_at += datetime.timedelta(seconds=index)
        account_id = (batch or {}).get("account_id", ACCOUNTS[0])
        dni = str(rng.randint(5_000_000, 25_000_000)) + rng.choice("0123456789K")
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
            started = job["created_at"] + datetime.timedelta(hours=rng.randint(1, 48))
            duration = rng.randint(15, 420)
            ended = started + datetime.timedelta(seconds=duration)
            success = status != JobStatus.FAILED
            call_status = "ended" if success else rng.choice(["not_connected", "error", "dial_no_answer"])
            job.update(
                attempts=Int64(rng.randint(1, 3)),
                worker_id=worker,
                started_at=started,
                reserved_until=started + datetime.timedelta(seconds=120),
                call_id=f"call_{uuid.UUID(int=rng.getrandbits(128)).hex[:28]}",
                call_started_at=started,
                call_ended_at=ended,
                call_duration_seconds=duration,
                is_calling=True,
                updated_at=ended,
                call_result=self.call_result(success, call_status, started, ended, duration),
            )
            if success:
                job["finished_at"] = ended
                if rng.random() < 0.4:
                    job["fecha_pago_cliente"] = (ended + datetime.timedelta(days=rng.randint(1, 20))).strftime(
                        "%Y-%m-%d"
                    )
                    job["monto_pago_cliente"] = rng.choice([rng.randrange(10_000, 500_000, 1000), "50.000"])
            else:
                job.update(
                    last_attempt_result=call_status,
                    next_try_at=ended + datetime.timedelta(minutes=rng.choice([30, 60])),
                    last_error=rng.choice(["No quedan teléfonos por intentar", "Timeout en seguimiento de llamada"]),
                )
        elif status == JobStatus.SCHEDULED:
            job["next_try_at"] = now + datetime.timedelta(hours=rng.randint(1, 48))
        elif status == JobStatus.SUSPENDED:
            job["last_error"] = "Saldo insuficiente: Sin minutos disponibles (restantes: 0)"
        elif status == JobStatus.CANCELLED:
            cancelled = job["created_at"] + datetime.timedelta(hours=rng.randint(1, 24))
            job.update(
                cancellation_reason="Cancelled by user",
                cancelled_at=cancelled,
                cancelled_by="supervisor",
                updated_at=cancelled,
            )

    def call_result(self, success, call_status, started, ended, duration):
        cost_cents = round(duration / 60 * 9.5, 2)
        return {
            "success": success,
            "status": call_status,
            "summary": {
                "call_status": call_status,
                "disconnection_reason": "user_hangup" if success else "dial_no_answer",
                "duration_ms": Int64(duration * 1000),
                "start_timestamp": Int64(int(started.timestamp() * 1000)),
                "end_timestamp": Int64(int(ended.timestamp() * 1000)),
                "call_cost": {"combined_cost": cost_cents, "total_duration_seconds": duration},
                "call_analysis": {
                    "call_summary": "El cliente se compromete a pagar." if success else "No contesta.",
                    "user_sentiment": self.rng.choice(["Positive", "Neutral", "Negative"]),
                    "call_successful": success,
                },
                "recording_url": f"https://recordings.example/{uuid.UUID(int=self.rng.getrandbits(128)).hex}.wav",
                "transcript": "Agente: Hola, le llamo de ... " if success else "",
            },
            "details": {"agent_id": "agent_demo", "from_number": "+56229999999"},
            "timestamp": ended,  # a BSON datetime nested in the result, as workers write it
        }

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
        batch_documents = [
            demo.batch(index, demo.now - datetime.timedelta(days=batches - index)) for index in range(batches)
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
        self.stdout.write(self.style.SUCCESS(f"Demo data: {len(batch_documents)} batches, {inserted} jobs."))
