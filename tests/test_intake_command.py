"""`manage.py import_contacts`: the intake pipeline for files too big for a request."""

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditAction, AuditEntry
from batches.models import Batch
from jobs.models import Job
from speechai.mongo import collection
from tests.commands import run
from tests.intake_files import chilean_rows, csv_bytes, insert_account, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact_file(tmp_path):
    insert_account()
    path = tmp_path / "deudores.xlsx"
    path.write_bytes(xlsx_bytes(chilean_rows()))
    return path


def test_dry_run_reports_and_writes_nothing(contact_file):
    out = run("import_contacts", str(contact_file), "--account", "acc-a1b2c3d4e5f6", "--dry-run")

    assert "Rows read: 6" in out and "Contacts (rows merged by national id): 3" in out
    assert "Dry run: 3 jobs would be created" in out
    assert "row 6 [RUTS] '12.345.678-0'" in out
    assert collection(Batch).count_documents({}) == 0 and collection(Job).count_documents({}) == 0


def test_import_into_a_new_batch_is_audited(contact_file, capsys):
    out = run(
        "import_contacts",
        str(contact_file),
        "--account",
        "acc-a1b2c3d4e5f6",
        "--name",
        "Noviembre",
        "--actor",
        "ops-bot",
    )

    batch = collection(Batch).find_one()
    assert f"Jobs created: 3 in batch {batch['batch_id']}" in out
    assert batch["name"] == "Noviembre" and batch["import_status"] == "complete"
    assert collection(Job).count_documents({"status": "pending"}) == 3
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT_CONTACTS)
    assert entry.actor == "ops-bot" and entry.source == "command"
    assert entry.details["file_name"].endswith("deudores.xlsx") and len(entry.details["sha256"]) == 64
    assert (entry.details["rows"], entry.details["created"], entry.details["invalid_rows"]) == (6, 3, 2)
    assert entry.details["released"] == 3  # the release is this entry's, under its stamp
    assert {job["action_id"] for job in collection(Job).find()} == {entry.details["action_id"]}


def test_import_into_an_existing_batch_skips_duplicates(contact_file, tmp_path):
    run("import_contacts", str(contact_file), "--account", "acc-a1b2c3d4e5f6")
    batch_id = collection(Batch).find_one()["batch_id"]
    more = tmp_path / "mas.csv"
    more.write_bytes(
        csv_bytes(
            [*chilean_rows(), ["9.876.543-3", "Luis Vera", "Retail", 1000, "2025-11-01", 0, "+56 9 7777 1234", ""]]
        )
    )

    out = run("import_contacts", str(more), "--account", "acc-a1b2c3d4e5f6", "--batch", batch_id)

    assert "Duplicates skipped: 3" in out and f"Jobs created: 1 in batch {batch_id}" in out
    assert collection(Job).count_documents({"batch_id": batch_id}) == 4


def test_a_refused_file_is_a_command_error(tmp_path):
    insert_account()
    path = tmp_path / "vacio.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="The file is empty"):
        call_command("import_contacts", str(path), "--account", "acc-a1b2c3d4e5f6")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_contacts", str(tmp_path / "missing.xlsx"), "--account", "acc-a1b2c3d4e5f6")
