"""What a new subscription costs: the monthly price with and without VAT, and its first invoice.

The first invoice is computed the way the billing run (``invoicing.billing.bill_company``) charges it,
with the same arithmetic (``common.money``): the subscription's type and each add-on pro rata for the
days from the start date to the end of that month (rounded half up per line), the one-off fees of the
order in full, and 25 % VAT on the net total. Usage is not known in advance and is not included.
"""

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from common.money import VAT_RATE_PERCENT, days_active, pro_rata, vat_of
from subscriptions.models import AddOn, OneOffFee, Product

__all__ = ["VAT_RATE_PERCENT", "FirstInvoice", "FirstInvoiceLine", "Price", "first_invoice", "monthly_price"]


@dataclass(frozen=True)
class Price:
    """An amount in øre excluding VAT, with its VAT and the amount including VAT."""

    net: int

    @property
    def vat(self) -> int:
        return vat_of(self.net)

    @property
    def gross(self) -> int:
        return self.net + self.vat


@dataclass(frozen=True)
class FirstInvoiceLine:
    kind: str  # "subscription", "add_on" or "one_off", as the invoice's line kinds
    name: str
    amount: int
    days: int | None = None  # pro-rata lines: days charged of ``FirstInvoice.month_days``


@dataclass(frozen=True)
class FirstInvoice:
    """The invoice for the month the subscription starts in (issued after that month's end)."""

    first: dt.date  # the billing period
    last: dt.date
    start: dt.date | None  # None: not started yet (waiting for a number transfer), so not charged yet
    days: int
    lines: list[FirstInvoiceLine] = field(default_factory=list)

    @property
    def month_days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def is_pro_rata(self) -> bool:
        return self.start is not None and self.days < self.month_days

    @property
    def price(self) -> Price:
        return Price(sum(line.amount for line in self.lines))

    @property
    def net(self) -> int:
        return self.price.net

    @property
    def vat(self) -> int:
        return self.price.vat

    @property
    def total(self) -> int:
        return self.price.gross


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def monthly_price(product: Product, add_ons: Iterable[AddOn] = ()) -> Price:
    """The full monthly price of a type with its add-ons (the billing run's price for a whole month)."""
    return Price(product.monthly_price + sum(a.monthly_price for a in add_ons))


def first_invoice(
    *, product: Product, add_ons: Iterable[AddOn], fees: Iterable[OneOffFee], ordered: dt.date, start: dt.date | None
) -> FirstInvoice:
    """The first invoice of a subscription ordered on ``ordered`` (when its one-off fees are charged)
    that starts on ``start`` (``None`` while it waits for its number to move: only the fees then).

    Fees of 0 kr. are not charged (``subscriptions.actions.fees.charge_fees``), so they are left out."""
    first, last = month_of(start or ordered)
    month_days = (last - first).days + 1
    days = days_active(start, None, first, last) if start else 0
    lines: list[FirstInvoiceLine] = []
    if start is not None:
        lines.append(
            FirstInvoiceLine(
                "subscription", product.display_name, pro_rata(product.monthly_price, days, month_days), days
            )
        )
        # The billing run orders a subscription's add-ons by their English name.
        for add_on in sorted(add_ons, key=lambda a: a.name):
            lines.append(
                FirstInvoiceLine("add_on", add_on.display_name, pro_rata(add_on.monthly_price, days, month_days), days)
            )
    if ordered <= last:
        lines += [FirstInvoiceLine("one_off", fee.display_name, fee.price) for fee in fees if fee.price > 0]
    return FirstInvoice(first=first, last=last, start=start, days=days, lines=lines)


def first_invoice_of_order(
    *, product: Product, add_ons: Iterable[AddOn], fees: Iterable[OneOffFee], number_choice: str
) -> FirstInvoice:
    """The guide's summary: ordered today, starting today, or (a number transfer) when the number has moved."""
    today = timezone.localdate()
    start = None if number_choice == "port" else today
    return first_invoice(product=product, add_ons=add_ons, fees=fees, ordered=today, start=start)
