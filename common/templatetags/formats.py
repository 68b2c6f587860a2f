"""Template filters of the formatting layer (``common.formats``): ``{% load formats %}``.

``{{ invoice.total|money }}`` · ``{{ line.amount|amount }}`` · ``{{ mb|data_volume }}`` · ``{{ mb|gigabytes }}``
· ``{{ day|day }}`` · ``{{ moment|moment }}`` · ``{{ number|phone }}`` · ``{{ quantity|quantity }}`` · ``{{ invoice.period|period }}``
"""

import datetime as dt
from decimal import Decimal

from django import template

from common import formats, widgets

register = template.Library()


@register.filter
def money(ore: int | None) -> str:
    return formats.money(ore)


@register.filter
def amount(ore: int | None) -> str:
    return formats.amount(ore)


@register.filter
def count(value: int | Decimal | None) -> str:
    return formats.number(value)


@register.filter
def data_volume(megabytes: Decimal | int | None) -> str:
    return formats.data_volume(megabytes)


@register.filter
def gigabytes(megabytes: Decimal | int | None) -> str:
    return formats.gigabytes(megabytes)


@register.filter
def quantity(value: Decimal | int | None) -> str:
    return formats.quantity(value)


@register.filter
def day(value: dt.date | dt.datetime | None) -> str:
    return formats.date(value)


@register.filter
def iso_day(value: str | None) -> str:
    """A day stored as ISO text (e.g. in the call-flow document) in the language's format; other text as it is."""
    try:
        return formats.date(dt.date.fromisoformat(value or ""))
    except ValueError:
        return value or ""


@register.filter
def moment(value: dt.datetime | None) -> str:
    return formats.datetime(value)


@register.filter
def phone(value: str | None) -> str:
    return formats.phone(value)


@register.filter
def period(value: str | None) -> str:
    return formats.period(value)


@register.simple_tag
def date_format_hint() -> str:
    """The hint under a hand-written ``<input type=date>`` (form fields get it from ``common.widgets.DateInput``)."""
    return widgets.date_format_hint()
