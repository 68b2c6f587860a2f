"""Demo subscriptions: Danish names (with Æ, Ø, Å), valid numbers and ICCIDs."""

import datetime
import random

from django.utils import timezone

from companies.models import Company
from registry.demo import DemoContext
from subscriptions.catalogue import ensure_catalogue
from subscriptions.identifiers import iccid_with_check
from subscriptions.models import NumberPool, Product, Subscription

FIRST = [
    "Anne",
    "Bo",
    "Søren",
    "Mette",
    "Jens",
    "Ærle",
    "Øjvind",
    "Åse",
    "Lars",
    "Kirsten",
    "Mikkel",
    "Hanne",
    "Rasmus",
    "Line",
    "Niels",
    "Birgitte",
    "Frederik",
    "Ida",
    "Emil",
    "Signe",
    "Jørgen",
    "Sørine",
    "Ellen",
    "Kasper",
    "Louise",
    "Morten",
    "Pia",
    "Thomas",
    "Camilla",
    "Anders",
    "Åke",
    "Ølstrup",
    "Freja",
    "Malthe",
]
LAST = [
    "Hansen",
    "Jensen",
    "Nielsen",
    "Pedersen",
    "Andersen",
    "Sørensen",
    "Østergaard",
    "Ærenlund",
    "Ågesen",
    "Christensen",
    "Larsen",
    "Rasmussen",
    "Jørgensen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Møller",
    "Poulsen",
    "Johansen",
    "Knudsen",
    "Mortensen",
    "Æbelø",
    "Ørsted",
    "Aagaard",
    "Bæk",
    "Dahl",
    "Holm",
    "Lund",
]
DOMAINS = {
    "nordlys": "nordlys.dk",
    "energi": "nordlysenergi.dk",
    "logistik": "nordlyslogistik.dk",
    "bager": "bagerhansen.dk",
    "revision": "vestjyskrevision.dk",
}
COST_CENTRES = ["Salg", "Økonomi", "Lager", "Ledelse", "IT", "Kundeservice", "Produktion"]
SIZES = {"energi": 12, "logistik": 25, "bager": 5, "revision": 8}
# Prefixes of Danish mobile numbers (the 2x, 3x, 4x, 5x, 6x, 7x, 8x, 9x series in use).
MOBILE_PREFIXES = [
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
    "26",
    "27",
    "28",
    "29",
    "30",
    "31",
    "40",
    "41",
    "42",
    "50",
    "51",
    "52",
    "53",
    "60",
    "61",
    "71",
    "81",
    "91",
    "93",
]


def _email_part(text: str) -> str:
    return text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")


def _number(index: int, company_index: int) -> str:
    # Unique per company index and row: prefix + six digits.
    prefix = MOBILE_PREFIXES[company_index % len(MOBILE_PREFIXES)]
    body = (index * 7919 + company_index * 104729) % 1_000_000
    if company_index == 0:
        prefix = MOBILE_PREFIXES[(index // 1_000_000) % len(MOBILE_PREFIXES)]
        body = index % 1_000_000
    return f"+45{prefix}{body:06d}"


def build(
    company: Company,
    count: int,
    company_index: int,
    rng: random.Random,
    products: dict[str, Product],
    domain: str = "example.dk",
) -> list[Subscription]:
    mobile = [p for p in products.values() if p.kind == "mobile"]
    others = [p for p in products.values() if p.kind != "mobile"]
    today = timezone.localdate()
    rows = []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        product = rng.choice(mobile) if rng.random() < 0.85 else rng.choice(others)
        start = today - datetime.timedelta(days=rng.randint(10, 1500))
        status = rng.choices(
            [
                Subscription.Status.ACTIVE,
                Subscription.Status.PENDING_TERMINATE,
                Subscription.Status.TERMINATED,
                Subscription.Status.PENDING_ACTIVE,
                Subscription.Status.SUSPENDED,
            ],
            [85, 4, 6, 3, 2],
        )[0]
        is_mobile = product.kind != "landline"
        sub = Subscription(
            company=company,
            user_name=f"{first} {last}",
            email=f"{_email_part(first)}.{_email_part(last)}{i}@{domain}",
            phone_number=_number(i, company_index)
            if is_mobile
            else f"+4570{(company_index * 10000 + i) % 1_000_000:06d}",
            product=product,
            status=status,
            start_date=start,
            binding_end=(start + datetime.timedelta(days=30 * product.binding_months))
            if product.binding_months
            else None,
            cost_centre=rng.choice(COST_CENTRES),
            salary_number=str(10000 + i),
            sim_type=("esim" if rng.random() < 0.2 else "physical") if is_mobile else "",
            iccid=iccid_with_check(f"894501{company_index:02d}{i:010d}") if is_mobile else "",
        )
        if status in (Subscription.Status.PENDING_TERMINATE, Subscription.Status.TERMINATED):
            sub.end_date = (
                today + datetime.timedelta(days=rng.randint(5, 40))
                if status == "pending_terminate"
                else today - datetime.timedelta(days=rng.randint(1, 200))
            )
            sub.cancel_reason = "Medarbejder fratrådt"
        if is_mobile:
            sub.pin = f"{rng.randint(0, 9999):04d}"
            sub.puk = f"{rng.randint(0, 99999999):08d}"
        sub.refresh_search_fields()
        rows.append(sub)
    return rows


def seed(ctx: DemoContext) -> None:
    products = ensure_catalogue()
    # The operator's pool of free numbers for new subscriptions.
    if not NumberPool.objects.exists():
        NumberPool.objects.bulk_create(
            [NumberPool(phone_number=f"+4542{n:06d}") for n in range(100000, 100200)], ignore_conflicts=True
        )
    wanted = {"nordlys": ctx.subscriptions, **SIZES}
    for index, (key, count) in enumerate(wanted.items()):
        company = ctx.companies[key]
        have = Subscription.objects.filter(company=company).count()
        if have >= count:
            continue
        rows = build(company, count, index, ctx.rng, products, DOMAINS[key])[have:]
        Subscription.objects.bulk_create(rows, batch_size=2000)
        ctx.log(f"{company.name}: {len(rows)} subscriptions")
