"""A contact file's bytes -> its rows, recognised by content (not by name).

xlsx and ods are ZIP archives, xls an OLE2 compound file; anything else
without binary bytes is read as CSV. Spreadsheets are read by calamine
(Rust; formulas come back as their cached values, never evaluated) and
rows reach Python one at a time. Before calamine sees a ZIP, its entries
are inflated once as a stream with a byte budget (a zip bomb is refused,
whatever sizes its directory claims), and the worksheets' cell references
are scanned for the sheet's extent: calamine holds a sheet as a dense
rows x columns grid, so one cell far to the right must be refused first.
"""

import codecs
import csv
import io
import re
import zipfile

from python_calamine import CalamineWorkbook

from batches.intake.errors import IntakeError

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
KNOWN_BINARIES = {b"%PDF": "a PDF document", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image"}
CHUNK = 1024 * 1024
# A cell reference with a column of two or three letters (column 27 onwards).
WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})\d')
ROW_NUMBER = re.compile(rb'<row r="(\d+)"')


class Table:
    """The rows of the file's first sheet: `rows` yields (line number, cells)."""

    def __init__(self, file_format, rows):
        self.format = file_format
        self.rows = rows


def file_size(file):
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size


def open_table(file, limits):
    size = file_size(file)
    if size == 0:
        raise IntakeError("The file is empty.")
    if limits.max_file_bytes and size > limits.max_file_bytes:
        raise IntakeError(
            f"The file has {size:,} bytes; the limit is {limits.max_file_bytes:,} bytes "
            "(import bigger files with the import_contacts command).",
            status=413,
        )
    head = file.read(8192)
    file.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return _zip_table(file, limits)
    if head.startswith(OLE2_MAGIC):
        return _spreadsheet_table(file, "xls", limits)
    for magic, name in KNOWN_BINARIES.items():
        if head.startswith(magic):
            raise IntakeError(f"The file is {name}, not a spreadsheet or CSV (xlsx, xls, ods, csv).")
    if b"\x00" in head:
        raise IntakeError("The file has binary content: it is not a spreadsheet or CSV (xlsx, xls, ods, csv).")
    return _csv_table(file, limits)


def column_letters_to_number(letters):
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _zip_table(file, limits):
    try:
        archive = zipfile.ZipFile(file)
        names = set(archive.namelist())
        if "xl/workbook.xml" in names:
            file_format = "xlsx"
        elif "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
            file_format = "ods"
        else:
            raise IntakeError("The file is a ZIP archive but not a spreadsheet (xlsx or ods).")
        _check_inflated_size(archive, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError) as exc:
        raise IntakeError(f"The file looks like a spreadsheet but is damaged: {exc}.") from None
    file.seek(0)
    return _spreadsheet_table(file, file_format, limits)


def _check_inflated_size(archive, limits):
    """Inflate every entry as a stream, counting bytes against the budget;
    scan worksheets for the grid extent calamine would allocate."""
    budget = limits.max_uncompressed_bytes
    inflated, max_row, max_column = 0, 0, 0
    for info in archive.infolist():
        is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        tail = b""
        with archive.open(info) as entry:
            while chunk := entry.read(CHUNK):
                inflated += len(chunk)
                if inflated > budget:
                    raise IntakeError(
                        f"The spreadsheet inflates to more than {budget // 1024**2:,} MB "
                        "(a compressed bomb, or a sheet far too big); refused."
                    )
                if is_sheet:
                    window = tail + chunk
                    for letters in WIDE_CELL.findall(window):
                        max_column = max(max_column, column_letters_to_number(letters))
                    rows = ROW_NUMBER.findall(window)
                    if rows:
                        max_row = max(max_row, int(rows[-1]))
                    tail = chunk[-32:]
    _check_extent(max_row, max_column, limits)


def _check_extent(rows, columns, limits):
    if columns > limits.max_columns:
        raise IntakeError(f"The sheet uses {columns:,} columns; the limit is {limits.max_columns:,}.")
    if rows * max(columns, 1) > limits.max_cells:
        raise IntakeError(f"The sheet spans {rows:,} rows x {columns:,} columns, more cells than can be read.")


def _spreadsheet_table(file, file_format, limits):
    try:
        workbook = CalamineWorkbook.from_filelike(file)
        sheet = workbook.get_sheet_by_index(0)
    except Exception as exc:  # calamine raises its own errors and also ValueError/TypeError on bad files
        raise IntakeError(f"The file could not be read as {file_format}: {exc}.") from None
    _check_extent(sheet.height, sheet.width, limits)
    first_row = (sheet.start or (0, 0))[0] + 1
    return Table(file_format, _sheet_rows(sheet, first_row, limits))


def _sheet_rows(sheet, first_row, limits):
    max_chars = limits.max_cell_chars
    for offset, cells in enumerate(sheet.iter_rows()):
        for cell in cells:
            if type(cell) is str and len(cell) > max_chars:
                raise IntakeError(
                    f"Row {first_row + offset}: a cell of {len(cell):,} characters; the limit is {max_chars:,}."
                )
        yield first_row + offset, cells


def _detect_encoding(file):
    """UTF-8 (BOM or not) when every byte decodes as such, else Windows-1252,
    else Latin-1 (which decodes anything). One streamed pass per candidate."""
    bom = file.read(3) == codecs.BOM_UTF8
    for encoding in ("utf-8", "cp1252"):
        file.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := file.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            file.seek(0)
        return "utf-8-sig" if encoding == "utf-8" and bom else encoding
    return "latin-1"


def _delimiter(sample):
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        first_line = sample.split("\n", 1)[0]
        return max(";,\t", key=first_line.count)


def _csv_table(file, limits):
    encoding = _detect_encoding(file)
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    sample = text.read(64 * 1024)
    text.seek(0)
    reader = csv.reader(text, delimiter=_delimiter(sample))
    return Table("csv", _csv_rows(reader, text, limits))


def _csv_rows(reader, text, limits):
    try:
        for cells in reader:
            if len(cells) > limits.max_columns:
                raise IntakeError(
                    f"Line {reader.line_num} has {len(cells):,} columns; the limit is {limits.max_columns:,}."
                )
            for cell in cells:
                if len(cell) > limits.max_cell_chars:
                    raise IntakeError(
                        f"Line {reader.line_num}: a cell of {len(cell):,} characters; "
                        f"the limit is {limits.max_cell_chars:,}."
                    )
            yield reader.line_num, cells
    except csv.Error as exc:
        raise IntakeError(f"Line {reader.line_num} of the CSV could not be read: {exc}.") from None
    finally:
        text.detach()
