import pytest

from subscriptions.selectors import subscription_list
from subscriptions.sorting import danish_sort_key
from subscriptions.tests.factories import SubscriptionFactory


def test_it_puts_ae_oe_aa_after_z():
    names = ["Åse Holm", "Zara Lund", "Ærle Bæk", "Øjvind Dahl", "Anders Berg", "aase Møller", "Émile Ørsted"]
    assert sorted(names, key=danish_sort_key) == [
        "Anders Berg",
        "Émile Ørsted",
        "Zara Lund",
        "Ærle Bæk",
        "Øjvind Dahl",
        "Åse Holm",
        "aase Møller",
    ]


def test_it_ignores_case_and_treats_punctuation_as_a_word_break():
    assert danish_sort_key("ANNE-MARIE") == danish_sort_key("anne marie")
    assert danish_sort_key("Anne Berg") < danish_sort_key("Annette")


def test_it_uses_only_characters_every_collation_orders_alike():
    assert set(danish_sort_key("Ærø Å-Ø 12 ü")) <= set("0123456789abcdefghijklmnopqrstuvwxyz")


@pytest.mark.django_db
def test_it_orders_the_list_the_danish_way_in_the_database(personas):
    for name in ["Åge Ågesen", "Zacharias Zink", "Ølstrup Ørsted", "Ærle Æbelø", "Bo Bæk"]:
        SubscriptionFactory(company=personas.company_a, user_name=name)
    names = list(subscription_list(personas.company_a).values_list("user_name", flat=True))
    assert names == ["Bo Bæk", "Zacharias Zink", "Ærle Æbelø", "Ølstrup Ørsted", "Åge Ågesen"]
    reverse = list(subscription_list(personas.company_a, sort="-name").values_list("user_name", flat=True))
    assert reverse == names[::-1]


@pytest.mark.django_db
def test_it_keeps_the_sort_key_current_when_the_name_changes(personas):
    sub = SubscriptionFactory(company=personas.company_a, user_name="Zara")
    sub.user_name = "Åse"
    sub.save(update_fields=["user_name"])
    sub.refresh_from_db()
    assert sub.sort_name == danish_sort_key("Åse")
