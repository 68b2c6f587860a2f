"""The catalogue is named and described in English and Danish, shown by the reader's language."""

import pytest
from django.urls import reverse
from django.utils import translation

from subscriptions.catalogue import DESCRIPTIONS, PRODUCTS
from subscriptions.tests.factories import AddOnFactory, ProductFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sub(personas):
    product = ProductFactory(
        name="Mobile Plus 30 GB",
        name_da="Mobil Plus 30 GB",
        description="Free calls and texts, 30 GB of data.",
        description_da="Fri tale og sms, 30 GB data.",
    )
    add_on = AddOnFactory(name="Extra data 20 GB", name_da="", description="20 GB more data.", description_da="")
    sub = SubscriptionFactory(company=personas.company_a, product=product)
    sub.add_ons.add(add_on)
    return sub


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        ("en", ["Mobile Plus 30 GB", "Free calls and texts, 30 GB of data."], ["Mobil Plus", "Fri tale"]),
        ("da", ["Mobil Plus 30 GB", "Fri tale og sms, 30 GB data."], ["Mobile Plus", "Free calls"]),
    ],
)
def test_the_profile_shows_the_catalogue_in_the_readers_language(sub, personas, login, language, shown, hidden):
    personas.admin_a.language = language
    personas.admin_a.save(update_fields=["language"])
    page = login(personas.admin_a).get(reverse("subscriptions:detail", args=[sub.pk])).content.decode()
    for text in shown:
        assert text in page
    for text in hidden:
        assert text not in page
    # No Danish text yet: the English one is shown.
    assert "Extra data 20 GB" in page and "20 GB more data." in page


def test_catalogue_entries_print_in_the_active_language(sub):
    with translation.override("da"):
        assert str(sub.product) == "Mobil Plus 30 GB"
    with translation.override("en"):
        assert str(sub.product) == "Mobile Plus 30 GB"


def test_the_demo_catalogue_describes_every_subscription_type_in_both_languages():
    for code, *_rest in PRODUCTS:
        english, danish = DESCRIPTIONS[code]
        assert english and danish and english != danish


def test_staff_edit_both_languages_in_the_admin(personas, login):
    product = ProductFactory()
    page = login(personas.staff).get(reverse("admin:subscriptions_product_change", args=[product.pk]))
    assert page.status_code == 200
    for field in ("name", "name_da", "description", "description_da"):
        assert f'name="{field}"' in page.content.decode()
