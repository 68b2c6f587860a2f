import datetime

import pytest

from common.formats import phone as format_number
from common.telecom import NumberError
from numbering.porting import earliest_porting_date, next_working_day, parse_numbers


def test_it_skips_the_weekend():
    assert next_working_day(datetime.date(2026, 11, 27)) == datetime.date(2026, 11, 30)  # Friday → Monday


def test_it_skips_easter_from_maundy_thursday():
    # Skærtorsdag 2 April, Langfredag 3 April, the weekend and 2. påskedag 6 April.
    assert earliest_porting_date(datetime.date(2026, 4, 1)) == datetime.date(2026, 4, 7)
    assert earliest_porting_date(datetime.date(2026, 4, 2)) == datetime.date(2026, 4, 7)


def test_it_skips_christmas():
    # 24 December is a working day by law; 25 and 26 December are holidays, then the weekend.
    assert earliest_porting_date(datetime.date(2026, 12, 23)) == datetime.date(2026, 12, 24)
    assert earliest_porting_date(datetime.date(2026, 12, 24)) == datetime.date(2026, 12, 28)


def test_it_skips_new_year_across_years():
    assert earliest_porting_date(datetime.date(2027, 12, 31)) == datetime.date(2028, 1, 3)


def test_it_takes_a_normal_next_day():
    assert earliest_porting_date(datetime.date(2026, 11, 24)) == datetime.date(2026, 11, 25)


def test_it_parses_several_numbers_and_a_range():
    numbers = parse_numbers("33 12 34 56, +45 86 12 00 01\n33123400 - 33123402")
    assert numbers == ["+4533123400", "+4533123401", "+4533123402", "+4533123456", "+4586120001"]


def test_it_refuses_a_mobile_number_with_the_reason():
    with pytest.raises(NumberError, match="cannot be ported into each other"):
        parse_numbers("20 12 34 56")


@pytest.mark.parametrize("text", ["hello", "1234", "+46 8 123 456 78", "33123402 - 33123400", ""])
def test_it_refuses_bad_numbers(text):
    with pytest.raises(NumberError):
        parse_numbers(text)


def test_it_refuses_too_long_a_range():
    with pytest.raises(NumberError):
        parse_numbers("33120000 - 33120999")


def test_it_formats_danish_numbers():
    assert format_number("+4533123456") == "33 12 34 56"


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (datetime.date(2026, 12, 12), "Saturday or Sunday"),
        (datetime.date(2026, 12, 25), "public holiday"),
        (datetime.date(2026, 12, 1), "earliest possible"),
    ],
)
def test_a_port_date_must_be_a_working_day_no_earlier_than_allowed(day, reason, settings):
    from numbering.porting import port_date_problem

    settings.LANGUAGE_CODE = "en"
    assert reason in port_date_problem(day, today=datetime.date(2026, 12, 2))
    assert port_date_problem(datetime.date(2026, 12, 3), today=datetime.date(2026, 12, 2)) is None


def test_a_donor_operator_may_need_more_notice(settings):
    from numbering.porting import port_date_problem

    settings.PORTING_DONOR_NOTICE_DAYS = {"tdc": 5}
    # Wednesday 2 Dec + 5 working days = Wednesday 9 Dec.
    assert earliest_porting_date(datetime.date(2026, 12, 2), current_operator="tdc") == datetime.date(2026, 12, 9)
    assert port_date_problem(datetime.date(2026, 12, 8), current_operator="tdc", today=datetime.date(2026, 12, 2))
    assert (
        port_date_problem(datetime.date(2026, 12, 3), current_operator="telia", today=datetime.date(2026, 12, 2))
        is None
    )
