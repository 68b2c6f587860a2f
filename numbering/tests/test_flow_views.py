import json
import re

import pytest
from django.urls import reverse

from numbering.models import CallFlowVersion
from numbering.tests.factories import CallFlowVersionFactory, SubscriptionFactory, flow_document

pytestmark = pytest.mark.django_db


def editor_data(members, **overrides):
    data = {
        "schedule-day_0": "08:00-12:00, 12:30-16:00",
        "schedule-day_1": "08:00-16:00",
        "schedule-day_2": "08:00-16:00",
        "schedule-day_3": "08:00-16:00",
        "schedule-day_4": "08:00-15:00",
        "schedule-day_5": "",
        "schedule-day_6": "",
        "schedule-observe_holidays": "on",
        "special-TOTAL_FORMS": "1",
        "special-INITIAL_FORMS": "0",
        "special-0-date": "2026-12-23",
        "special-0-label": "Lillejuleaften",
        "special-0-periods": "08:00-12:00",
        "dest-TOTAL_FORMS": "3",
        "dest-INITIAL_FORMS": "0",
        "dest-0-key": "menu",
        "dest-0-type": "ivr",
        "dest-0-name": "Menu",
        "dest-0-greeting": "Tast 1",
        "dest-0-options": "1=sales",
        "dest-0-timeout": "5",
        "dest-0-max_tries": "2",
        "dest-0-timeout_dest": "sales",
        "dest-1-key": "sales",
        "dest-1-type": "ring_group",
        "dest-1-name": "Salg",
        "dest-1-members": [str(m) for m in members],
        "dest-1-strategy": "in_order",
        "dest-1-ring_time": "20",
        "dest-1-overflow": "vm",
        "dest-2-key": "vm",
        "dest-2-type": "voicemail",
        "dest-2-email": "post@alfa.dk",
        "routes-open": "menu",
        "routes-closed": "vm",
        "routes-holiday": "vm",
        "routes-comment": "Første",
    }
    data.update(overrides)
    return data


def test_it_saves_a_flow_as_a_new_version(personas, login):
    members = [SubscriptionFactory(company=personas.company_a).pk for _ in range(2)]
    response = login(personas.admin_a).post(reverse("numbers:flow_edit"), editor_data(members))
    assert response.status_code == 302
    version = CallFlowVersion.all_companies.get()
    assert version.version == 1 and version.created_by == personas.admin_a and version.comment == "Første"
    assert version.document["hours"]["0"] == [["08:00", "12:00"], ["12:30", "16:00"]]
    assert version.document["destinations"]["sales"]["members"] == members
    assert version.document["special_days"][0]["periods"] == [["08:00", "12:00"]]


def test_it_refuses_another_companys_subscription_in_a_ring_group(personas, login):
    foreign = SubscriptionFactory(company=personas.company_b).pk
    response = login(personas.admin_a).post(reverse("numbers:flow_edit"), editor_data([foreign]))
    assert response.status_code == 400
    assert not CallFlowVersion.all_companies.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"dest-1-overflow": "nowhere"},
        {"dest-1-overflow": "menu", "dest-0-timeout_dest": "sales"},  # sales → menu → sales without a choice
        {"schedule-day_0": "16:00-08:00"},
        {"dest-0-options": "12=sales"},
        {"dest-2-key": "menu"},
        {"routes-open": ""},
        {"dest-TOTAL_FORMS": "x"},
    ],
)
def test_it_re_renders_a_bad_flow_and_saves_nothing(personas, login, overrides):
    members = [SubscriptionFactory(company=personas.company_a).pk]
    response = login(personas.admin_a).post(reverse("numbers:flow_edit"), editor_data(members, **overrides))
    assert response.status_code in (400, 200)
    assert not CallFlowVersion.all_companies.exists()


def test_it_loads_the_active_flow_into_the_editor(personas, login):
    CallFlowVersionFactory(company=personas.company_a)
    response = login(personas.admin_a).get(reverse("numbers:flow_edit"))
    assert response.status_code == 200
    assert "08:00-12:00, 12:30-16:00" in response.content.decode()


def test_it_tests_a_call_on_a_saturday_and_a_holiday(personas, login):
    CallFlowVersionFactory(company=personas.company_a)
    client = login(personas.admin_a)
    saturday = client.get(reverse("numbers:flow"), {"date": "2026-11-28", "time": "10:00", "digits": ""})
    assert saturday.context["path"].period == "closed"
    holiday = client.get(reverse("numbers:flow"), {"date": "2026-12-25", "time": "10:00", "digits": ""})
    assert holiday.context["path"].period == "holiday"
    weekday = client.get(reverse("numbers:flow"), {"date": "2026-11-24", "time": "10:00", "digits": "2"})
    assert weekday.context["path"].steps[-1].destination == "mobile"


def test_it_refuses_bad_test_input(personas, login):
    CallFlowVersionFactory(company=personas.company_a)
    response = login(personas.admin_a).get(reverse("numbers:flow"), {"date": "x", "time": "25:00", "digits": "a"})
    assert response.status_code == 200
    assert response.context["path"] is None


def test_it_rolls_back_to_an_old_version(personas, login):
    members = [SubscriptionFactory(company=personas.company_a).pk]
    old_doc = flow_document(members)
    new_doc = flow_document(members)
    new_doc["hours"]["0"] = [["10:00", "14:00"]]
    v1 = CallFlowVersion.objects.create(company=personas.company_a, version=1, document=old_doc)
    CallFlowVersion.objects.create(company=personas.company_a, version=2, document=new_doc)
    client = login(personas.admin_a)
    detail = client.get(reverse("numbers:flow_version", kwargs={"version_id": v1.pk}))
    assert ("Opening hours, Monday", "10:00-14:00", "08:00-12:00, 12:30-16:00") in detail.context["changes_to_active"]
    client.post(reverse("numbers:flow_rollback", kwargs={"version_id": v1.pk}))
    latest = CallFlowVersion.objects.for_company(personas.company_a).order_by("-version").first()
    assert latest.version == 3
    assert latest.document == old_doc
    assert "version 1" in latest.comment
    assert CallFlowVersion.all_companies.count() == 3  # history kept


def test_it_exports_the_active_flow_as_json(personas, login):
    version = CallFlowVersionFactory(company=personas.company_a)
    response = login(personas.admin_a).get(reverse("numbers:flow_export"))
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    payload = json.loads(response.content)
    assert payload["flow"] == version.document
    assert payload["company"]["cvr"] == personas.company_a.cvr


def test_it_answers_404_for_an_export_without_a_flow(personas, login):
    CallFlowVersionFactory(company=personas.company_b)
    assert login(personas.admin_a).get(reverse("numbers:flow_export")).status_code == 404


@pytest.mark.parametrize("size", [1, 30])
def test_it_lists_versions_in_fixed_queries(personas, login, django_assert_num_queries, size):
    member = SubscriptionFactory(company=personas.company_a).pk
    CallFlowVersion.objects.bulk_create(
        [
            CallFlowVersion(
                company=personas.company_a, version=n + 1, document=flow_document([member]), created_by=personas.admin_a
            )
            for n in range(size)
        ]
    )
    client = login(personas.admin_a)
    client.get(reverse("numbers:flow_versions"))
    # The list's five, plus the version numbers to compare and the scheduled changes: the same for 1 and 30.
    with django_assert_num_queries(7):
        response = client.get(reverse("numbers:flow_versions"))
    assert len(response.context["page"]) == min(size, 25)


@pytest.mark.parametrize("prefix", ["dest", "special"])
def test_it_refuses_a_forged_form_count_without_building_a_thousand_forms(prefix, personas, login):
    """A forged TOTAL_FORMS used to build max_num + 1000 forms: seconds of work per request."""
    from numbering.forms import DestinationFormSet, SpecialDayFormSet

    members = [SubscriptionFactory(company=personas.company_a).pk]
    data = editor_data(members, **{f"{prefix}-TOTAL_FORMS": "1000000"})
    formset_class = DestinationFormSet if prefix == "dest" else SpecialDayFormSet
    kwargs = {"form_kwargs": {"member_choices": []}} if prefix == "dest" else {}
    formset = formset_class(data, prefix=prefix, **kwargs)
    assert len(formset.forms) <= formset_class.max_num
    assert not formset.is_valid()

    response = login(personas.admin_a).post(reverse("numbers:flow_edit"), data)
    assert response.status_code == 400
    assert not CallFlowVersion.all_companies.exists()


def test_the_editor_offers_christmas_eve_as_a_holiday_the_company_can_switch_on(personas, login):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    eve = datetime.date(today.year, 12, 24)
    if eve < today:
        eve = eve.replace(year=today.year + 1)
    client = login(personas.admin_a)
    page = client.get(reverse("numbers:flow_edit")).content.decode()
    assert f'value="{eve.isoformat()}"' in page
    members = [SubscriptionFactory(company=personas.company_a).pk]
    response = client.post(
        reverse("numbers:flow_edit"), editor_data(members, **{"schedule-observed": [eve.isoformat()]})
    )
    assert response.status_code == 302
    assert CallFlowVersion.all_companies.get().document["holidays"]["on"] == [eve.isoformat()]
    page = client.get(reverse("numbers:flow_edit")).content.decode()
    assert re.search(rf'<input[^>]*value="{eve.isoformat()}"[^>]*checked', page)
