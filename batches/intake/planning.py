"""Rows -> one planned contact per person, with per-row errors.

Rows of the same person (same national id; without an id column, same
first phone) merge into one job: amounts and coupons summed, phones united
(mobiles first), dates by the original's rule. A row with an invalid id, an
invalid amount or date, or no usable phone is not a job: it is reported as
`{row, column, value, message}`. Nothing here writes."""

import datetime
import time
from dataclasses import dataclass, field

from batches.intake import normalising
from batches.intake.columns import cell_text, find_header
from batches.intake.errors import IntakeError

MAX_KEPT_ERRORS = 1000
SAMPLE_ROWS = 5
# Planning is pure CPU (about 40 ms per 1,000 rows): every so many rows it
# sleeps a moment so that the process's other requests run (under gunicorn's
# gevent worker time.sleep is gevent's, and only a sleep longer than zero
# lets it poll their sockets; with threads, the sleep releases Python's lock).
ROWS_BETWEEN_YIELDS = 1000
YIELD_SECONDS = 0.001


@dataclass(frozen=True)
class Options:
    processing_type: str = "basic"  # basic: the best phone; acquisition: all of them
    allow_duplicates: bool = False
    dias_fecha_limite: int | None = None
    dias_fecha_maxima: int | None = None
    max_attempts: int = 3
    use_case: str = "debt_collection"
    company_name: str = ""  # the form's company, for rows without one
    extra_info: dict = field(default_factory=dict)  # marketing offer fields


class Person:
    __slots__ = (
        "amount",
        "company",
        "coupons",
        "dni",
        "earliest",
        "info",
        "key",
        "latest",
        "mobiles",
        "name",
        "others",
        "reference",
        "row",
    )

    def __init__(self, key, dni, row):
        self.key, self.dni, self.row = key, dni, row
        self.name = self.company = self.reference = ""
        self.mobiles, self.others, self.info = [], [], {}
        self.amount, self.coupons = 0.0, 0
        self.latest = self.earliest = None  # (due date, days overdue)

    def add_phones(self, phones):
        for e164, is_mobile in phones:
            if e164 not in self.mobiles and e164 not in self.others:
                (self.mobiles if is_mobile else self.others).append(e164)

    def add_due(self, due, days):
        if due is None:
            return
        if self.latest is None or (due, days) > self.latest:
            self.latest = (due, days)
        if self.earliest is None or (due, -days) < (self.earliest[0], -self.earliest[1]):
            self.earliest = (due, days)

    @property
    def phones(self):
        return self.mobiles + self.others


@dataclass
class Plan:
    file_format: str
    header: object
    country: str
    persons: dict = field(default_factory=dict)
    total_rows: int = 0
    invalid_rows: int = 0
    without_phone: int = 0
    error_count: int = 0
    errors: list = field(default_factory=list)
    sample_rows: list = field(default_factory=list)
    duplicates: dict = field(default_factory=dict)  # dni -> {batch_id, status} of the unfinished job

    def error(self, row, column, value, message):
        self.error_count += 1
        if len(self.errors) < MAX_KEPT_ERRORS:
            self.errors.append({"row": row, "column": column, "value": json_safe(value), "message": message})

    @property
    def contacts(self):
        """The persons that become jobs (duplicates left out)."""
        return [person for key, person in self.persons.items() if key not in self.duplicates]

    @property
    def total_debt_amount(self):
        return round(sum(person.amount for person in self.contacts), 2)


def json_safe(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time | datetime.timedelta):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class RowReader:
    """Turns one data row into its fields, recording its errors on the plan."""

    def __init__(self, plan, header):
        self.plan, self.header = plan, header
        self.index = {meaning: i for i, meaning in enumerate(header.meanings) if meaning}
        columns = enumerate(zip(header.names, header.meanings, strict=True))
        self.other = [(i, name) for i, (name, meaning) in columns if name and not meaning]
        self.phone_cache = {}

    def cell(self, cells, meaning):
        i = self.index.get(meaning)
        return cells[i] if i is not None and i < len(cells) else None

    def value(self, row, cells, meaning, parse):
        """parse(cell); on error the row is reported and None returned."""
        raw = self.cell(cells, meaning)
        try:
            return parse(raw), True
        except ValueError as exc:
            self.plan.error(row, self.header.names[self.index[meaning]], raw, str(exc))
            return None, False

    def optional(self, row, cells, meaning, parse, default):
        """`value` of a column the file may not have (then `default`)."""
        return self.value(row, cells, meaning, parse) if meaning in self.index else (default, True)

    def phones(self, row, cells):
        found = []
        for meaning in ("mobile", "phones", "landline"):
            raw = self.cell(cells, meaning)
            parts = normalising.phone_list(raw) if meaning == "phones" else [raw]
            for part in parts:
                if cell_text(part) == "":
                    continue
                result = self._phone(part, meaning == "mobile")
                if isinstance(result, str):
                    self.plan.error(row, self.header.names[self.index[meaning]], part, f"{result} Dropped.")
                else:
                    found.append(result)
        return found

    def _phone(self, raw, mobile_column):
        key = (raw, mobile_column)
        if key not in self.phone_cache:
            try:
                self.phone_cache[key] = normalising.phone(raw, self.plan.country, mobile_column)
            except ValueError as exc:
                self.phone_cache[key] = str(exc)
        return self.phone_cache[key]

    def read(self, row, cells):
        """The row's Person-to-be fields, or None when the row is not a job."""
        plan, country = self.plan, self.plan.country
        dni = ""
        if "national_id" in self.index:
            dni, ok = self.value(row, cells, "national_id", lambda raw: normalising.national_id(raw, country))
            if not ok:
                return None
        amount, ok_amount = self.optional(row, cells, "debt_amount", normalising.amount, 0.0)
        due, ok_due = self.optional(row, cells, "due_date", normalising.date, None)
        days, ok_days = self.optional(row, cells, "days_overdue", normalising.whole_number, 0)
        coupons, ok_coupons = self.optional(row, cells, "coupons", normalising.whole_number, 0)
        phones = self.phones(row, cells)
        if not phones:
            plan.without_phone += 1
            columns = [self.header.names[self.index[m]] for m in ("mobile", "landline", "phones") if m in self.index]
            raw = [json_safe(self.cell(cells, m)) for m in ("mobile", "landline", "phones") if m in self.index]
            plan.error(row, ", ".join(columns), raw, f"No valid {country} phone number: the row is not a job.")
            return None
        if not (ok_amount and ok_due and ok_days and ok_coupons):
            return None
        return dni, amount, due, days, coupons, phones

    def extra(self, cells):
        return {name: json_safe(cells[i]) for i, name in self.other if i < len(cells) and cell_text(cells[i]) != ""}


def plan_rows(table, country, limits):
    """Read every data row of `table` into a Plan (no database access)."""
    rows = iter(table.rows)
    header = find_header(rows, limits)
    plan = Plan(table.format, header, country)
    reader = RowReader(plan, header)
    for row, cells in rows:
        if not any(cell_text(cell) for cell in cells):
            continue
        plan.total_rows += 1
        if plan.total_rows % ROWS_BETWEEN_YIELDS == 0:
            time.sleep(YIELD_SECONDS)
        if limits.max_rows and plan.total_rows > limits.max_rows:
            raise IntakeError(f"The file has more than {limits.max_rows:,} data rows; split it or use import_contacts.")
        if len(plan.sample_rows) < SAMPLE_ROWS:
            plan.sample_rows.append(
                {name: json_safe(cells[i]) if i < len(cells) else None for i, name in enumerate(header.names) if name}
            )
        fields = reader.read(row, cells)
        if fields is None:
            plan.invalid_rows += 1
            continue
        dni, amount, due, days, coupons, phones = fields
        key = dni or phones[0][0]
        person = plan.persons.get(key)
        if person is None:
            person = plan.persons[key] = Person(key, dni, row)
            person.info = reader.extra(cells)
        person.name = person.name or cell_text(reader.cell(cells, "name"))
        person.company = person.company or cell_text(reader.cell(cells, "company"))
        person.reference = person.reference or cell_text(reader.cell(cells, "reference"))
        person.amount += amount or 0.0
        person.coupons += coupons or 0
        person.add_due(due, days or 0)
        person.add_phones(phones)
    if limits.max_jobs and len(plan.persons) > limits.max_jobs:
        raise IntakeError(
            f"The file holds {len(plan.persons):,} contacts; the limit is {limits.max_jobs:,} per request "
            "(split it, or use the import_contacts command)."
        )
    return plan
