import pytest
from django.core.management import call_command

from accounts.models import User
from companies.models import Company, Membership

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_data_is_realistic_and_idempotent():
    call_command("seed_demo", "--subscriptions", "20", "--tickets", "5", "--quiet-logins")
    counts = (Company.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("seed_demo", "--subscriptions", "20", "--tickets", "5", "--quiet-logins")
    assert (Company.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    group = Company.objects.get(name="Nordlys Gruppen A/S")
    assert group.subsidiaries.count() == 2
    assert Membership.objects.filter(user__email="anne@nordlys.dk").count() == 3
    assert Membership.objects.get(user__email="carl@nordlys.dk").is_read_only
    assert Membership.objects.filter(user__email="dorte@vestjyskrevision.dk", areas=["invoice"]).count() == 2
    assert User.objects.get(email="staff@operator.example").is_staff
    for company in Company.objects.all():
        company.full_clean()
