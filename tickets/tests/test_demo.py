import pytest
from django.core.management import call_command

from companies.models import Company
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_it_seeds_danish_tickets_idempotently():
    call_command("seed_demo", "--tickets", "12", "--subscriptions", "5", "--quiet-logins", stdout=None)
    nordlys = Company.objects.get(name="Nordlys Gruppen A/S")
    first = Ticket.all_companies.count()
    call_command("seed_demo", "--tickets", "12", "--subscriptions", "5", "--quiet-logins", stdout=None)
    assert Ticket.all_companies.count() == first
    assert Ticket.objects.filter(company=nordlys).count() == 12
    assert Ticket.all_companies.filter(company__name="Bager Hansen ApS").count() == 3
    assert Ticket.all_companies.filter(subject__icontains="abonnement").exists()
    assert Ticket.all_companies.values("number").distinct().count() == first
