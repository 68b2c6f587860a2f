import datetime as dt

import pytest
from django.utils import translation

from common import formats
from invoicing.money import (
    days_active,
    due_date_for,
    parse_period,
    pro_rata,
    round_half_up,
    vat_of,
)


def test_it_rounds_half_up_once():
    assert round_half_up(5, 2) == 3
    assert round_half_up(7, 3) == 2
    assert round_half_up(-5, 2) == -3
    assert round_half_up(149 * 100 * 15, 30) == 7450


@pytest.mark.parametrize(("period", "days"), [("2026-02", 28), ("2028-02", 29), ("2026-04", 30), ("2026-01", 31)])
def test_it_knows_month_lengths(period, days):
    first, last = parse_period(period)
    assert first.day == 1 and (last - first).days + 1 == days


def test_it_pays_the_full_fee_for_a_full_month():
    assert pro_rata(14900, 28, 28) == 14900
    assert pro_rata(14900, 31, 31) == 14900


def test_it_charges_pro_rata_by_days():
    # 149,00 kr. for 10 of 30 days = 49,666… → 49,67
    assert pro_rata(14900, 10, 30) == 4967
    # 10 of 31 days = 48,064… → 48,06
    assert pro_rata(14900, 10, 31) == 4806


def test_it_counts_days_active_for_mid_month_start_and_end():
    first, last = parse_period("2026-11")
    assert days_active(dt.date(2026, 11, 21), None, first, last) == 10
    assert days_active(dt.date(2025, 1, 1), dt.date(2026, 11, 5), first, last) == 5
    assert days_active(dt.date(2026, 11, 10), dt.date(2026, 11, 10), first, last) == 1
    assert days_active(dt.date(2026, 12, 1), None, first, last) == 0
    assert days_active(dt.date(2025, 1, 1), dt.date(2026, 10, 31), first, last) == 0


def test_it_computes_vat_at_25_percent_rounded_half_up():
    assert vat_of(10000) == 2500
    assert vat_of(4967) == 1242  # 1241,75 → 1242
    assert vat_of(2) == 1  # 0,5 → 1


def test_it_rejects_bad_periods():
    for value in ["2026-13", "26-11", "2026/11", "abcd-ef", ""]:
        with pytest.raises(ValueError):
            parse_period(value)


def test_it_moves_due_dates_off_weekends_and_holidays():
    # 2026-12-11 + 14 days = 25 December (Christmas Day) → 28 December (Monday, after Boxing Day + weekend)
    assert due_date_for(dt.date(2026, 12, 11)) == dt.date(2026, 12, 28)
    # 2026-11-01 + 14 = Sunday 15 November → Monday 16 November
    assert due_date_for(dt.date(2026, 11, 1)) == dt.date(2026, 11, 16)
    # A plain weekday stays
    assert due_date_for(dt.date(2026, 11, 2)) == dt.date(2026, 11, 16)


def test_it_formats_kroner_the_danish_way():
    with translation.override("da"):
        assert formats.amount(123456789) == "1.234.567,89"
        assert formats.amount(-5) == "-0,05"


@pytest.mark.parametrize(
    ("text", "ore"),
    [
        ("1.234,56", 123456),
        ("1234,56", 123456),
        ("1234", 123400),
        ("1234.5", 123450),
        ("1 234,56 kr.", 123456),
        ("0,01", 1),
        ("1.234", 123400),
        ("12.234.567,8", 1223456780),
    ],
)
def test_it_parses_kroner_as_people_write_them(text, ore):
    from invoicing.money import parse_kr

    assert parse_kr(text) == ore


@pytest.mark.parametrize("text", ["", "abc", "1,234", "1.23.4", "-5", "12,345", "1e3", "12.3456"])
def test_it_refuses_what_is_not_an_amount(text):
    from invoicing.money import parse_kr

    with pytest.raises(ValueError):
        parse_kr(text)


@pytest.mark.parametrize("text", ["2026-12-01", "01-12-2026", "01.12.2026", "01/12/2026"])
def test_it_parses_bank_file_dates(text):
    from invoicing.money import parse_day

    assert parse_day(text) == dt.date(2026, 12, 1)


def test_the_fi_payment_id_has_a_modulus_10_check_digit():
    from invoicing.money import fi_payment_id, fi_payment_line

    assert fi_payment_id(100001) == "000000001000017"
    assert fi_payment_line(100001, "85412345") == "+71<000000001000017+85412345<"


@pytest.mark.parametrize(
    ("issued", "due"),
    [
        (dt.date(2026, 12, 10), dt.date(2026, 12, 28)),  # 24 Dec (Christmas Eve) is closed: 25, 26, 27 too
        (dt.date(2026, 12, 17), dt.date(2027, 1, 4)),  # 31 Dec (New Year's Eve) and 1 Jan, then the weekend
        (dt.date(2026, 5, 22), dt.date(2026, 6, 8)),  # 5 June (Grundlovsdag), then the weekend
        (dt.date(2026, 5, 1), dt.date(2026, 5, 18)),  # 15 May: Friday after Ascension Day, a bank closing day
        (dt.date(2026, 4, 20), dt.date(2026, 5, 4)),  # a plain Monday stays
    ],
)
def test_due_dates_skip_the_danish_bank_closing_days(issued, due):
    assert due_date_for(issued) == due


def test_store_bededag_is_a_banking_day_since_2024():
    from invoicing.money import is_business_day

    assert is_business_day(dt.date(2026, 5, 1))  # 1 May: banks open
    assert is_business_day(dt.date(2025, 5, 16))  # would have been store bededag
    assert not is_business_day(dt.date(2023, 5, 5))  # store bededag 2023, still a holiday
