"""Demo data for the Products area: the catalogue, one company's ordering rules and a few orders."""

from audit.actor import Actor
from products.models import Item, Order, ProductSettings, StockMovement
from registry.demo import DemoContext

# code, kind, name, name_da, description, description_da, price (øre), stock, delivery days
CATALOGUE = [
    (
        "sim-triple",
        Item.Kind.SIM,
        "SIM card (triple cut)",
        "SIM-kort (tripleklip)",
        "A physical SIM card that fits every phone.",
        "Et fysisk SIM-kort, der passer i alle telefoner.",
        0,
        5000,
        2,
    ),
    (
        "esim",
        Item.Kind.ESIM,
        "eSIM",
        "eSIM",
        "Sent to the employee by e-mail as a QR code.",
        "Sendes til medarbejderen på e-mail som en QR-kode.",
        0,
        100000,
        0,
    ),
    (
        "iphone-16-128",
        Item.Kind.PHONE,
        "iPhone 16, 128 GB",
        "iPhone 16, 128 GB",
        "Apple iPhone 16 in black.",
        "Apple iPhone 16 i sort.",
        639200,
        40,
        3,
    ),
    (
        "galaxy-s25-256",
        Item.Kind.PHONE,
        "Samsung Galaxy S25, 256 GB",
        "Samsung Galaxy S25, 256 GB",
        "Samsung Galaxy S25, Enterprise Edition.",
        "Samsung Galaxy S25, Enterprise Edition.",
        559200,
        25,
        3,
    ),
    (
        "ipad-air-11",
        Item.Kind.TABLET,
        'iPad Air 11", Wi-Fi + Cellular',
        'iPad Air 11", Wi-Fi + Cellular',
        "For field staff and meeting rooms.",
        "Til medarbejdere i marken og mødelokaler.",
        559200,
        12,
        5,
    ),
    (
        "router-5g",
        Item.Kind.ROUTER,
        "5G router",
        "5G-router",
        "Mobile broadband for the office, up to 64 devices.",
        "Mobilt bredbånd til kontoret, op til 64 enheder.",
        159200,
        30,
        3,
    ),
    (
        "usb-c-charger",
        Item.Kind.ACCESSORY,
        "USB-C charger, 30 W",
        "USB-C-oplader, 30 W",
        "A fast charger for phones and tablets.",
        "En hurtigoplader til telefoner og tablets.",
        19200,
        200,
        2,
    ),
]


def seed_products(ctx: DemoContext) -> None:
    for order, (code, kind, name, name_da, text, text_da, price, stock, days) in enumerate(CATALOGUE):
        item, created = Item.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "name_da": name_da,
                "description": text,
                "description_da": text_da,
                "price": price,
                "stock": stock,
                "delivery_days": days,
                "sort_order": order * 10,
            },
        )
        if created and stock:
            StockMovement.objects.create(
                item=item, delta=stock, stock_after=stock, reason=StockMovement.Reason.OPENING, by_label="demo"
            )
    for key in ("nordlys", "energi"):
        _seed_company(ctx, key)


def _seed_company(ctx: DemoContext, key: str) -> None:
    company = ctx.companies[key]
    ProductSettings.objects.unscoped().get_or_create(
        company=company,
        defaults={
            "approval_limit": 500000,
            "approve_phones": True,
            "zero_touch_provider": "apple",
            "zero_touch_org_id": "ABM-1048576",
        },
    )
    if Order.objects.for_company(company).exists():
        return
    from products.actions import Delivery, WantedLine, pick_order, place_order, ship_order

    admin = next((u for u in ctx.users.values() if u.memberships.filter(company=company).exists()), None)
    by = Actor(user=admin, label="demo") if admin else Actor.system("demo")
    delivery = Delivery(
        name=company.name,
        street=company.street or "Vestergade 1",
        postcode=company.postcode or "8000",
        city=company.city or "Aarhus C",
    )
    charger = Item.objects.get(code="usb-c-charger")
    router = Item.objects.get(code="router-5g")
    shipped = place_order(
        company=company, lines=[WantedLine(item_id=charger.pk, quantity=5)], delivery=delivery, billing="one_off", by=by
    )
    pick_order(order=shipped, by=Actor.system("demo"))
    ship_order(
        order=shipped,
        quantities={line.pk: line.quantity for line in shipped.lines.all()},
        carrier="PostNord",
        tracking_number="00370712345678901234",
        tracking_url="https://tracking.example/00370712345678901234",
        by=Actor.system("demo"),
    )
    place_order(
        company=company,
        lines=[WantedLine(item_id=router.pk, quantity=1)],
        delivery=delivery,
        billing="months_12",
        by=by,
    )
    ctx.log(f"products: two orders for {company.name}")
