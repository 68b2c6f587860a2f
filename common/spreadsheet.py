"""What every CSV the portal streams shares: Excel-safe cells and a writer with no buffer.

The CSVs open directly in Danish Excel: UTF-8 with a BOM and ";" as the list separator. Their cells read as
the pages do in the admin's language (``common.formats``): dates '02.12.2026' / '02/12/2026', phone numbers
'21 10 47 29', months 'november 2026' / 'November 2026'; amounts are the one exception, '1234,50' in both
languages (see ``formats.spreadsheet_amount``).
"""

import csv
import datetime as dt
from typing import Any

from common import formats

BOM = "\ufeff"
DELIMITER = ";"

# A cell a spreadsheet would read as a formula (a user name like "=HYPERLINK(...)") is prefixed with '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def phone_cell(number: str | None) -> str:
    """A phone number as pages show it ('21 10 47 29'): Excel keeps it as text, where '+4521104729' is read
    as a number and loses its '+'. A foreign number ('+46 70 123 45 67') starts with '+', so it is
    neutralised like any other cell a spreadsheet could take for a formula."""
    return safe_cell(formats.phone(number))


class DayCells(dict[str | None, str]):
    """ISO day ('2026-12-02') → the day as pages show it in the active language ('02.12.2026' / '02/12/2026').

    Formats each distinct day once: start and end dates repeat across rows, and Django's date formatting
    costs more per call than the rest of a CSV row.
    """

    def __missing__(self, iso: str | None) -> str:
        text = self[iso] = formats.date(dt.date.fromisoformat(iso)) if iso else ""
        return text


class _Echo:
    """A file that hands back what is written, so each row can be yielded to a streaming response."""

    def write(self, value: str) -> str:
        return value


def row_writer() -> Any:
    """A csv writer whose ``writerow`` returns the formatted line (for ``StreamingHttpResponse``)."""
    return csv.writer(_Echo(), delimiter=DELIMITER)
