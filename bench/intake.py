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
ACCOUNT = "acc-bench0000001"
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


def setup_django(uri):
    os.environ.update(MONGODB_URI=uri, DJANGO_SETTINGS_MODULE="speechai.settings", MONGODB_NAME="bench_intake")
    import django

    django.setup()
    from django.db import connections

    from batches.indexes import BATCH_INDEXES
    from jobs.indexes import JOB_INDEXES
    from speechai.indexes import ensure_indexes

    database = connections["default"]
    ensure_indexes(database.get_collection("jobs"), JOB_INDEXES)
    ensure_indexes(database.get_collection("batches"), BATCH_INDEXES)
    database.get_collection("accounts").insert_one(
        {"account_id": ACCOUNT, "status": "active", "country": "CL", "plan_type": "unlimited"}
    )
    return database.get_collection("jobs")


def measure_reading_and_planning(path, limits, figures):
    from batches.intake.planning import plan_rows
    from batches.intake.reading import open_table

    figures["rss_start"] = current_rss_mb()
    with open(path, "rb") as file:
        figures["rows_read"], figures["read_s"] = timed(lambda: sum(1 for _ in open_table(file, limits).rows))
    figures["rss_read"] = current_rss_mb()
    with open(path, "rb") as file:
        plan, figures["read_plan_s"] = timed(plan_rows, open_table(file, limits), "CL", limits)
    return plan


def measure_floor(jobs, plan, figures):
    """The floor: raw insert_many, in the same chunks, of the documents the
    intake prepares (under another account, so the import below does not
    take them for duplicates)."""
    from batches.intake import writing
    from batches.intake.account import intake_account
    from batches.intake.documents import job_documents
    from batches.intake.planning import Options

    account = intake_account(ACCOUNT)
    documents = list(job_documents(plan.contacts, account=account, batch_id="batch-floor", options=Options()))
    for document in documents:
        document["account_id"] = "acc-floor"
    figures["rss_planned"] = current_rss_mb()

    def floor():
        for start in range(0, len(documents), writing.CHUNK):
            jobs.insert_many(documents[start : start + writing.CHUNK], ordered=False)

    _, figures["floor_s"] = timed(floor)


def measure_end_to_end(path, limits, figures):
    """Preview, then one real import; its insert and release phases timed."""
    from audit.models import AuditSource
    from batches.intake import writing
    from batches.intake.services import NewBatch, Request, Upload, import_file, preview

    with open(path, "rb") as file:
        _, figures["preview_s"] = timed(preview, Upload(file, path.name), Request(ACCOUNT, limits=limits))

    insert_jobs, release = writing.insert_jobs, writing.move_matching

    def timed_insert(*args, **kwargs):
        (inserted, skipped), figures["insert_s"] = timed(insert_jobs, *args, **kwargs)
        figures["jobs"] = inserted
        return inserted, skipped

    def timed_release(*args, **kwargs):
        released, figures["release_s"] = timed(release, *args, **kwargs)
        return released

    writing.insert_jobs, writing.move_matching = timed_insert, timed_release
    with open(path, "rb") as file:
        _, figures["import_s"] = timed(
            import_file, Upload(file, path.name), Request(ACCOUNT, limits=limits),
            actor="bench", source=AuditSource.COMMAND, new_batch=NewBatch(name="bench"),
        )  # fmt: skip
    writing.insert_jobs, writing.move_matching = insert_jobs, release


def report(path, rows, f):
    plan_s, jobs = f["read_plan_s"] - f["read_s"], f["jobs"]  # jobs: what the import created
    lines = [
        f"file: {path.name}, {path.stat().st_size / 1024**2:.1f} MB, {rows:,} data rows, {jobs:,} people/jobs",
        f"reading (calamine, rows streamed):      {f['rows_read'] / f['read_s']:>9,.0f} rows/s ({f['read_s']:.2f} s)",
        f"planning (normalise, merge):            {rows / plan_s:>9,.0f} rows/s ({plan_s:.2f} s)",
        f"inserting (import: build + insert):     {jobs / f['insert_s']:>9,.0f} jobs/s ({f['insert_s']:.2f} s)",
        f"floor (raw insert_many, same docs):     {jobs / f['floor_s']:>9,.0f} jobs/s ({f['floor_s']:.2f} s)",
        f"insert / floor:                         {f['floor_s'] / f['insert_s']:>9.2f}",
        f"release scheduled->pending (1 update):  {jobs / f['release_s']:>9,.0f} jobs/s ({f['release_s']:.2f} s)",
        f"preview end to end (dup check incl.):   {rows / f['preview_s']:>9,.0f} rows/s ({f['preview_s']:.2f} s)",
        f"import end to end:                      {rows / f['import_s']:>9,.0f} rows/s ({f['import_s']:.2f} s)",
        f"RSS: start {f['rss_start']:.0f} MB, after reading every row {f['rss_read']:.0f} MB, with the plan and "
        f"{jobs:,} prepared documents {f['rss_planned']:.0f} MB; peak {peak_rss_mb():.0f} MB",
    ]
    print("\n".join(lines))


def run(path, rows, uri):
    from batches.intake.errors import Limits

    jobs = setup_django(uri)
    limits, figures = Limits.for_command(), {}
    plan = measure_reading_and_planning(path, limits, figures)
    measure_floor(jobs, plan, figures)
    del plan
    measure_end_to_end(path, limits, figures)
    report(path, rows, figures)


if __name__ == "__main__":
    main()
