"""Hostile and odd files: each refused with a 4xx naming the problem, never a
500, never a batch left behind; odd but valid forms read correctly."""

import io
import zipfile

import pytest
from django.test import override_settings

from batches.intake.errors import Limits
from batches.intake.reading import open_table
from batches.models import Batch
from jobs.models import Job
from speechai.mongo import collection
from tests.api import make_user, token_client
from tests.intake_files import (
    ORIGINAL_HEADERS,
    RUT_A,
    XLSX_TYPE,
    chilean_rows,
    csv_bytes,
    insert_account,
    ods_bytes,
    upload,
    xls_bytes,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    insert_account()
    return token_client(make_user("operadora", "add_batch", "change_batch"))


def create(client, content, name="deudores.xlsx"):
    form = {"file": upload(content, name), "account_id": "acc-a1b2c3d4e5f6"}
    return client.post("/api/v1/batches/excel/create", form, format="multipart")


def refused(response, status, text):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert text in response.json()["detail"], response.json()
    assert collection(Batch).count_documents({}) == 0 and collection(Job).count_documents({}) == 0
    return True


def zip_of(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def xlsx_with_replaced(content, old, new):
    """The same workbook with one string of its first sheet's XML replaced."""
    source = zipfile.ZipFile(io.BytesIO(content))
    entries = {info.filename: source.read(info) for info in source.infolist()}
    entries["xl/worksheets/sheet1.xml"] = entries["xl/worksheets/sheet1.xml"].replace(old, new)
    return zip_of(entries)


def test_an_empty_file(client):
    assert refused(create(client, b""), 400, "empty")


def test_a_pdf_named_xlsx(client):
    assert refused(create(client, b"%PDF-1.7\n" + b"x" * 100), 400, "PDF")


def test_a_word_document_named_xlsx(client):
    assert refused(create(client, zip_of({"word/document.xml": "<w/>"})), 400, "not a spreadsheet")


def test_a_truncated_xlsx(client):
    assert refused(create(client, xlsx_bytes(chilean_rows())[:3000]), 400, "damaged")


def test_binary_junk(client):
    assert refused(create(client, bytes(range(256)) * 10, "datos.csv"), 400, "binary")


def test_a_csv_under_an_xlsx_name_is_read_by_its_content(client):
    response = create(client, csv_bytes(chilean_rows()), "deudores.xlsx")
    assert response.status_code == 201 and response.json()["jobs_created"] == 3


def test_an_ods_spreadsheet(client):
    response = create(client, ods_bytes(chilean_rows()), "deudores.ods")
    assert response.status_code == 201, response.json()
    assert response.json()["jobs_created"] == 3


def test_a_legacy_xls_reads_like_the_same_rows_in_xlsx(client):
    def imported_contacts(content, name, content_type):
        response = client.post(
            "/api/v1/batches/excel/create",
            {"file": upload(content, name, content_type), "account_id": "acc-a1b2c3d4e5f6"},
            format="multipart",
        )
        assert response.status_code == 201, response.content
        jobs = collection(Job).find({}, {"_id": 0, "contact": 1, "payload": 1}).sort("contact.dni")
        contacts = [(job["contact"], job["payload"]) for job in jobs]
        collection(Job).delete_many({})
        collection(Batch).delete_many({})
        return contacts

    from_xlsx = imported_contacts(xlsx_bytes(chilean_rows()), "deudores.xlsx", XLSX_TYPE)
    from_xls = imported_contacts(xls_bytes(chilean_rows()), "deudores.xls", "application/vnd.ms-excel")

    assert len(from_xls) == 3
    assert from_xls == from_xlsx


def test_a_file_without_the_needed_columns_lists_expected_and_found(client):
    content = xlsx_bytes([["RUT", "Nombre", "Dirección"], [RUT_A, "Ana", "Av. Matta 123"]])
    response = create(client, content)
    assert refused(response, 400, "Missing a phone column")
    assert "Columns found: RUT, Nombre, Dirección" in response.json()["detail"]
    assert "mobile" in response.json()["expected"]


def test_a_file_without_any_header(client):
    assert refused(create(client, xlsx_bytes([["a", "b"], [1, 2]])), 400, "No header row found")


def test_the_header_may_come_after_title_lines(client):
    content = xlsx_bytes(chilean_rows(), before=[["Cartera Retail Andes"], [], ["Generado 2025-11-01"]])
    response = create(client, content)
    assert response.status_code == 201
    assert response.json()["errors"][0]["row"] == 9  # line numbers of the file, title lines included


def test_headers_match_without_case_accents_spaces_or_underscores(client):
    rows = [["  rut ", "NOMBRE", "telefono_MOVIL", "saldo_actualizado"], [RUT_A, "Ana", "987654321", "1.000"]]
    response = create(client, xlsx_bytes(rows))
    assert response.status_code == 201
    assert response.json()["batch"]["total_jobs"] == 1


def test_formulas_are_read_as_their_cached_values(client):
    rows = [ORIGINAL_HEADERS, [RUT_A, "Ana", "Retail", "=1+2", "2025-11-10", 0, "987654321", ""]]
    content = xlsx_with_replaced(xlsx_bytes(rows), b"<f>1+2</f><v />", b"<f>1+2</f><v>4242</v>")
    response = create(client, content)
    assert response.status_code == 201
    job = collection(Job).find_one()
    assert job["payload"]["debt_amount"] == 4242.0


@override_settings(INTAKE_MAX_UNCOMPRESSED_BYTES=4 * 1024 * 1024)
def test_a_zip_bomb_is_refused_before_it_is_inflated_whole(client):
    content = xlsx_with_replaced(
        xlsx_bytes(chilean_rows()), b"</worksheet>", b"<!--" + b" " * 5_000_000 + b"--></worksheet>"
    )
    assert len(content) < 100_000
    assert refused(create(client, content), 400, "inflates to more than 4 MB")


def test_the_default_inflation_budget_is_200_mb():
    assert Limits.for_requests().max_uncompressed_bytes == 200 * 1024 * 1024


def test_a_row_of_10000_columns_in_xlsx(client):
    rows = [*chilean_rows(), [RUT_A] + [""] * 9998 + ["x"]]
    assert refused(create(client, xlsx_bytes(rows)), 400, "uses 10,000 columns")


def test_a_row_of_10000_columns_in_csv(client):
    content = csv_bytes([*chilean_rows(), ["x"] * 10_000])
    assert refused(create(client, content, "d.csv"), 400, "has 10,000 columns")


def test_a_cell_of_one_megabyte(client):
    rows = [*chilean_rows(), [RUT_A, "A" * 1_048_576]]
    # calamine cuts an xlsx cell at Excel's 32,767 characters: still over the limit.
    assert refused(create(client, xlsx_bytes(rows)), 400, "Row 8: a cell of 32,767 characters")
    assert refused(create(client, csv_bytes(rows), "d.csv"), 400, "could not be read")


@override_settings(INTAKE_MAX_FILE_BYTES=50_000)
def test_a_file_over_the_size_limit_is_a_json_413(client):
    response = create(client, b"RUT,Nombre,Celular\n" + b"1,a,2\n" * 300_000, "d.csv")
    assert refused(response, 413, "the file limit is 50,000 bytes")


@override_settings(INTAKE_MAX_FILE_BYTES=50_000)
def test_a_file_over_the_size_limit_within_the_form_overhead_is_a_json_413(client):
    response = create(client, b"RUT,Nombre,Celular\n" + b"1,a,2\n" * 9_000, "d.csv")
    assert refused(response, 413, "The file has 54,019 bytes; the limit is 50,000 bytes")


@override_settings(INTAKE_MAX_ROWS=3)
def test_too_many_rows(client):
    assert refused(create(client, xlsx_bytes(chilean_rows())), 400, "more than 3 data rows")


@override_settings(INTAKE_MAX_JOBS=2)
def test_too_many_contacts_for_one_request(client):
    assert refused(create(client, xlsx_bytes(chilean_rows())), 400, "the limit is 2 per request")


def test_a_file_where_no_row_can_be_called(client):
    rows = [ORIGINAL_HEADERS, [RUT_A, "Ana", "", 1000, "2025-11-10", 0, "12", "34"]]
    response = create(client, xlsx_bytes(rows))
    assert refused(response, 400, "No row of the file can become a job")
    assert response.json()["errors"][-1]["message"].startswith("No valid CL phone number")


def test_utf8_with_bom_and_comma(client):
    content = b"\xef\xbb\xbf" + csv_bytes(chilean_rows())
    response = create(client, content, "d.csv")
    assert response.status_code == 201
    assert "RUTS" in response.json()["batch"]["description"] or response.json()["jobs_created"] == 3


@pytest.mark.parametrize(
    "raw",
    [
        "+56 9 8765 4321",
        "+56987654321",
        "56987654321",
        "987654321",
        "9-8765-4321",
        "(9) 8765 4321",
        987654321,
        56987654321.0,
    ],
)
def test_chilean_mobiles_in_every_odd_form(client, raw):
    rows = [["RUT", "Nombre", "Celular"], [RUT_A, "Ana", raw]]
    response = create(client, xlsx_bytes(rows))
    assert response.status_code == 201, response.json()
    assert collection(Job).find_one()["to_number"] == "+56987654321"


@pytest.mark.parametrize("raw", ["12.345.678-5", "12345678-5", "123456785", 123456785, " 12.345.678-5 ", "12345678 5"])
def test_ruts_in_every_odd_form(client, raw):
    rows = [["RUT", "Nombre", "Celular"], [raw, "Ana", "987654321"]]
    response = create(client, xlsx_bytes(rows))
    assert response.status_code == 201, response.json()
    assert collection(Job).find_one()["contact"]["dni"] == "12345678-5"


def test_a_rut_ending_in_k():
    from batches.intake.normalising import national_id

    assert national_id("6.172.396-k", "CL") == "6172396-K"


def test_rows_stream_from_the_sheet():
    table = open_table(io.BytesIO(xlsx_bytes(chilean_rows())), Limits.for_requests())
    rows = table.rows
    assert next(rows) == (1, ORIGINAL_HEADERS)
    assert table.format == "xlsx"
