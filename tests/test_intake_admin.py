"""Admin: "Import contacts" (upload -> preview -> confirm) and "Add contacts"."""

import re

import pytest
from django.test import override_settings

from audit.models import AuditEntry
from batches.models import Batch
from jobs.models import Job
from speechai.mongo import collection
from tests.intake_files import chilean_rows, csv_bytes, insert_account, upload, xlsx_bytes
from tests.staff import logged_in, staff_user

pytestmark = pytest.mark.django_db
IMPORT_URL = "/admin/batches/batch/import/"


@pytest.fixture(autouse=True)
def upload_dir(tmp_path):
    with override_settings(INTAKE_UPLOAD_DIR=str(tmp_path)):
        yield tmp_path


@pytest.fixture
def operator(client):
    insert_account()
    return logged_in(client, staff_user("operadora", "view_batch", "add_batch", "change_batch"))


def hidden_fields(html):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def preview_and_confirm(client, url, form):
    preview = client.post(url, form)
    return client.post(url, hidden_fields(preview.content.decode()))


def test_import_contacts_previews_then_creates_the_batch(operator, upload_dir):
    assert "Import contacts" in operator.get("/admin/batches/batch/").content.decode()

    form = {
        "file": upload(xlsx_bytes(chilean_rows())),
        "account_id": "acc-a1b2c3d4e5f6",
        "batch_name": "Admin",
        "processing_type": "basic",
    }
    preview = operator.post(IMPORT_URL, form)

    html = preview.content.decode()
    assert preview.status_code == 200
    assert "<strong>3</strong> jobs will be created from 6 rows" in html
    assert "RUTS</td><td>national_id" in html and "+56987654321" in html
    assert "12.345.678-0" in html  # the row error
    assert collection(Batch).count_documents({}) == 0
    fields = hidden_fields(html)
    assert (upload_dir / f"{fields['sha256']}.upload").exists()

    confirmed = operator.post(IMPORT_URL, fields)

    batch = collection(Batch).find_one()
    assert confirmed.status_code == 302 and confirmed["Location"] == f"/admin/batches/batch/{batch['_id']}/change/"
    assert batch["name"] == "Admin" and batch["import_status"] == "complete"
    assert collection(Job).count_documents({"status": "pending"}) == 3
    assert AuditEntry.objects.get().source == "admin"
    assert not (upload_dir / f"{fields['sha256']}.upload").exists()


def test_a_tampered_or_expired_file_reference_asks_for_the_upload_again(operator):
    fields = {
        "account_id": "acc-a1b2c3d4e5f6",
        "processing_type": "basic",
        "sha256": "0" * 64,
        "file_name": "x.xlsx",
        "confirm": "yes",
    }
    response = operator.post(IMPORT_URL, fields)
    assert "no longer on the server" in response.content.decode()
    assert collection(Batch).count_documents({}) == 0


def test_a_refused_file_is_shown_on_the_upload_page(operator):
    form = {"file": upload(b"%PDF-1.4 x", "x.xlsx"), "account_id": "acc-a1b2c3d4e5f6", "processing_type": "basic"}
    response = operator.post(IMPORT_URL, form)
    assert "The file is a PDF document" in response.content.decode()


def test_add_contacts_on_a_batch_page(operator):
    first = {
        "file": upload(xlsx_bytes(chilean_rows()[:2])),
        "account_id": "acc-a1b2c3d4e5f6",
        "processing_type": "basic",
    }
    preview_and_confirm(operator, IMPORT_URL, first)
    batch = collection(Batch).find_one()
    change_url = f"/admin/batches/batch/{batch['_id']}/change/"
    assert "Add contacts" in operator.get(change_url).content.decode()
    add_url = f"/admin/batches/batch/{batch['_id']}/add-contacts/"
    rows = [["rut", "nombre", "celular"], ["9.876.543-3", "Luis Vera", "+56 9 7777 1234"]]

    confirmed = preview_and_confirm(
        operator, add_url, {"file": upload(csv_bytes(rows), "mas.csv"), "processing_type": "basic"}
    )

    assert confirmed.status_code == 302
    assert collection(Job).count_documents({"batch_id": batch["batch_id"]}) == 2


def test_without_the_permissions_nothing_is_offered(client):
    insert_account()
    reader = logged_in(client, staff_user("lectora", "view_batch"))
    assert "Import contacts" not in reader.get("/admin/batches/batch/").content.decode()
    assert reader.get(IMPORT_URL).status_code == 403
