import random
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import reviews, totp
from accounts.models import AccessReviewRow, User
from audit.actor import Actor
from common.progress import Progress
from companies.models import AccessRequest, Company, Membership
from registry.areas import registry
from registry.demo import DemoContext, cvr_with_check, seeders

DEMO_PASSWORD = "demo-password-2026"
# Staff must sign in with a second factor; the demo's staff account has this authenticator secret
# (add it to an authenticator app, or run `manage.py demo_totp_code` for the current code).
DEMO_STAFF_TOTP_SECRET = "NZXXEZDMPFZWIZLNN5SXI33SEZ2G64DQ"

COMPANIES = [
    # key, name, CVR prefix, street, postcode, city, parent key, EAN
    ("nordlys", "Nordlys Gruppen A/S", "3412750", "Havnegade 12", "1058", "København K", None, "5790001330583"),
    ("energi", "Nordlys Energi ApS", "3412760", "Søndergade 4", "8000", "Aarhus C", "nordlys", ""),
    ("logistik", "Nordlys Logistik ApS", "3412770", "Industrivej 33", "7100", "Vejle", "nordlys", ""),
    ("bager", "Bager Hansen ApS", "2877123", "Østergade 7", "5000", "Odense C", None, ""),
    ("revision", "Vestjysk Revision I/S", "1955834", "Torvet 2", "6700", "Esbjerg", None, ""),
]

# email, first, last, language, [(company key, access, areas or None for all)]
Grant = tuple[str, str, list[str] | None]
ADMINS: list[tuple[str, str, str, str, list[Grant]]] = [
    (
        "anne@nordlys.dk",
        "Anne",
        "Østergaard",
        "da",
        [("nordlys", "full", None), ("energi", "full", None), ("logistik", "full", None)],
    ),
    ("bo@bagerhansen.dk", "Bo", "Hansen", "da", [("bager", "full", None)]),
    ("carl@nordlys.dk", "Carl", "Jensen", "en", [("energi", "read_only", None)]),
    (
        "dorte@vestjyskrevision.dk",
        "Dorte",
        "Æbelø",
        "da",
        [("logistik", "full", ["invoice"]), ("bager", "full", ["invoice"]), ("revision", "full", None)],
    ),
    ("erik@nordlys.dk", "Erik", "Larsen", "en", [("nordlys", "full", ["tickets", "subscriptions"])]),
    ("frida@nordlys.dk", "Frida", "Lund", "da", [("nordlys", "full", ["subscriptions", "invoice"])]),
]
# Levels per area and cost-centre limits (companies.Membership): Frida heads the warehouse, so she sees and
# changes only the Lager cost centre's subscriptions, and sees its invoice lines read-only.
LIMITS: dict[tuple[str, str], tuple[list[str], list[str]]] = {
    ("frida@nordlys.dk", "nordlys"): (["invoice"], ["Lager"]),
}
# Main admins manage the admins of their company and its subsidiaries (accounts.admins). Nordlys has one on
# purpose: its Admins page shows the warning to appoint a second.
MAIN_ADMINS = {("anne@nordlys.dk", "nordlys"), ("bo@bagerhansen.dk", "bager")}


class Command(BaseCommand):
    help = "Creates (or completes) a realistic Danish demo dataset. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--subscriptions", type=int, default=120, help="Subscriptions in the largest company (Nordlys Gruppen)."
        )
        parser.add_argument("--tickets", type=int, default=30, help="Support tickets in the largest company.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable data.")
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            companies = self._companies()
            users = self._users(companies)
        steps = seeders()
        # A bar over the steps on a terminal, a plain line per step otherwise; the steps' own
        # messages are written above the bar.
        with Progress(
            self.stdout, total=len(steps), label=_("Demo data"), unit=_("steps"), every_percent=1
        ) as progress:
            context = DemoContext(
                companies=companies,
                users=users,
                subscriptions=options["subscriptions"],
                tickets=options["tickets"],
                rng=random.Random(options["seed"]),
                log=lambda msg: progress.log(f"  {msg}"),
            )
            for done, seeder in enumerate(steps, start=1):
                progress.log(f"Seeding {seeder.name}…")
                with transaction.atomic():
                    seeder.run(context)
                progress.update(done)
        if not options["quiet_logins"]:
            self._print_logins()

    def _companies(self) -> dict[str, Company]:
        companies: dict[str, Company] = {}
        for key, name, prefix, street, postcode, city, parent, ean in COMPANIES:
            company, _ = Company.objects.update_or_create(
                cvr=cvr_with_check(prefix),
                defaults={
                    "name": name,
                    "street": street,
                    "postcode": postcode,
                    "city": city,
                    "parent": companies.get(parent) if parent else None,
                    "ean": ean,
                },
            )
            company.full_clean()
            companies[key] = company
        return companies

    def _users(self, companies: dict[str, Company]) -> dict[str, User]:
        users: dict[str, User] = {}
        for email, first, last, language, grants in ADMINS:
            user = self._user(email, first=first, last=last, language=language)
            for key, access, areas in grants:
                Membership.objects.update_or_create(
                    user=user,
                    company=companies[key],
                    defaults={
                        "access": access,
                        "areas": areas if areas is not None else registry.keys(),
                        "read_only_areas": LIMITS.get((email, key), ([], []))[0],
                        "cost_centres": LIMITS.get((email, key), ([], []))[1],
                        "is_main_admin": (email, key) in MAIN_ADMINS,
                    },
                )
            users[email] = user
        staff = self._user("staff@operator.example", first="Sofie", last="Support", language="da")
        if not staff.is_staff:
            staff.is_staff = staff.is_superuser = True
            staff.save(update_fields=["is_staff", "is_superuser"])
        totp.enrol(staff, DEMO_STAFF_TOTP_SECRET)
        users["staff@operator.example"] = staff
        self._access_request(companies, users)
        self._access_review(companies, users)
        return users

    def _access_review(self, companies: dict[str, Company], users: dict[str, User]) -> None:
        """This quarter's access review of the Nordlys group, Erik already confirmed by Anne (the rest wait)."""
        anne = Membership.objects.get(user=users["anne@nordlys.dk"], company=companies["nordlys"])
        review = reviews.open_review(companies["nordlys"])
        row = review.rows.filter(email="erik@nordlys.dk", decision=AccessReviewRow.Decision.PENDING).first()
        if row is not None:
            reviews.decide(manager=anne, row=row, confirm=True, by=Actor(user=anne.user))

    def _access_request(self, companies: dict[str, Company], users: dict[str, User]) -> None:
        """Erik asks for the Invoice area: the request waits on Anne's Admins page (one click approves it)."""
        erik = Membership.objects.get(user=users["erik@nordlys.dk"], company=companies["nordlys"])
        AccessRequest.objects.get_or_create(
            company=companies["nordlys"],
            membership=erik,
            area="invoice",
            status=AccessRequest.Status.PENDING,
            defaults={"full": False, "message": "Jeg skal kunne se fakturaerne for mine afdelinger."},
        )

    def _user(self, email: str, *, first: str, last: str, language: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, first_name=first, last_name=last, language=language)
        return user

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD})"))
        rows = [
            ("anne@nordlys.dk", "main admin of the Nordlys group (manages the admins of both subsidiaries), all areas"),
            ("bo@bagerhansen.dk", "main admin of Bager Hansen ApS (small shop), all areas"),
            ("carl@nordlys.dk", "read-only admin of Nordlys Energi ApS"),
            ("dorte@vestjyskrevision.dk", "accountant: Invoice only for two clients, all areas for her own firm"),
            ("erik@nordlys.dk", "Nordlys Gruppen: support tickets and Subscriptions only"),
            ("frida@nordlys.dk", "Nordlys Gruppen, cost centre Lager only: Subscriptions, Invoice read-only"),
            ("staff@operator.example", "operator staff (Django admin and staff pages)"),
        ]
        for email, what in rows:
            self.stdout.write(f"  {email:<28} {what}")
        self.stdout.write(
            f"  Staff sign in with two-factor: authenticator secret {DEMO_STAFF_TOTP_SECRET}, "
            f"code now {totp.current_code(DEMO_STAFF_TOTP_SECRET)} "
            "(later codes: manage.py demo_totp_code)"
        )
