"""What every CSV the portal streams shares: Excel-safe cells and a writer with no buffer.

The CSVs open directly in Danish Excel: UTF-8 with a BOM and ";" as the list separator.
"""

import csv
from typing import Any

BOM = "\ufeff"
DELIMITER = ";"

# A cell a spreadsheet would read as a formula (a user name like "=HYPERLINK(...)") is prefixed with '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file that hands back what is written, so each row can be yielded to a streaming response."""

    def write(self, value: str) -> str:
        return value


def row_writer() -> Any:
    """A csv writer whose ``writerow`` returns the formatted line (for ``StreamingHttpResponse``)."""
    return csv.writer(_Echo(), delimiter=DELIMITER)
