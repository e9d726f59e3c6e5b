"""Intake benchmark: a generated 100,000-row xlsx previewed and imported on
the embedded database (SecantusDB in its own process, so that the memory
figures are the intake's), with the floor beside it: raw `insert_many` of
the same prepared documents.

    .venv/bin/python bench/intake.py [--rows 100000]

Prints rows/s for reading, planning and inserting, peak RSS, and the ratio
of the intake's insert rate to the floor."""

import argparse
import datetime
import os
import random
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HEADERS = ["RUTS", "Nombre", "Origen Empresa", "Saldo actualizado", "FechaVencimiento", "diasRetraso",
           "Teléfono móvil", "Teléfono Residencial"]  # fmt: skip


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024**2


def generate(path, rows):
    """Chilean debtors, one in ten on two rows (two debts of one person)."""
    from openpyxl import Workbook
    from stdnum.cl import rut

    random.seed(7)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADERS)
    person = 0
    for n in range(rows):
        if n % 10 != 1:
            person += 1
        number = 10_000_000 + person
        sheet.append([
            f"{number}-{rut.calc_check_digit(str(number))}",
            f"Persona {person}",
            "Retail Andes",
            random.randint(1_000, 2_000_000),
            datetime.datetime(2025, 11, 1) + datetime.timedelta(days=n % 60),
            n % 30,
            f"9{50_000_000 + person:08d}",
            f"22{2_000_000 + person % 1_000_000:07d}" if n % 3 else "",
        ])  # fmt: skip
    workbook.save(path)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_database():
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "secantusd-py"), "--host", "127.0.0.1", "--port", str(port),
         "--storage-path", ":memory:"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, f"mongodb://127.0.0.1:{port}/"
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("SecantusDB did not start")


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    arguments = parser.parse_args()
    path = ROOT / "var" / "bench" / f"intake-{arguments.rows}.xlsx"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _, seconds = timed(generate, path, arguments.rows)
        print(f"generated {path.name} ({path.stat().st_size / 1024**2:.1f} MB) in {seconds:.1f} s")
    server, uri = start_database()
    try:
        run(path, arguments.rows, uri)
    finally:
        server.terminate()
        server.wait()


def run(path, rows, uri):
    os.environ.update(MONGODB_URI=uri, DJANGO_SETTINGS_MODULE="speechai.settings", MONGODB_NAME="bench_intake")
    import django

    django.setup()
    from django.db import connections

    from audit.models import AuditSource
    from batches.indexes import BATCH_INDEXES
    from batches.intake import writing
    from batches.intake.account import intake_account
    from batches.intake.documents import job_documents
    from batches.intake.errors import Limits
    from batches.intake.planning import Options
    from batches.intake.planning import plan_rows
    from batches.intake.reading import open_table
    from batches.intake.services import NewBatch, Request, Upload, import_file, preview
    from jobs.indexes import JOB_INDEXES
    from speechai.indexes import ensure_indexes

    database = connections["default"]
    jobs = database.get_collection("jobs")
    ensure_indexes(jobs, JOB_INDEXES)
    ensure_indexes(database.get_collection("batches"), BATCH_INDEXES)
    database.get_collection("accounts").insert_one(
        {"account_id": "acc-bench0000001", "status": "active", "country": "CL", "plan_type": "unlimited",
         "cost_per_minute": 0.15, "cost_per_call_setup": 0.02}
    )  # fmt: skip
    limits = Limits.for_command()
    figures = {}
    rss_start = current_rss_mb()

    with open(path, "rb") as file:
        count, seconds = timed(lambda: sum(1 for _ in open_table(file, limits).rows))
    figures["reading"] = (count, seconds)
    rss_after_read = current_rss_mb()

    with open(path, "rb") as file:
        plan, seconds = timed(plan_rows, open_table(file, limits), "CL", limits)
    figures["reading + planning"] = (rows, seconds)
    account = intake_account("acc-bench0000001")
    documents = list(job_documents(plan.contacts, account=account, batch_id="batch-bench", options=Options()))
    rss_planned = current_rss_mb()

    def floor():
        for start in range(0, len(documents), writing.CHUNK):
            jobs.insert_many(documents[start : start + writing.CHUNK], ordered=False)

    def strip_ids():
        for document in documents:
            document.pop("_id", None)
        jobs.delete_many({})

    _, floor_seconds = timed(floor)
    strip_ids()
    _, insert_seconds = timed(writing.insert_jobs, iter(documents), len(documents))
    _, release_seconds = timed(writing.release_imported_jobs, "batch-bench")
    strip_ids()
    del documents, plan

    with open(path, "rb") as file:
        _, preview_seconds = timed(preview, Upload(file, path.name), Request("acc-bench0000001", limits=limits))
    with open(path, "rb") as file:
        result, import_seconds = timed(
            import_file, Upload(file, path.name), Request("acc-bench0000001", limits=limits),
            actor="bench", source=AuditSource.COMMAND, new_batch=NewBatch(name="bench"),
        )  # fmt: skip
    jobs_count = result["jobs_created"]

    read_rate = figures["reading"][0] / figures["reading"][1]
    plan_seconds = figures["reading + planning"][1] - figures["reading"][1]
    print(f"file: {path.name}, {path.stat().st_size / 1024**2:.1f} MB, {rows:,} data rows, {jobs_count:,} people/jobs")
    print(f"reading (calamine, rows streamed):   {read_rate:>10,.0f} rows/s  ({figures['reading'][1]:.2f} s)")
    print(f"planning (normalise, merge):         {rows / plan_seconds:>10,.0f} rows/s  ({plan_seconds:.2f} s)")
    print(f"inserting (intake writer, chunks):   {jobs_count / insert_seconds:>10,.0f} jobs/s  ({insert_seconds:.2f} s)")
    print(f"floor (raw insert_many, same docs):  {jobs_count / floor_seconds:>10,.0f} jobs/s  ({floor_seconds:.2f} s)")
    print(f"release (one update_many):           {jobs_count / release_seconds:>10,.0f} jobs/s  ({release_seconds:.2f} s)")
    print(f"insert / floor:                      {floor_seconds / insert_seconds:>10.2f}")
    print(f"preview end to end (incl. dup check): {preview_seconds:>9.2f} s ({rows / preview_seconds:,.0f} rows/s)")
    print(f"import end to end (scheduled->pending): {import_seconds:>7.2f} s ({rows / import_seconds:,.0f} rows/s)")
    print(
        f"RSS: start {rss_start:.0f} MB, after reading every row {rss_after_read:.0f} MB, "
        f"with the plan and {jobs_count:,} prepared documents {rss_planned:.0f} MB; peak {peak_rss_mb():.0f} MB"
    )


if __name__ == "__main__":
    main()
