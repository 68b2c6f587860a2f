"""The designer as a plain form (no JavaScript): what the page shows is what it posts back."""

import lxml.html
import pytest
from django.urls import reverse

from numbering import flows
from numbering.models import CallFlowVersion
from numbering.tests.factories import CallFlowVersionFactory, SubscriptionFactory, flow_document

pytestmark = pytest.mark.django_db
URL = "/numbers/flow/design/"


def step(key: str, testid: str) -> str:
    return f"//*[@id='step-card-{key}']//*[@data-testid='{testid}']"


def css_class(name: str) -> str:
    return f"//*[contains(concat(' ', @class, ' '), ' {name} ')]"


def page_form(html: bytes | str) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser would post from the designer, without the buttons."""
    form = lxml.html.fromstring(html).xpath("//form[@data-testid='designer']")[0]
    pairs: list[tuple[str, str]] = []
    for element in form.iter("input", "select", "textarea"):
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if element.tag == "input":
            if element.get("type") in ("submit", "button"):
                continue
            if element.get("type") in ("checkbox", "radio") and element.get("checked") is None:
                continue
            pairs.append((name, element.get("value") or ""))
        elif element.tag == "textarea":
            pairs.append((name, element.text_content().lstrip("\n")))
        else:
            options = element.xpath(".//option")
            chosen = [o for o in options if o.get("selected") is not None] or options[:1]
            pairs.extend((name, o.get("value") or "") for o in chosen)
    return pairs


def press(client, html, action: str, **changes: str):
    """Posts the page's form as it stands, with ``changes``, pressing the button ``action``."""
    pairs = [(n, changes.pop(n) if n in changes else v) for n, v in page_form(html)]
    data: dict[str, list[str]] = {}
    for name, value in [*pairs, *changes.items(), ("action", action)]:
        data.setdefault(name, []).append(value)
    return client.post(URL, data)


@pytest.fixture
def flow(personas):
    members = [SubscriptionFactory(company=personas.company_a).pk for _ in range(3)]
    return CallFlowVersionFactory(company=personas.company_a, version=1, document=flow_document(members))


def test_the_designer_offers_targets_as_choices_not_keys_to_type(personas, login, flow):
    response = login(personas.admin_a).get(URL)
    assert response.status_code == 200
    page = lxml.html.fromstring(response.content)
    # Every "go to" is a select listing the steps by name; no key is typed anywhere.
    assert page.xpath("//select[@name='entry-open']/option[@selected]")[0].text == "Menu"
    assert not page.xpath("//input[@list] | //input[contains(@name, '-key')]")
    assert page.xpath("//*[@data-testid='flow-diagram']//svg[@role='img']")


def test_saving_the_designer_unchanged_saves_the_same_flow(personas, login, flow):
    client = login(personas.admin_a)
    response = press(client, client.get(URL).content, "save")
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = CallFlowVersion.objects.filter(company=personas.company_a).order_by("-version").first()
    assert latest.version == 2
    assert flows.diff(flow.document, latest.document) == []


def test_a_flow_is_built_from_empty_by_choosing(personas, login):
    member = SubscriptionFactory(company=personas.company_a, user_name="Anders")
    client = login(personas.admin_a)
    page = client.get(URL)
    assert b'data-testid="no-steps"' in page.content
    page = press(client, page.content, "add:ring_group")
    # The first step takes every call, and its name field gets the keyboard.
    assert b"autofocus" in page.content
    page = press(client, page.content, "member:ring-group-1", **{"step-ring-group-1-add_member": str(member.pk)})
    page = press(client, page.content, "add:voicemail")
    page = press(client, page.content, "save", **{"step-ring-group-1-overflow": "voicemail-1"})
    assert page.status_code == 302, page.content.decode()[:3000]
    document = CallFlowVersion.objects.get(company=personas.company_a).document
    assert document["routes"] == {"open": "ring-group-1", "closed": "ring-group-1", "holiday": "ring-group-1"}
    assert document["destinations"]["ring-group-1"]["members"] == [member.pk]
    assert document["destinations"]["voicemail-1"]["email"] == personas.admin_a.email


def test_errors_show_on_their_step_and_nothing_is_saved(personas, login, flow):
    client = login(personas.admin_a)
    page = press(client, client.get(URL).content, "save", **{"step-voicemail-email": "not-an-address"})
    html = lxml.html.fromstring(page.content)
    assert page.status_code == 400
    problems = html.xpath(step("voicemail", "step-problems"))
    assert problems and "e-mail" in problems[0].text_content()
    assert not html.xpath(step("menu", "step-problems"))
    assert CallFlowVersion.objects.filter(company=personas.company_a).count() == 1


def test_an_unreachable_step_and_a_loop_are_flagged_before_saving(personas, login, flow):
    client = login(personas.admin_a)
    page = press(client, client.get(URL).content, "add:announcement")
    html = lxml.html.fromstring(page.content)
    assert html.xpath(step("announcement-1", "step-warning"))
    assert html.xpath(css_class("flow-node--unreachable") + "[@data-step='announcement-1']")
    # A ring group that overflows to a time condition that leads back to it rings forever.
    page = press(client, page.content, "add:time_condition")
    page = press(
        client,
        page.content,
        "check",
        **{
            "step-sales-overflow": "time-1",
            "step-time-1-open": "sales",
            "step-time-1-closed": "sales",
            "step-time-1-holiday": "sales",
        },
    )
    html = lxml.html.fromstring(page.content)
    loop = html.xpath(step("time-1", "step-problems"))
    assert loop and "→" in loop[0].text_content()
    assert html.xpath("//*[@data-testid='designer-errors']")


def test_members_move_up_and_down_without_javascript(personas, login, flow):
    client = login(personas.admin_a)
    before = flow.document["destinations"]["sales"]["members"]
    page = press(client, client.get(URL).content, "down:sales:0")
    moved = [int(v) for n, v in page_form(page.content) if n == "step-sales-members"]
    assert moved == [before[1], before[0], *before[2:]]
    page = press(client, page.content, "drop:sales:0")
    assert [int(v) for n, v in page_form(page.content) if n == "step-sales-members"] == [before[0], *before[2:]]


def test_removing_a_step_clears_what_pointed_to_it(personas, login, flow):
    client = login(personas.admin_a)
    page = press(client, client.get(URL).content, "remove:voicemail")
    pairs = dict(page_form(page.content))
    assert "step-voicemail-type" not in pairs
    assert pairs["entry-closed"] == ""


def test_a_forged_member_or_step_is_refused_on_its_step(personas, login, flow):
    foreign = SubscriptionFactory(company=personas.company_b)
    client = login(personas.admin_a)
    page = press(client, client.get(URL).content, "save", **{"step-sales-add_member": str(foreign.pk)})
    assert page.status_code == 400
    assert b"not your company" in page.content
    response = client.post(URL, {"steps": ["../x", "ok"], "step-ok-type": "nope", "action": "add:bogus"})
    assert response.status_code == 200


def test_the_designer_answers_htmx_with_a_client_redirect_on_save(personas, login, flow):
    client = login(personas.admin_a)
    pairs = page_form(client.get(URL).content)
    data: dict[str, list[str]] = {}
    for name, value in [*pairs, ("action", "save")]:
        data.setdefault(name, []).append(value)
    response = client.post(URL, data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("numbers:flow")


def test_the_flow_page_marks_a_simulated_call_on_the_diagram(personas, login, flow):
    response = login(personas.admin_a).get(
        reverse("numbers:flow"), {"date": "2026-12-01", "time": "10:00", "digits": "1"}
    )
    html = lxml.html.fromstring(response.content)
    visited = [n.get("data-step") for n in html.xpath(css_class("flow-node--visited"))]
    assert set(visited) == {"__call__", "__hours__", "menu", "sales", "voicemail"}
    assert html.xpath(css_class("flow-edge--taken") + "[@data-edge='menu>sales']")
    assert not html.xpath(css_class("flow-edge--taken") + "[@data-edge='menu>mobile']")


def test_the_designer_schedules_a_draft_without_changing_the_active_flow(personas, login, flow):
    import datetime

    from django.utils import timezone

    from numbering.models import ScheduledFlowChange

    client = login(personas.admin_a)
    day = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    page = press(client, client.get(URL).content, "add:announcement")
    response = press(
        client,
        page.content,
        "schedule",
        **{
            "step-announcement-1-text": "Glædelig jul",
            "entry-open": "announcement-1",
            "schedule-date": day,
            "schedule-time": "00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    change = ScheduledFlowChange.objects.get(company=personas.company_a)
    assert change.document["routes"]["open"] == "announcement-1"
    assert CallFlowVersion.objects.filter(company=personas.company_a).count() == 1
    past = press(
        client,
        page.content,
        "schedule",
        **{"step-announcement-1-text": "Jul", "schedule-date": "2020-01-01", "schedule-time": "00:00"},
    )
    assert past.status_code == 400 and b"in the future" in past.content


def test_opening_hours_are_picked_on_the_week_grid_with_holidays_and_special_days(personas, login, flow):
    import datetime

    from django.utils import timezone

    client = login(personas.admin_a)
    page = client.get("/numbers/flow/hours/")
    assert page.status_code == 200
    html = lxml.html.fromstring(page.content)
    assert len(html.xpath(css_class("week-grid__cell--open"))) == 5 * 15  # 08-12 and 12:30-16 on weekdays
    assert html.xpath("//*[@data-testid='calendar']//td[contains(@class, 'is-holiday')]")
    # Unchanged, with its empty spare special-day row: saves.
    data: dict[str, list[str]] = {}
    form = html.xpath("//form[@data-testid='hours-form']")[0]
    for element in form.iter("input"):
        if element.get("type") == "checkbox" and element.get("checked") is None:
            continue
        default = "on" if element.get("type") == "checkbox" else ""
        data.setdefault(element.get("name"), []).append(element.get("value") or default)
    response = client.post("/numbers/flow/hours/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    latest = CallFlowVersion.objects.filter(company=personas.company_a).order_by("-version").first()
    assert flows.diff(flow.document, latest.document) == []
    # Friday short, Christmas Eve switched on, a half day on the 23rd.
    eve = datetime.date(timezone.localdate().year, 12, 24)
    if eve < timezone.localdate():
        eve = eve.replace(year=eve.year + 1)
    data["hours-d4_p0_to"], data["hours-d4_p1_from"], data["hours-d4_p1_to"] = ["12:00"], [""], [""]
    data.setdefault("hours-observed", []).append(eve.isoformat())
    data["special-0-date"] = [(eve - datetime.timedelta(days=1)).isoformat()]
    data["special-0-label"], data["special-0-open_from"], data["special-0-open_to"] = (
        ["Lillejuleaften"],
        ["08:00"],
        ["12:00"],
    )
    response = client.post("/numbers/flow/hours/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    document = CallFlowVersion.objects.filter(company=personas.company_a).order_by("-version").first().document
    assert document["hours"]["4"] == [["08:00", "12:00"]]
    assert eve.isoformat() in document["holidays"]["on"]
    assert {
        "date": (eve - datetime.timedelta(days=1)).isoformat(),
        "label": "Lillejuleaften",
        "periods": [["08:00", "12:00"]],
    } in document["special_days"]
    bad = client.post("/numbers/flow/hours/", {**data, "hours-d0_p0_from": ["17:00"], "hours-d0_p0_to": ["09:00"]})
    assert bad.status_code == 400


def test_a_typed_forward_number_is_stored_as_the_network_takes_it(personas, login, flow):
    from numbering import export

    client = login(personas.admin_a)
    page = press(client, client.get(URL).content, "save", **{"step-mobile-other_number": "20 12 34 99"})
    assert page.status_code == 302
    latest = CallFlowVersion.objects.filter(company=personas.company_a).order_by("-version").first()
    assert latest.document["destinations"]["mobile"]["number"] == "+4520123499"
    payload = export.export(latest, company=personas.company_a, main_number=None)
    assert export.problems(payload) == []
