import copy
import datetime
import zoneinfo

import pytest
from django.utils import translation

from numbering import flows
from numbering.tests.factories import flow_document

CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")
MEMBERS = [11, 12]


@pytest.fixture
def document():
    return flow_document(MEMBERS)


def at(*args):
    return datetime.datetime(*args, tzinfo=CPH)


def test_it_accepts_a_valid_flow(document):
    assert flows.validate(document, subscription_ids=set(MEMBERS)) == []


def test_it_refuses_a_dangling_destination(document):
    document["destinations"]["sales"]["overflow"] = "nowhere"
    errors = flows.validate(document, subscription_ids=set(MEMBERS))
    assert any("nowhere" in e for e in errors)


def test_it_refuses_a_route_to_nothing(document):
    document["routes"]["holiday"] = "gone"
    assert any("gone" in e for e in flows.validate(document, subscription_ids=set(MEMBERS)))


def test_it_refuses_a_missing_route(document):
    document["routes"]["closed"] = ""
    assert flows.validate(document, subscription_ids=set(MEMBERS))


def test_it_refuses_another_companys_subscription(document):
    document["destinations"]["sales"]["members"] = [11, 999]
    errors = flows.validate(document, subscription_ids=set(MEMBERS))
    assert any("not your company" in e for e in errors)


def test_it_refuses_a_loop_without_a_callers_choice(document):
    document["destinations"]["voicemail"] = {
        "type": "ring_group",
        "name": "Back",
        "members": [12],
        "strategy": "simultaneous",
        "ring_time": 10,
        "overflow": "sales",
    }
    errors = flows.validate(document, subscription_ids=set(MEMBERS))
    assert any("Salg → Back → Salg" in e for e in errors)  # by the names the admin gave


def test_it_refuses_an_ivr_that_times_out_to_itself(document):
    document["destinations"]["menu"]["timeout_dest"] = "menu"
    assert any("Menu → Menu" in e for e in flows.validate(document, subscription_ids=set(MEMBERS)))


def test_it_allows_a_loop_through_a_callers_choice(document):
    document["destinations"]["menu"]["options"]["9"] = "menu"  # "press 9 to hear the menu again"
    assert flows.validate(document, subscription_ids=set(MEMBERS)) == []


@pytest.mark.parametrize(
    "breaks",
    [
        lambda d: d["hours"].__setitem__("0", [["12:00", "08:00"]]),
        lambda d: d["hours"].__setitem__("1", [["08:00", "12:00"], ["11:00", "13:00"]]),
        lambda d: d["hours"].pop("6"),
        lambda d: d.__setitem__("timezone", "Europe/Oslo"),
        lambda d: d["destinations"]["menu"].__setitem__("options", {"12": "sales"}),
        lambda d: d["destinations"]["sales"].__setitem__("ring_time", 2),
        lambda d: d["destinations"]["sales"].__setitem__("strategy", "random"),
        lambda d: d["destinations"]["voicemail"].__setitem__("email", "not-an-email"),
        lambda d: d["destinations"]["mobile"].__setitem__("number", "12"),
        lambda d: d["destinations"].__setitem__("Bad Key", {"type": "announcement", "text": "x"}),
        lambda d: d["destinations"].__setitem__("x", {"type": "teleport"}),
        lambda d: d.__setitem__("special_days", [{"date": "2026-13-01", "periods": []}]),
    ],
)
def test_it_refuses_bad_documents(document, breaks):
    breaks(document)
    assert flows.validate(document, subscription_ids=set(MEMBERS))


def test_it_refuses_garbage():
    assert flows.validate("nope", subscription_ids=set())
    assert flows.validate({}, subscription_ids=set())


def test_it_routes_a_weekday_morning_through_the_menu(document):
    path = flows.simulate(document, at(2026, 11, 24, 9, 0), "1", member_names={11: "Anna", 12: "Bo"})
    assert path.period == "open"
    assert [s.destination for s in path.steps] == ["menu", "menu", "sales", "voicemail", "voicemail"]
    assert "Anna, Bo" in path.steps[2].text
    assert "post@alfa.dk" in path.outcome


def test_it_is_closed_during_the_lunch_break(document):
    path = flows.simulate(document, at(2026, 11, 24, 12, 15))
    assert path.period == "closed"
    assert path.steps[0].destination == "voicemail"


def test_it_opens_again_after_lunch(document):
    assert flows.simulate(document, at(2026, 11, 24, 12, 30)).period == "open"


def test_it_is_closed_at_closing_time(document):
    assert flows.simulate(document, at(2026, 11, 24, 16, 0)).period == "closed"


def test_it_is_closed_on_a_saturday(document):
    path = flows.simulate(document, at(2026, 11, 28, 10, 0))
    assert path.period == "closed"
    assert "closed all day" in path.reason


def test_it_uses_the_holiday_destination_on_a_public_holiday(document):
    with translation.override("da"):
        path = flows.simulate(document, at(2026, 12, 25, 10, 0))  # Juledag, a Friday
    assert path.period == "holiday"
    assert "Juledag" in path.reason
    assert path.steps[0].destination == "closed"
    # The holiday is named in the reader's language.
    with translation.override("en"):
        assert "Christmas Day" in flows.simulate(document, at(2026, 12, 25, 10, 0)).reason


def test_it_treats_a_switched_off_holiday_as_a_normal_day(document):
    document["holidays"]["off"] = ["2026-05-14"]  # Kristi himmelfartsdag, a Thursday
    assert flows.simulate(document, at(2026, 5, 14, 10, 0)).period == "open"
    document["holidays"]["observe"] = False
    assert flows.simulate(document, at(2026, 12, 25, 10, 0)).period == "open"


def test_it_closes_on_a_special_closure(document):
    document["special_days"] = [{"date": "2026-11-24", "label": "Firmafest", "periods": []}]
    path = flows.simulate(document, at(2026, 11, 24, 10, 0))
    assert path.period == "closed" and "Firmafest" in path.reason


def test_it_follows_a_half_day(document):
    document["special_days"] = [{"date": "2026-12-23", "label": "Lillejuleaften", "periods": [["08:00", "12:00"]]}]
    assert flows.simulate(document, at(2026, 12, 23, 11, 0)).period == "open"
    assert flows.simulate(document, at(2026, 12, 23, 13, 0)).period == "closed"


def test_it_times_out_of_a_menu_when_nothing_is_pressed(document):
    path = flows.simulate(document, at(2026, 11, 24, 9, 0), "")
    assert [s.destination for s in path.steps][:3] == ["menu", "menu", "sales"]


def test_it_handles_a_wrong_key_and_then_a_right_one(document):
    path = flows.simulate(document, at(2026, 11, 24, 9, 0), "72")
    assert "not on the menu" in path.steps[1].text
    assert path.steps[-1].destination == "mobile"
    assert "forwarded" in path.steps[-1].text


def test_it_reads_naive_times_as_copenhagen_time(document):
    # 07:30 UTC on a winter Tuesday is 08:30 in Copenhagen.
    utc = datetime.datetime(2026, 11, 24, 7, 30, tzinfo=datetime.UTC)
    assert flows.simulate(document, utc).period == "open"
    assert flows.simulate(document, datetime.datetime(2026, 11, 24, 8, 30)).period == "open"


def test_it_describes_the_difference_between_versions(document):
    new = copy.deepcopy(document)
    new["hours"]["0"] = [["09:00", "15:00"]]
    new["routes"]["closed"] = "closed"
    rows = flows.diff(document, new)
    assert ("Opening hours, Monday", "08:00-12:00, 12:30-16:00", "09:00-15:00") in rows
    # Destinations by the names their admin gave them, not by their keys ("voicemail", "closed").
    names = flows.destination_names(new)
    assert ("When closed", names["voicemail"], names["closed"]) in rows
    assert flows.diff(document, document) == []


def test_it_names_every_changed_setting_in_words(document):
    new = copy.deepcopy(document)
    new["destinations"]["sales"]["ring_time"] = 30
    new["destinations"]["menu"]["options"]["3"] = "voicemail"
    new["holidays"] = {"observe": False, "off": ["2026-12-24"]}
    new["special_days"] = [{"date": "2026-12-23", "label": "", "periods": []}]
    rows = flows.diff(document, new)
    names = flows.destination_names(new)
    assert (f"Destination “{names['sales']}”: ring time", "20", "30") in rows
    assert (f"Destination “{names['menu']}”: key 3", "\u2013", names["voicemail"]) in rows
    assert ("Danish public holidays observed", "yes", "no") in rows
    # Dates as the language writes them (the test runs in English: day first).
    assert ("Holidays treated as normal days", "\u2013", "24/12/2026") in rows
    assert ("Special day 23/12/2026: open", "\u2013", "closed") in rows


def test_it_parses_periods():
    assert flows.parse_periods("12:30-16:00, 8:00 - 12:00") == [["08:00", "12:00"], ["12:30", "16:00"]]
    with pytest.raises(ValueError):
        flows.parse_periods("08:00-25:00")


def test_christmas_eve_and_new_years_eve_are_open_until_the_company_switches_them_on(document):
    # Christmas Eve 2026 is a Thursday: only "optional" in the Danish calendar.
    assert flows.simulate(document, at(2026, 12, 24, 10, 0)).period == "open"
    document["holidays"]["on"] = ["2026-12-24", "2026-12-31"]
    with translation.override("da"):
        path = flows.simulate(document, at(2026, 12, 24, 10, 0))
    assert path.period == "holiday" and "Juleaften" in path.reason
    assert flows.simulate(document, at(2026, 12, 31, 10, 0)).period == "holiday"
    assert flows.validate(document, subscription_ids=set(MEMBERS)) == []


def test_the_optional_days_are_offered_in_the_window():
    days = dict(flows.optional_holidays_between(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)))
    assert {datetime.date(2026, 12, 24), datetime.date(2026, 12, 31), datetime.date(2026, 6, 5)} <= set(days)
