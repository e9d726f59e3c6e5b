"""Cell values as customers type them -> the stored values (no database)."""

import datetime

import pytest

from batches.intake.columns import header_key
from batches.intake.normalising import amount, date, national_id, phone, whole_number


@pytest.mark.parametrize(
    ("raw", "mobile_column", "expected"),
    [
        ("9 8765 4321", True, ("+56987654321", True)),
        ("+56 9 8765 4321", False, ("+56987654321", True)),
        ("0056987654321", True, ("+56987654321", True)),
        ("22 345 6789", False, ("+56223456789", False)),
        ("+56 2 2345 6789", False, ("+56223456789", False)),
        ("(32) 212 3456", False, ("+56322123456", False)),
        (56223456789, False, ("+56223456789", False)),
    ],
)
def test_chilean_phones(raw, mobile_column, expected):
    assert phone(raw, "CL", mobile_column) == expected


@pytest.mark.parametrize(
    ("raw", "mobile_column", "expected"),
    [
        ("11 15 4567-8901", True, ("+5491145678901", True)),  # local mobile with the old 15
        ("+54 9 11 4567 8901", False, ("+5491145678901", True)),
        ("5491145678901", True, ("+5491145678901", True)),
        ("+54 11 4567 8901", True, ("+5491145678901", True)),  # mobile column without the 9
        ("011 4567-8902", False, ("+541145678902", False)),  # landline stays a landline
        ("+54 351 456 7890", False, ("+543514567890", False)),
    ],
)
def test_argentine_phones(raw, mobile_column, expected):
    assert phone(raw, "AR", mobile_column) == expected


@pytest.mark.parametrize(
    ("raw", "country"), [("123", "CL"), ("+1 202 555 0100", "CL"), ("+56 9 8765 4321", "AR"), ("abc", "CL")]
)
def test_invalid_phones(raw, country):
    with pytest.raises(ValueError, match="phone number"):
        phone(raw, country)


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("12.345.678-5", "CL", "12345678-5"),
        (123456785, "CL", "12345678-5"),
        ("6.172.396-k", "CL", "6172396-K"),
        ("30.123.456", "AR", "30123456"),
        ("1234567", "AR", "1234567"),
        ("27-30123456-8", "AR", "27301234568"),
    ],
)
def test_national_ids(raw, country, expected):
    assert national_id(raw, country) == expected


@pytest.mark.parametrize(
    ("raw", "country"), [("12.345.678-0", "CL"), ("", "CL"), ("27-30123456-0", "AR"), ("123", "AR")]
)
def test_invalid_national_ids(raw, country):
    with pytest.raises(ValueError):
        national_id(raw, country)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("$1.234.567", 1234567.0), ("1.234,50", 1234.5), ("150.000", 150000.0), ("150000", 150000.0), (99.5, 99.5),
     ("", 0.0), ("CLP 2.000", 2000.0)],
)  # fmt: skip
def test_chilean_amounts(raw, expected):
    assert amount(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "-5", True, "1e400"])
def test_invalid_amounts(raw):
    with pytest.raises(ValueError, match="Not an amount"):
        amount(raw)


@pytest.mark.parametrize(
    "raw",
    ["2025-11-15", "15-11-2025", "15/11/2025", datetime.datetime(2025, 11, 15, 0, 0), 45976, "2025-11-15 00:00:00"],
)
def test_dates(raw):
    assert date(raw) == datetime.date(2025, 11, 15)


def test_invalid_dates_and_numbers():
    with pytest.raises(ValueError, match="Not a date"):
        date("15.11.25")
    with pytest.raises(ValueError, match="whole number"):
        whole_number("2.5")
    assert whole_number("") == 0


def test_headers_compare_without_case_accents_spaces_or_underscores():
    assert header_key("Teléfono móvil") == header_key("TELEFONO_MOVIL") == header_key(" telefono movil ")
    assert header_key("Días de retraso") == header_key("dias_de_retraso")
