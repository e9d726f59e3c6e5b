"""Cell values -> stored values: national ids, E.164 phones, amounts, dates.

Each function returns the normalised value or raises ValueError with the
message a row error shows. Numbering plans come from `phonenumbers`, check
digits from `python-stdnum`."""

import datetime
import math
import re

import phonenumbers
from phonenumbers import PhoneNumberType
from stdnum.ar import cuit, dni
from stdnum.cl import rut
from stdnum.exceptions import ValidationError as NationalIdError

from batches.intake.columns import cell_text

COUNTRIES = ("CL", "AR")
EXCEL_EPOCH = datetime.date(1899, 12, 30)
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")
CHILEAN_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")
PHONE_SEPARATORS = re.compile(r"[;,/|]")
MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def national_id(value, country):
    """CL: a RUT with a valid check digit -> "12345678-5". AR: a DNI of 7-8
    digits -> its digits, or a CUIT/CUIL with a valid check digit -> 11 digits."""
    text = cell_text(value)
    if not text:
        raise ValueError("The national id is empty.")
    try:
        if country == "AR":
            digits = re.sub(r"[\s.\-]", "", text)
            if len(digits) == 11:
                return cuit.validate(digits)
            return dni.validate(digits)
        compact = rut.validate(text)
    except NationalIdError as exc:
        kind = "DNI/CUIT" if country == "AR" else "RUT"
        raise ValueError(f"Not a valid {kind} ({exc}).") from None
    return f"{compact[:-1]}-{compact[-1]}"


def phone(value, country, mobile_column=False):
    """One number -> (E.164, is_mobile). Local and international forms of the
    account's country; an Argentine mobile written without its 9 (or with the
    old 15) gets the 9 when it comes from a mobile column."""
    text = cell_text(value)
    digits = re.sub(r"\D", "", text)
    if not digits:
        raise ValueError("No phone number.")
    number = _parse(text, country)
    code = phonenumbers.country_code_for_region(country)
    if number is None and not text.startswith("+") and digits.startswith(str(code)):
        number = _parse("+" + digits, country)
    if number is None or number.country_code != code:
        raise ValueError(f"Not a valid {country} phone number.")
    national = str(number.national_number)
    if country == "CL":
        # Chile's plan does not tell mobiles from landlines; its mobiles start with 9.
        return _e164(number), mobile_column or national.startswith("9")
    kind = phonenumbers.number_type(number)
    if mobile_column and kind not in MOBILE_TYPES:
        mobile = _parse(f"+549{national}", country)
        if mobile is not None and phonenumbers.number_type(mobile) in MOBILE_TYPES:
            return _e164(mobile), True
    return _e164(number), kind == PhoneNumberType.MOBILE or (kind in MOBILE_TYPES and mobile_column)


def _e164(number):
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse(text, country):
    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def phone_list(value):
    """The numbers of a `telefonos` cell ("+569...; 22...")."""
    return [part for part in PHONE_SEPARATORS.split(cell_text(value)) if part.strip()]


def amount(value):
    """A number, or Chilean text: "$1.234.567", "1.234,50", "150000"."""
    if isinstance(value, bool):
        raise ValueError("Not an amount.")
    if isinstance(value, int | float):
        result = float(value)
    else:
        text = re.sub(r"[\s$]|CLP|ARS", "", cell_text(value), flags=re.IGNORECASE)
        if not text:
            return 0.0
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif CHILEAN_THOUSANDS.match(text):
            text = text.replace(".", "")
        try:
            result = float(text)
        except ValueError:
            raise ValueError("Not an amount (e.g. 150000, $150.000 or 1.234,50).") from None
    if not math.isfinite(result) or result < 0 or result > 1e12:
        raise ValueError("Not an amount (e.g. 150000, $150.000 or 1.234,50).")
    return result


def date(value):
    """A spreadsheet date or serial number, YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY; None when blank."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        return EXCEL_EPOCH + datetime.timedelta(days=int(value))
    text = cell_text(value).split(" ")[0].split("T")[0]
    if not text:
        return None
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    raise ValueError("Not a date (YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY).")


def whole_number(value):
    """Days overdue, coupons: blank is 0."""
    if isinstance(value, bool):
        raise ValueError("Not a whole number.")
    text = cell_text(value)
    if not text:
        return 0
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise ValueError("Not a whole number.") from None
    if not number.is_integer() or abs(number) > 100_000:
        raise ValueError("Not a whole number.")
    return int(number)
