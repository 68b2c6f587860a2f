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


def test_the_demo_staff_sign_in_with_a_known_second_factor():
    from io import StringIO

    from allauth.mfa.models import Authenticator

    from accounts.totp import current_code
    from portal.management.commands.seed_demo import DEMO_STAFF_TOTP_SECRET

    out = StringIO()
    call_command("seed_demo", "--subscriptions", "5", "--tickets", "2", stdout=out)
    staff = User.objects.get(email="staff@operator.example")
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert DEMO_STAFF_TOTP_SECRET in out.getvalue()
    # Not a terminal: a plain progress line per step, no bar redrawn with \r.
    assert "\r" not in out.getvalue() and "Demo data: 100%, " in out.getvalue()
    codes = StringIO()
    call_command("demo_totp_code", stdout=codes)
    code = codes.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    assert len(current_code(DEMO_STAFF_TOTP_SECRET)) == 6
