"""Jobs as a customer report: one row per job in CSV or XLSX, streamed in
chunks (one cursor, `EXPORT_CHUNK` documents per round trip) so that 100k
rows never sit in memory. Each export is audited: started before the first
row with the filter, completed with the number of rows sent."""

import codecs
import csv
import datetime
import io
import tempfile

import xlsxwriter

from audit.models import AuditAction
from audit.services import finish_action, start_action
from jobs.call_facts import contact_dni, contact_name, last_call, number, phone, text
from jobs.models import Job
from speechai.mongo import NEWEST_FIRST, collection

EXPORT_CHUNK = 1000
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
# Only what the columns read (never `call_result.details`, Retell's whole payload).
PROJECTION = [
    "contact.name",
    "contact.dni",
    "contact.phones",
    "nombre",
    "rut",
    "rut_fmt",
    "to_number",
    "batch_id",
    "status",
    "attempts",
    "call_ended_at",
    "call_duration_seconds",
    "call_result.success",
    "call_result.status",
    "call_result.timestamp",
    "call_result.summary.call_status",
    "call_result.summary.disconnection_reason",
    "call_result.summary.duration_ms",
    "call_result.summary.call_cost",
    "fecha_pago_cliente",
    "monto_pago_cliente",
]
HEADER = [
    "Name",
    "National ID",
    "Phone",
    "Campaign",
    "Status",
    "Attempts",
    "Last outcome",
    "Disconnection reason",
    "Call time (UTC)",
    "Duration (s)",
    "Payment promise date",
    "Payment promise amount",
    "Cost (USD)",
]
# A spreadsheet runs a cell starting with one of these (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def job_row(document):
    """One job as typed cells (str, int/float, naive UTC datetime or None)."""
    call = last_call(document)
    return [
        contact_name(document),
        contact_dni(document),
        phone(document),
        text(document.get("batch_id")),
        text(document.get("status")),
        whole(number(document.get("attempts"))),
        call.outcome,
        call.outcome_detail if call.called else None,
        call.ended_at.replace(tzinfo=None) if call.ended_at else None,
        whole(call.duration_seconds),
        call.promise_date,
        call.promise_amount,
        call.cost_usd,
    ]


def whole(value):
    """95.0 -> 95 (a cell reads "95", not "95.0")."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def job_rows(query):
    """Typed rows of every job `query` matches, newest first (the list's
    order, served by the same indexes), read `EXPORT_CHUNK` at a time."""
    cursor = collection(Job).find(query, PROJECTION, sort=NEWEST_FIRST, batch_size=EXPORT_CHUNK)
    with cursor:
        for document in cursor:
            yield job_row(document)


def neutralised(value):
    """A CSV cell a spreadsheet will show, never run."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value


def csv_chunks(rows):
    """UTF-8 with a BOM (Excel then reads the accents right), one chunk per
    EXPORT_CHUNK rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    yield codecs.BOM_UTF8 + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, 1):
        writer.writerow([neutralised(value) for value in row])
        if count % EXPORT_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def write_cell(sheet, row, column, value, date_format):
    """Typed writes only: text stays text (a leading "=" included), numbers
    and datetimes stay numbers and dates; a formula is never written."""
    if value is None:
        return
    if isinstance(value, datetime.datetime):
        sheet.write_datetime(row, column, value, date_format)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value)
    else:
        sheet.write_string(row, column, str(value))


def xlsx_chunks(rows, chunk_size=64 * 1024):
    """The workbook written row by row in constant memory (xlsxwriter keeps
    only the current row; the rest goes to temporary files), then streamed
    from its temporary file."""
    with tempfile.TemporaryFile() as target:
        workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
        sheet = workbook.add_worksheet("Jobs")
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        bold = workbook.add_format({"bold": True})
        for column, title in enumerate(HEADER):
            sheet.write_string(0, column, title, bold)
        for row_number, row in enumerate(rows, 1):
            for column, value in enumerate(row):
                write_cell(sheet, row_number, column, value, date_format)
        workbook.close()
        target.seek(0)
        while chunk := target.read(chunk_size):
            yield chunk


WRITERS = {"csv": csv_chunks, "xlsx": xlsx_chunks}


def export_jobs(query, export_format, *, actor, source, description=None):
    """The export's chunks (bytes), for a StreamingHttpResponse. Audited as
    started now and completed when the last row went out (an interrupted
    download stays recorded as started, with no row count)."""
    entry = start_action(
        AuditAction.EXPORT_JOBS,
        actor=actor,
        source=source,
        filter=query,
        details={"format": export_format, **({"filters": description} if description else {})},
    )
    counted = CountedRows(job_rows(query))
    yield from WRITERS[export_format](counted)
    finish_action(entry, matched=counted.count)


class CountedRows:
    def __init__(self, rows):
        self.rows = rows
        self.count = 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def filename(export_format, now):
    return f"jobs-{now:%Y%m%d-%H%M%S}.{FORMATS[export_format][1]}"
