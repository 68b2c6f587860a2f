"""Money arithmetic in integer øre, and the one rounding rule (see ``invoicing.money``).

Here in the core so that the subscriptions area can price a new subscription exactly as the
billing run will charge it, without importing the Invoice area above it.
"""

import datetime as dt

VAT_RATE_PERCENT = 25


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up (away from zero for negatives)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    return sign * ((2 * abs(numerator) + denominator) // (2 * denominator))


def pro_rata(monthly_price: int, days_active: int, days_in_month: int) -> int:
    return round_half_up(monthly_price * days_active, days_in_month)


def vat_of(net: int) -> int:
    return round_half_up(net * VAT_RATE_PERCENT, 100)


def days_active(start: dt.date, end: dt.date | None, first: dt.date, last: dt.date) -> int:
    """Days of [first, last] on which a subscription from start to end (inclusive) is active."""
    begin = max(start, first)
    finish = min(end, last) if end else last
    return max(0, (finish - begin).days + 1)
