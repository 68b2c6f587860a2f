"""The demo catalogue: realistic Danish business plans, prices in øre excl. VAT."""

from subscriptions.models import AddOn, OneOffFee, Product

# code, name, name_da, kind, data GB, price øre, binding months, notice days, sort
PRODUCTS = [
    ("mobil-basis-5", "Mobile Basic 5 GB", "Mobil Basis 5 GB", "mobile", 5, 9900, 0, 30, 10),
    ("mobil-plus-30", "Mobile Plus 30 GB", "Mobil Plus 30 GB", "mobile", 30, 14900, 0, 30, 20),
    ("mobil-pro-100", "Mobile Pro 100 GB", "Mobil Pro 100 GB", "mobile", 100, 19900, 6, 30, 30),
    ("mobil-fri", "Mobile Unlimited", "Mobil Fri Data", "mobile", None, 24900, 6, 30, 40),
    ("mbb-50", "Mobile Broadband 50 GB", "Mobilt bredbånd 50 GB", "broadband", 50, 12900, 0, 30, 10),
    ("mbb-fri", "Mobile Broadband Unlimited", "Mobilt bredbånd Fri Data", "broadband", None, 19900, 0, 30, 20),
    ("fastnet-ip", "IP Phone", "IP-telefoni", "landline", None, 7900, 0, 30, 10),
    (
        "fastnet-omstilling",
        "IP Phone with switchboard",
        "IP-telefoni med omstilling",
        "landline",
        None,
        12900,
        12,
        90,
        20,
    ),
]
# from, [targets]
CHANGES = {
    "mobil-basis-5": ["mobil-plus-30", "mobil-pro-100", "mobil-fri"],
    "mobil-plus-30": ["mobil-basis-5", "mobil-pro-100", "mobil-fri"],
    "mobil-pro-100": ["mobil-plus-30", "mobil-fri"],
    "mobil-fri": ["mobil-pro-100"],
    "mbb-50": ["mbb-fri"],
    "mbb-fri": ["mbb-50"],
    "fastnet-ip": ["fastnet-omstilling"],
    "fastnet-omstilling": ["fastnet-ip"],
}
# code, name, name_da, price øre, product codes
ADD_ONS = [
    (
        "eu-roaming-plus",
        "Roaming World 10 GB",
        "Roaming Verden 10 GB",
        9900,
        ["mobil-basis-5", "mobil-plus-30", "mobil-pro-100", "mobil-fri"],
    ),
    ("ekstra-data-20", "Extra data 20 GB", "Ekstra data 20 GB", 4900, ["mobil-basis-5", "mobil-plus-30", "mbb-50"]),
    (
        "voicemail-pro",
        "Voicemail to e-mail",
        "Telefonsvarer til e-mail",
        1900,
        ["mobil-basis-5", "mobil-plus-30", "mobil-pro-100", "mobil-fri", "fastnet-ip", "fastnet-omstilling"],
    ),
    (
        "dobbelt-sim",
        "Twin SIM (smartwatch)",
        "Dobbelt-SIM (smartwatch)",
        2900,
        ["mobil-plus-30", "mobil-pro-100", "mobil-fri"],
    ),
    (
        "nummervisning-skjult",
        "Hidden caller ID",
        "Skjult nummervisning",
        0,
        ["mobil-basis-5", "mobil-plus-30", "mobil-pro-100", "mobil-fri", "fastnet-ip", "fastnet-omstilling"],
    ),
]
FEES = [
    ("sim-kort", "SIM card", "SIM-kort", 9900),
    ("esim", "eSIM profile", "eSIM-profil", 4900),
    ("sim-erstatning", "Replacement SIM", "Erstatnings-SIM", 14900),
    ("oprettelse", "Set-up fee", "Oprettelsesgebyr", 0),
]


def ensure_catalogue() -> dict[str, Product]:
    products: dict[str, Product] = {}
    for code, name, name_da, kind, data_gb, price, binding, notice, order in PRODUCTS:
        products[code], _ = Product.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_da": name_da,
                "kind": kind,
                "data_gb": data_gb,
                "monthly_price": price,
                "binding_months": binding,
                "notice_days": notice,
                "sort_order": order,
            },
        )
    for code, targets in CHANGES.items():
        products[code].allowed_changes.set([products[t] for t in targets])
    for code, name, name_da, price, on in ADD_ONS:
        add_on, _ = AddOn.objects.update_or_create(
            code=code, defaults={"name": name, "name_da": name_da, "monthly_price": price}
        )
        add_on.products.set([products[c] for c in on])
    for code, name, name_da, price in FEES:
        OneOffFee.objects.update_or_create(code=code, defaults={"name": name, "name_da": name_da, "price": price})
    return products


def fee(code: str) -> OneOffFee | None:
    return OneOffFee.objects.filter(code=code).first()
