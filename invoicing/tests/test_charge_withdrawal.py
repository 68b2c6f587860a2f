"""``ChargesWithdrawn``: an area above takes back a share of the charges it raised under a source key."""

import datetime as dt

import pytest

from audit.actor import Actor
from audit.models import AuditEvent
from invoicing.actions import add_charge
from invoicing.events import ChargesWithdrawn
from invoicing.models import Charge, Invoice
from registry.events import publish

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def withdraw(company, part, key="k1", source="area.thing:1"):
    return publish(
        ChargesWithdrawn(company=company, source=source, key=key, part=part, credit_description="Back", by=SYSTEM)
    )


def plan(company, amounts, *, invoiced=0, source="area.thing:1"):
    invoice = Invoice.objects.create(
        company=company,
        number=9000 + Invoice.objects.unscoped().count(),
        period="2026-01",
        issue_date=dt.date(2026, 2, 1),
        due_date=dt.date(2026, 2, 15),
    )
    for index, amount in enumerate(amounts):
        charge = add_charge(company=company, description=f"part {index + 1}", amount=amount, source=source, by=SYSTEM)
        if index < invoiced:
            Charge.objects.unscoped().filter(pk=charge.pk).update(invoice=invoice)


def total(company):
    return sum(Charge.objects.for_company(company).values_list("amount", flat=True))


def test_half_of_a_plan_halves_the_open_charges_and_credits_half_of_the_invoiced(personas):
    company = personas.company_a
    plan(company, [1002, 1000, 1000, 1000], invoiced=1)
    facts = withdraw(company, (1, 2))
    assert (facts["credited"], facts["reduced"], facts["cancelled"], facts["credit"]) == (1, 3, 0, 501)
    assert total(company) == 2001  # exactly half of 4002
    assert sorted(Charge.objects.for_company(company).values_list("amount", flat=True)) == [-501, 500, 500, 500, 1002]
    event = AuditEvent.objects.for_company(company).get(action="invoice.charges_withdrawn")
    assert event.details["source"] == "area.thing:1"


def test_all_of_it_deletes_the_open_charges(personas):
    company = personas.company_a
    plan(company, [10, 10, 10], invoiced=2)
    facts = withdraw(company, (1, 1))
    assert (facts["credited"], facts["cancelled"], facts["credit"]) == (2, 1, 20) and total(company) == 0


def test_the_same_key_twice_changes_nothing(personas):
    company = personas.company_a
    plan(company, [10, 10], invoiced=1)
    first = withdraw(company, (1, 1))
    second = withdraw(company, (1, 1))
    first.pop("found")
    assert second == first | {"repeated": 1}
    assert total(company) == 0 and Charge.objects.for_company(company).filter(amount__lt=0).count() == 1


def test_another_companys_or_sources_charges_are_untouched(personas):
    plan(personas.company_b, [10, 10])
    plan(personas.company_a, [10, 10], source="area.thing:2")
    assert withdraw(personas.company_a, (1, 1)) == {"found": 0}
    assert total(personas.company_b) == 20 and total(personas.company_a) == 20


def test_a_share_outside_0_to_1_is_a_callers_bug(personas):
    with pytest.raises(ValueError, match="share"):
        withdraw(personas.company_a, (3, 2))
