"""The one formatting layer: money, numbers, data volumes, dates and phone numbers as people read them.

Everything a person reads — pages, PDFs, e-mails, CSV downloads, the activity log — formats through
these functions (templates through ``{% load formats %}``), in the active language:

| | Danish (``da``) | English (``en``) |
|---|---|---|
| money | ``1.234,50 kr.`` | ``DKK 1,234.50`` |
| amount in a column headed "(DKK)" | ``1.234,50`` | ``1,234.50`` |
| data volume | ``5,14 GB`` | ``5.14 GB`` |
| date / date and time | ``02.12.2026`` / ``02.12.2026 14:05`` | ``02/12/2026`` / ``02/12/2026 14:05`` |
| billing period (``2026-11``) | ``november 2026``; chart axis ``nov 26`` (``maj 26``) | ``November 2026``; ``Nov 26`` (``May 26``) |
| phone | ``21 10 47 29`` (Danish), ``+46 70 123 45 67`` (foreign) | the same |

Separators and date patterns come from Django's localisation (``django.utils.formats`` with the
project's ``selfservice/formats``); money is integer øre and is never turned into a float.
Machine-readable files keep machine formats: UBL/OIOUBL XML use ISO dates and a decimal point
(``invoicing.ubl``), and spreadsheet cells use :func:`spreadsheet_amount` (see its docstring).
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import phonenumbers
from django.utils import formats, timezone
from django.utils.translation import get_language

# Where the currency goes, per language; the amount is already in the language's separators.
MONEY_PATTERNS = {"da": "{amount} kr.", "en": "DKK {amount}"}
DEFAULT_MONEY_PATTERN = MONEY_PATTERNS["en"]


def _language() -> str:
    return (get_language() or "en").split("-")[0]


# The separators per language, read once from Django's format files: formatting runs per invoice line
# (60,000 lines in a large PDF), and ``get_format`` on every call costs more than the formatting.
_SEPARATORS: dict[str, tuple[str, str]] = {}


def _separators() -> tuple[str, str]:
    """(decimal separator, thousand separator) of the active language."""
    language = get_language() or "en"
    found = _SEPARATORS.get(language)
    if found is None:
        found = _SEPARATORS[language] = (
            str(formats.get_format("DECIMAL_SEPARATOR")),
            str(formats.get_format("THOUSAND_SEPARATOR")),
        )
    return found


def _group(whole: int, thousands: str) -> str:
    """12345 → '12.345' (Danish) / '12,345' (English); whole is not negative."""
    if whole < 1000:
        return str(whole)
    return f"{whole:,}".replace(",", thousands)


def _decimal(value: Decimal, decimals: int) -> str:
    """A Decimal already rounded to ``decimals`` places, with the language's separators and grouping."""
    decimal_sep, thousands = _separators()
    sign = "-" if value < 0 else ""
    whole, _dot, fraction = f"{abs(value):f}".partition(".")
    text = sign + _group(int(whole), thousands)
    if decimals > 0:
        text += decimal_sep + fraction.ljust(decimals, "0")[:decimals]
    return text


def amount(ore: int | None) -> str:
    """Øre as kroner with two decimals and grouping, without the currency: 123450 → '1.234,50' / '1,234.50'.

    For table columns whose heading names the currency; everywhere else use :func:`money`.
    """
    value = int(ore or 0)
    decimal_sep, thousands = _separators()
    sign = "-" if value < 0 else ""
    kroner, rest = divmod(abs(value), 100)
    return f"{sign}{_group(kroner, thousands)}{decimal_sep}{rest:02d}"


def money(ore: int | None) -> str:
    """Øre as money in the active language: 123450 → '1.234,50 kr.' (Danish) / 'DKK 1,234.50' (English)."""
    return MONEY_PATTERNS.get(_language(), DEFAULT_MONEY_PATTERN).format(amount=amount(ore))


def spreadsheet_amount(ore: int | None) -> str:
    """Øre for a CSV cell: '1234,50' — no grouping, a decimal comma, whatever the page's language.

    The portal's CSV files are made for Excel with Danish regional settings (semicolon-separated),
    which reads '1234,50' as a number and '1,234.50' or 'DKK …' as text; the headers follow the language.
    """
    value = int(ore or 0)
    sign = "-" if value < 0 else ""
    kroner, rest = divmod(abs(value), 100)
    return f"{sign}{kroner},{rest:02d}"


def spreadsheet_quantity(value: Decimal | int | None) -> str:
    """A quantity for a CSV cell, like :func:`spreadsheet_amount`: 12.50 → '12,5', 3 → '3'."""
    return f"{Decimal(str(value or 0)).normalize():f}".replace(".", ",")


def number(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """A count or quantity with the language's separators: 1234 → '1.234' / '1,234'."""
    rounded = Decimal(str(value or 0)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return _decimal(rounded, decimals)


def quantity(value: Decimal | int | None) -> str:
    """A measured quantity with as many decimals as it has (12.50 → '12,5' / '12.5'; 3 → '3')."""
    normal = (value if isinstance(value, Decimal) else Decimal(str(value or 0))).normalize()
    exponent = normal.as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return _decimal(normal, decimals)


def gigabytes(megabytes: Decimal | int | None) -> str:
    """Megabytes as gigabytes with two decimals, without the unit: 5263.36 → '5,14' / '5.14'."""
    return number(Decimal(str(megabytes or 0)) / 1024, 2)


def data_volume(megabytes: Decimal | int | None) -> str:
    """Megabytes as a data volume: 5263.36 → '5,14 GB' / '5.14 GB'."""
    return f"{gigabytes(megabytes)} GB"


def date(value: dt.date | dt.datetime | None) -> str:
    """A day: '02.12.2026' (Danish) / '02/12/2026' (English); a datetime is shown as its local day."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def datetime(value: dt.datetime | None) -> str:
    """A moment in Copenhagen time: '02.12.2026 14:05' / '02/12/2026 14:05'."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATETIME_FORMAT")


def month(value: dt.date) -> str:
    """A billing month: 'december 2026' / 'December 2026'."""
    return formats.date_format(value, "YEAR_MONTH_FORMAT")


def period(value: str | None) -> str:
    """A billing period as stored ('2026-11', see ``Invoice.period``) as its month: 'november 2026' / 'November 2026'.

    Anything that is not a period comes back unchanged.
    """
    text = value or ""
    if len(text) != 7 or text[4] != "-" or not (text[:4].isdigit() and text[5:].isdigit()):
        return text
    try:
        return month(dt.date(int(text[:4]), int(text[5:]), 1))
    except ValueError:
        return text


def period_short(value: str) -> str:
    """A billing period for a narrow chart axis: 'maj 26' / 'May 26' (never '26/05', which reads as a day).

    Danish writes month names in lower case (Django's 'M' would give 'Maj', 'Sept').
    """
    try:
        return formats.date_format(dt.date(int(value[:4]), int(value[5:7]), 1), "b y" if _language() == "da" else "M y")
    except ValueError:
        return value


def phone(value: str | None) -> str:
    """An E.164 number as people write it: Danish numbers '21 10 47 29', others '+46 70 123 45 67'.

    Anything that is not a phone number comes back unchanged.
    """
    if not value:
        return ""
    # Danish numbers are the common case on every list row and CSV line: no parse needed.
    if len(value) == 11 and value.startswith("+45") and value[3:].isdigit():
        return f"{value[3:5]} {value[5:7]} {value[7:9]} {value[9:11]}"
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    if parsed.country_code == 45:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
