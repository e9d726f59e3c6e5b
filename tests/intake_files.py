"""Contact files written by the tests themselves (openpyxl, xlwt, csv), with
real-looking Chilean and Argentine data, and the accounts they belong to."""

import csv
import datetime
import io

from bson import ObjectId
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from speechai.mongo import utc_now

# The original's Excel headers, exactly.
ORIGINAL_HEADERS = [
    "RUTS",
    "Nombre",
    "Origen Empresa",
    "Saldo actualizado",
    "FechaVencimiento",
    "diasRetraso",
    "Teléfono móvil",
    "Teléfono Residencial",
]
# RUTs with a valid check digit, and one without.
RUT_A, RUT_B, RUT_C = "12.345.678-5", "7.654.321-6", "15.555.555-6"
RUT_BAD = "12.345.678-0"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def account_document(**overrides):
    """An account as the accounts collection holds it."""
    now = utc_now()
    document = {
        "_id": ObjectId(),
        "account_id": "acc-a1b2c3d4e5f6",
        "account_name": "Cobranzas Andes",
        "plan_type": "credit_based",
        "status": "active",
        "country": "CL",
        "timezone": "America/Santiago",
        "minutes_purchased": 0.0,
        "minutes_used": 0.0,
        "minutes_reserved": 0.0,
        "credit_balance": 10000.0,
        "credit_used": 0.0,
        "credit_reserved": 0.0,
        "cost_per_minute": 0.15,
        "cost_per_call_setup": 0.02,
        "cost_failed_call": 0.01,
        "max_concurrent_calls": 5,
        "daily_call_limit": 1000,
        "calls_today": 0,
        "created_at": now,
        "updated_at": now,
    }
    document.update(overrides)
    return document


def insert_account(**overrides):
    from django.db import connections

    document = account_document(**overrides)
    connections["default"].get_collection("accounts").insert_one(document)
    return document


def xlsx_bytes(rows, before=()):
    """An .xlsx whose first sheet holds `before` (title lines), then `rows`."""
    workbook = Workbook()
    sheet = workbook.active
    for row in [*before, *rows]:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xls_bytes(rows):
    """A legacy Excel 97-2003 .xls (OLE2) of `rows`, dates as date cells."""
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Hoja1")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for row_number, row in enumerate(rows):
        for column, value in enumerate(row):
            if isinstance(value, datetime.datetime):
                sheet.write(row_number, column, value, date_style)
            elif value is not None:
                sheet.write(row_number, column, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, delimiter=",", encoding="utf-8"):
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(rows)
    return text.getvalue().encode(encoding)


def upload(content, name="deudores.xlsx", content_type=XLSX_TYPE):
    return SimpleUploadedFile(name, content, content_type=content_type)


def chilean_rows():
    """Six rows, five people: one on two rows, one with a bad RUT, one without a usable phone."""
    return [
        ORIGINAL_HEADERS,
        [
            RUT_A,
            "María José Pérez",
            "Retail Andes",
            150000,
            datetime.datetime(2025, 11, 10),
            5,
            "9 8765 4321",
            "22 345 6789",
        ],
        [
            RUT_A,
            "María José Pérez",
            "Retail Andes",
            "$45.500",
            datetime.datetime(2025, 11, 20),
            2,
            "+56987654321",
            "+56 2 2987 6543",
        ],
        [RUT_B, "Juan Soto", "Retail Andes", "1.234,50", "2025-12-01", 0, 56951234567, None],
        [RUT_C, "Ana Rojas", "Retail Andes", 80000, "15/11/2025", 10, None, "(32) 212 3456"],
        [RUT_BAD, "Pedro Malo", "Retail Andes", 1000, "2025-11-01", 0, "987650001", None],
        ["11.111.111-1", "Sin Teléfono", "Retail Andes", 5000, "2025-11-01", 0, "123", None],
    ]


def ods_bytes(rows):
    """A minimal OpenDocument spreadsheet (string cells), as LibreOffice saves one."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value):
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join(f"<table:table-row>{''.join(cell(value) for value in row)}</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Hoja1">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
