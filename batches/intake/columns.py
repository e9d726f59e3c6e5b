"""The header row: which column means what.

Header names are compared without case, accents, spaces, `_`, `-` or `.`
("Teléfono móvil" = "telefono_movil" = "TELEFONOMOVIL"). The first row that
holds a recognised column is the header; columns it does not recognise are
kept by their header text in `payload.additional_info`."""

import unicodedata
from dataclasses import dataclass

from batches.intake.errors import IntakeError

# meaning -> the header names that carry it (the original's Excel and CSV names).
RECOGNISED = {
    "national_id": ["RUT", "RUTS", "DNI", "cedula", "CUIT", "documento"],
    "name": ["Nombre", "name", "nombre completo"],
    "company": ["Origen Empresa", "OrigenEmpresa", "Empresa", "company", "origen_empresa"],
    "debt_amount": ["Saldo actualizado", "saldo", "monto_deuda", "monto", "debt_amount"],
    "due_date": [
        "FechaVencimiento",
        "Fecha Vencimiento",
        "Vencimiento",
        "Fecha de Vencimiento",
        "fecha_limite",
        "due_date",
    ],
    "days_overdue": ["diasRetraso", "Días de retraso", "dias_retraso"],
    "mobile": ["Teléfono móvil", "Telefono movil", "Teléfono celular", "Celular", "movil"],
    "landline": ["Teléfono Residencial", "Teléfono fijo", "fijo"],
    "phones": ["telefonos", "phones"],
    "reference": ["referencia", "reference"],
    "coupons": ["cantidad_cupones", "cupones"],
}
PHONE_MEANINGS = ("mobile", "landline", "phones")


def header_key(text):
    """The comparable form of a header: no accents, case, spaces, _ - or ."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char for char in plain.casefold() if char.isalnum())


MEANING_OF_KEY = {header_key(name): meaning for meaning, names in RECOGNISED.items() for name in names}


@dataclass
class Header:
    row: int  # line number of the header in the file
    names: list  # header text of every column ("" for a blank one)
    meanings: list  # meaning of every column, None for kept-as-is columns

    @property
    def detected(self):
        """{header text: meaning} of every non-blank column ("additional_info" for the others)."""
        return {
            name: meaning or "additional_info" for name, meaning in zip(self.names, self.meanings, strict=True) if name
        }

    def has(self, meaning):
        return meaning in self.meanings


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def find_header(rows, limits):
    """Consume `rows` up to and including the header; returns the Header.
    400 when no row among the first few names a recognised column, or when
    the columns needed for calls are missing."""
    for scanned, (line, cells) in enumerate(rows):
        names = [cell_text(cell) for cell in cells]
        meanings = [MEANING_OF_KEY.get(header_key(name)) if name else None for name in names]
        if any(meanings):
            header = Header(line, names, _first_of_each(meanings))
            _require_columns(header)
            return header
        if scanned + 1 >= limits.header_search_rows:
            break
    raise IntakeError(
        f"No header row found in the first {limits.header_search_rows} rows: expected columns such as "
        f"{expected_columns()}."
    )


def _first_of_each(meanings):
    """A meaning found twice keeps its first column; the later one is kept as additional info."""
    seen = set()
    result = []
    for meaning in meanings:
        result.append(meaning if meaning not in seen else None)
        seen.add(meaning)
    return result


def expected_columns():
    return "; ".join(f"{meaning}: {', '.join(names)}" for meaning, names in RECOGNISED.items())


def _require_columns(header):
    missing = []
    if not any(header.has(meaning) for meaning in PHONE_MEANINGS):
        missing.append(
            "a phone column (" + ", ".join(RECOGNISED["mobile"] + RECOGNISED["landline"] + ["telefonos"]) + ")"
        )
    if not header.has("national_id") and not header.has("name"):
        missing.append("a name or national id column (" + ", ".join(RECOGNISED["national_id"] + ["Nombre"]) + ")")
    if missing:
        found = ", ".join(name for name in header.names if name) or "none"
        raise IntakeError(f"Missing {' and '.join(missing)}. Columns found: {found}.", expected=RECOGNISED)
