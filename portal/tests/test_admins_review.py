"""The access review page: banner on the Admins page, confirm/remove per admin, another company's rows 404."""

import re

import pytest
from django.urls import reverse

from accounts.models import AccessReview, AccessReviewRow
from accounts.reviews import open_review
from companies.models import Membership
from companies.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def main_a(personas):
    membership = Membership.objects.get(user=personas.admin_a, company=personas.company_a)
    membership.is_main_admin = True
    membership.save()
    return membership


def _row(company, email):
    return AccessReviewRow.objects.get(company=company, email=email)


def test_the_admins_page_says_when_the_review_is_due_and_links_to_it(personas, login, main_a):
    client = login(personas.admin_a)
    page = client.get(reverse("portal:admins"))
    assert 'data-testid="review-due"' in page.text
    assert reverse("portal:admins_review") in page.text
    review = client.get(reverse("portal:admins_review"))
    assert review.status_code == 200
    assert 'data-testid="review-not-started"' in review.text
    assert not AccessReview.objects.filter(company=personas.company_a).exists()  # a GET writes nothing
    assert client.post(reverse("portal:admins_review")).status_code == 302
    review = client.get(reverse("portal:admins_review"))
    assert "Access review, Q" in review.text
    assert "readonly@alfa.dk" in review.text and "admin-b@beta.dk" not in review.text
    assert "0 of 4 admins reviewed." in review.text
    assert "Never" in review.text  # nobody in the fixtures has signed in


def test_confirm_and_remove_from_the_page_until_the_review_is_complete(personas, login, main_a):
    client = login(personas.admin_a)
    client.post(reverse("portal:admins_review"))
    company = personas.company_a
    for row in AccessReviewRow.objects.filter(company=company).exclude(email="invoice@alfa.dk"):
        response = client.post(reverse("portal:admins_review_confirm", args=[row.pk]))
        assert response.status_code == 302
    page = client.get(reverse("portal:admins_review"))
    assert "3 of 4 admins reviewed." in page.text
    client.post(reverse("portal:admins_review_remove", args=[_row(company, "invoice@alfa.dk").pk]))
    assert not Membership.objects.filter(user=personas.invoice_only_a).exists()
    page = client.get(reverse("portal:admins_review"))
    assert 'data-testid="review-complete"' in page.text
    assert page.text.count(">Confirmed<") == 3 and page.text.count(">Removed<") == 1
    assert AccessReview.objects.get(company=company).completed_at is not None
    assert 'data-testid="review-due"' not in client.get(reverse("portal:admins")).text


def test_removing_the_last_main_admin_from_the_review_is_refused_with_a_message(personas, login, main_a):
    client = login(personas.admin_a)
    client.post(reverse("portal:admins_review"))
    row = _row(personas.company_a, "admin-a@alfa.dk")
    page = client.post(reverse("portal:admins_review_remove", args=[row.pk]), follow=True)
    assert "would have no main admin left" in page.text
    assert Membership.objects.filter(pk=main_a.pk).exists()
    row.refresh_from_db()
    assert row.decision == "pending"


def test_a_forged_post_for_another_companys_admin_is_refused(personas, login, main_a):
    MembershipFactory(company=personas.company_b, is_main_admin=True)
    other_row = open_review(personas.company_b).rows.get(email="admin-b@beta.dk")
    client = login(personas.admin_a)
    for name in ("portal:admins_review_confirm", "portal:admins_review_remove"):
        assert client.post(reverse(name, args=[other_row.pk])).status_code == 404
    assert Membership.objects.filter(user=personas.outsider).exists()
    other_row.refresh_from_db()
    assert other_row.decision == "pending"


def test_the_review_is_for_main_admins_only(personas, login, main_a):
    assert login(personas.readonly_a).get(reverse("portal:admins_review")).status_code == 403


def test_the_review_page_in_danish(personas, login, main_a):
    personas.admin_a.language = "da"
    personas.admin_a.save()
    client = login(personas.admin_a)
    assert "Start gennemgangen" in client.get(reverse("portal:admins_review")).text
    client.post(reverse("portal:admins_review"))
    page = client.get(reverse("portal:admins_review"))
    assert re.search(r"Adgangsgennemgang, [1-4]\. kvartal 20\d\d", page.text)
    assert "Seneste login" in page.text and "Bekræft" in page.text
