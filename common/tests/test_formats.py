"""One format per language for money, numbers, data volumes, dates and phones (common.formats)."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from common import formats

CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")


@pytest.mark.parametrize(
    ("language", "money", "amount", "negative"),
    [
        ("da", "1.234,50 kr.", "1.234,50", "-0,05 kr."),
        ("en", "DKK 1,234.50", "1,234.50", "DKK -0.05"),
    ],
)
def test_money_has_one_format_per_language(language, money, amount, negative):
    with translation.override(language):
        assert formats.money(123450) == money
        assert formats.amount(123450) == amount
        assert formats.money(-5) == negative
        assert formats.money(None) == formats.money(0)


def test_money_is_exact_for_large_amounts():
    with translation.override("da"):
        assert formats.money(123456789012) == "1.234.567.890,12 kr."
    with translation.override("en"):
        assert formats.money(123456789012) == "DKK 1,234,567,890.12"


def test_spreadsheet_cells_suit_danish_excel_whatever_the_language():
    for language in ("da", "en"):
        with translation.override(language):
            assert formats.spreadsheet_amount(123450) == "1234,50"
            assert formats.spreadsheet_amount(-5) == "-0,05"
            assert formats.spreadsheet_quantity(Decimal("12.50")) == "12,5"
            assert formats.spreadsheet_quantity(Decimal("3")) == "3"


@pytest.mark.parametrize(
    ("language", "volume", "zero", "count", "quantity"),
    [("da", "5,14 GB", "0,00", "1.235", "12,5"), ("en", "5.14 GB", "0.00", "1,235", "12.5")],
)
def test_numbers_and_data_volumes_follow_the_language(language, volume, zero, count, quantity):
    with translation.override(language):
        assert formats.data_volume(Decimal("5263.36")) == volume
        assert formats.gigabytes(0) == zero
        assert formats.number(Decimal("1234.5")) == count  # rounded half up, grouped
        assert formats.quantity(Decimal("12.50")) == quantity


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [("da", "02.12.2026", "02.12.2026 14:05"), ("en", "02/12/2026", "02/12/2026 14:05")],
)
def test_dates_are_day_first_in_both_languages(language, day, moment):
    with translation.override(language):
        assert formats.date(dt.date(2026, 12, 2)) == day
        # An aware moment is shown in Copenhagen time (13:05 UTC is 14:05 in winter).
        assert formats.datetime(dt.datetime(2026, 12, 2, 13, 5, tzinfo=dt.UTC)) == moment
        assert formats.date(dt.datetime(2026, 12, 2, 23, 30, tzinfo=CPH)) == day
        assert formats.date(None) == "" and formats.datetime(None) == ""


def test_phones_danish_in_pairs_foreign_international():
    assert formats.phone("+4521104729") == "21 10 47 29"
    assert formats.phone("+46701234567") == "+46 70 123 45 67"
    assert formats.phone("+4570101010") == "70 10 10 10"
    assert formats.phone("") == "" and formats.phone(None) == ""
    assert formats.phone("not a number") == "not a number"


def test_the_template_filters_are_the_same_functions():
    template = Template(
        "{% load formats %}{{ ore|money }}|{{ ore|amount }}|{{ mb|data_volume }}|{{ day|day }}|{{ number|phone }}"
    )
    context = Context({"ore": 123450, "mb": Decimal("5263.36"), "day": dt.date(2026, 12, 2), "number": "+4521104729"})
    with translation.override("da"):
        assert template.render(context) == "1.234,50 kr.|1.234,50|5,14 GB|02.12.2026|21 10 47 29"
    with translation.override("en"):
        assert template.render(context) == "DKK 1,234.50|1,234.50|5.14 GB|02/12/2026|21 10 47 29"


@pytest.mark.parametrize(("language", "month"), [("da", "november 2026"), ("en", "November 2026")])
def test_a_billing_period_reads_as_its_month(language, month):
    with translation.override(language):
        assert formats.period("2026-11") == month
        assert Template("{% load formats %}{{ p|period }}").render(Context({"p": "2026-11"})) == month
        # Anything that is not a period is left alone.
        assert [formats.period(v) for v in ("2026-13", "2026-1", "", None, "x")] == ["2026-13", "2026-1", "", "", "x"]


@pytest.mark.parametrize(
    ("language", "hint"), [("da", "Dag, måned, år, fx 31.12."), ("en", "Day, month, year, e.g. 31/12/")]
)
def test_a_date_field_shows_the_pages_date_format_under_it(language, hint):
    from django import forms

    from common.widgets import DateInput

    class Form(forms.Form):
        day = forms.DateField(help_text="Help", widget=DateInput)

    with translation.override(language):
        html = str(Form(initial={"day": dt.date(2027, 1, 1)})["day"].as_field_group())
    assert 'value="2027-01-01"' in html  # the browser only takes ISO
    assert 'aria-describedby="id_day_helptext id_day-format"' in html
    assert f'id="id_day-format" data-testid="date-format-hint">{hint}' in html


@pytest.mark.parametrize(("language", "label"), [("da", "maj 26"), ("en", "May 26")])
def test_the_chart_axis_names_the_month_short(language, label):
    with translation.override(language):
        assert formats.period_short("2026-05") == label
