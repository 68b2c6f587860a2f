"""Company-owned data fails closed: ``Model.objects`` runs only when scoped to a company."""

import datetime
import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.management import call_command
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.urls import reverse

from audit.models import AuditEvent
from companies.models import Company
from registry.scoping import CompanyOwned, UnscopedQueryError, get_for_company
from subscriptions.models import Subscription, SubscriptionCount
from subscriptions.tests.factories import SubscriptionFactory
from tickets.models import Ticket, TicketMessage
from tickets.tests.factories import TicketFactory, TicketMessageFactory

pytestmark = pytest.mark.django_db

# Models with a foreign key to Company that are not one company's data.
NOT_COMPANY_OWNED = {
    "companies.Company",  # `parent`: the group a company belongs to
    "companies.Membership",  # who may act for a company: read by the policy with the user at hand
    "subscriptions.NumberPool",  # `reserved_for`: the operator's pool of free numbers
}
# Scoped like CompanyOwned without inheriting it (an empty company for operator events; a key without constraint).
SCOPED_WITHOUT_COMPANY_OWNED = {"audit.AuditEvent", "subscriptions.SubscriptionCount"}


def company_owned_models() -> list[type]:
    found = [model for model in apps.get_models() if issubclass(model, CompanyOwned)]
    assert len(found) >= 16  # invoicing, numbering, tickets, subscriptions
    return [*found, AuditEvent, SubscriptionCount]


@pytest.fixture
def two_companies(personas):
    mine = SubscriptionFactory(company=personas.company_a)
    theirs = SubscriptionFactory(company=personas.company_b)
    return personas.company_a, personas.company_b, mine, theirs


EVALUATIONS = {
    "iteration": lambda qs: list(qs),
    "len": lambda qs: len(qs),
    "bool": lambda qs: bool(qs),
    "index": lambda qs: qs[0],
    "get": lambda qs: qs.get(pk=1),
    "first": lambda qs: qs.first(),
    "last": lambda qs: qs.last(),
    "count": lambda qs: qs.count(),
    "exists": lambda qs: qs.exists(),
    "aggregate": lambda qs: qs.aggregate(n=Count("pk")),
    "values": lambda qs: list(qs.values("pk")),
    "values_list": lambda qs: list(qs.values_list("pk", flat=True)),
    "in_bulk": lambda qs: qs.in_bulk([1]),
    "iterator": lambda qs: list(qs.iterator()),
    "update": lambda qs: qs.update(cost_centre="x"),
    "delete": lambda qs: qs.delete(),
    "latest": lambda qs: qs.latest("start_date"),
    "get_or_create": lambda qs: qs.get_or_create(phone_number="+4520999999"),
    "contains": lambda qs: qs.contains(Subscription.all_companies.first()),
    "filtered on something else": lambda qs: list(qs.filter(status="active")),
    "excluding a company": lambda qs: list(qs.exclude(company__name="Nobody")),
    "or'ed with a scoped queryset": lambda qs: list(qs | Subscription.objects.filter(company_id=1)),
}


@pytest.mark.parametrize("evaluate", EVALUATIONS.values(), ids=EVALUATIONS.keys())
def test_it_refuses_an_unscoped_subscription_query(two_companies, evaluate):
    with pytest.raises(UnscopedQueryError, match=r"Subscription\.objects"):
        evaluate(Subscription.objects.all())
    assert Subscription.all_companies.count() == 2  # nothing was changed or deleted


def test_the_error_is_a_programming_error_never_a_404_or_403():
    assert issubclass(UnscopedQueryError, RuntimeError)
    assert not issubclass(UnscopedQueryError, ValueError | TypeError | ObjectDoesNotExist | PermissionDenied | Http404)


def test_building_an_unscoped_queryset_and_its_repr_do_not_query(two_companies, django_assert_num_queries):
    with django_assert_num_queries(0):
        queryset = Subscription.objects.filter(status="active").order_by("pk")
        assert "not scoped to a company" in repr(queryset)


def test_for_company_reads_one_company_and_nothing_for_none(two_companies):
    company_a, _company_b, mine, _theirs = two_companies
    assert list(Subscription.objects.for_company(company_a)) == [mine]
    assert Subscription.objects.for_company(company_a).count() == 1
    assert list(Subscription.objects.for_company(None)) == []
    assert list(Subscription.objects.for_company(Company())) == []  # unsaved: no pk


def test_an_explicit_company_filter_scopes_the_query(two_companies):
    company_a, company_b, mine, theirs = two_companies
    assert list(Subscription.objects.filter(company=company_a)) == [mine]
    assert list(Subscription.objects.filter(company_id=company_b.pk)) == [theirs]
    assert set(Subscription.objects.filter(company__in=[company_a, company_b])) == {mine, theirs}
    assert list(Subscription.objects.filter(Q(company=company_a), status="active")) == [mine]
    assert Subscription.objects.select_related("product").get(company=company_a, pk=mine.pk) == mine
    assert list(Subscription.objects.filter(status="active").for_company(company_b)) == [theirs]
    assert list(Subscription.objects.none()) == []


def test_unscoped_reads_every_company_when_said_out_loud(two_companies):
    _a, _b, mine, theirs = two_companies
    assert set(Subscription.objects.unscoped()) == {mine, theirs}
    assert Subscription.objects.unscoped().filter(pk=theirs.pk).update(cost_centre="Drift") == 1
    assert Subscription.all_companies.get(pk=theirs.pk).cost_centre == "Drift"


def test_create_and_bulk_create_need_no_scope(personas):
    Subscription.objects.create(
        company=personas.company_a,
        user_name="Ny Bruger",
        email="ny@alfa.dk",
        phone_number="+4520111111",
        start_date=datetime.date(2026, 1, 1),
        product=SubscriptionFactory(company=personas.company_a).product,
    )
    TicketMessage.objects.bulk_create(
        [
            TicketMessage(
                ticket=(ticket := TicketFactory(company=personas.company_b)), company=ticket.company, body="Hej"
            )
        ]
    )
    assert Subscription.objects.for_company(personas.company_a).count() == 2
    assert TicketMessage.objects.for_company(personas.company_b).count() == 1


def test_get_for_company_answers_404_for_a_foreign_id(two_companies):
    company_a, _b, mine, theirs = two_companies
    assert get_for_company(Subscription.objects.all(), company_a, pk=mine.pk) == mine
    with pytest.raises(Http404):
        get_for_company(Subscription.objects.all(), company_a, pk=theirs.pk)


def test_related_managers_and_prefetches_reach_rows_through_the_object_held(personas):
    ticket = TicketFactory(company=personas.company_a)
    message = TicketMessageFactory(ticket=ticket)
    TicketMessageFactory(ticket__company=personas.company_b)
    assert list(ticket.messages.all()) == [message]
    assert ticket.messages.count() == 1
    prefetched = Ticket.objects.for_company(personas.company_a).prefetch_related(
        Prefetch("messages", queryset=TicketMessage.objects.order_by("pk"), to_attr="listed")
    )
    assert [t.listed for t in prefetched] == [[message]]
    assert message.ticket == ticket  # forward relations use the plain base manager


def test_django_internals_use_the_plain_default_manager(two_companies):
    company_a, _b, _mine, _theirs = two_companies
    for model in company_owned_models():
        assert model._default_manager.name == "all_companies", model
        model._default_manager.count()  # never refuses
    out = io.StringIO()
    call_command("dumpdata", "subscriptions.subscription", stdout=out)
    assert out.getvalue().count('"model": "subscriptions.subscription"') == 2
    company_a.delete()  # the cascade collects through the base manager
    assert Subscription.all_companies.count() == 1


@pytest.mark.parametrize("model", company_owned_models(), ids=lambda m: m._meta.label)
def test_every_company_owned_model_refuses_an_unscoped_query(model):
    with pytest.raises(UnscopedQueryError):
        list(model.objects.all())
    with pytest.raises(UnscopedQueryError):
        model.objects.count()
    assert list(model.objects.for_company(None)) == []
    model.objects.unscoped().count()


def test_no_model_with_a_company_escapes_the_scoping_layer():
    """A new model with a company foreign key inherits CompanyOwned (or is listed above, with why)."""
    with_company = {
        model._meta.label
        for model in apps.get_models()
        if any(f.many_to_one and f.concrete and f.related_model is Company for f in model._meta.get_fields())
    }
    owned = {model._meta.label for model in company_owned_models()}
    assert with_company - owned == NOT_COMPANY_OWNED
    assert SCOPED_WITHOUT_COMPANY_OWNED <= owned


def test_the_admin_lists_every_company_owned_model_for_staff(personas, login):
    SubscriptionFactory(company=personas.company_a)
    ticket = TicketFactory(company=personas.company_b)
    TicketMessageFactory(ticket=ticket)
    client = login(personas.staff)
    registered = [model for model in company_owned_models() if model in admin.site._registry]
    assert len(registered) >= 10
    for model in registered:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).status_code == 200
