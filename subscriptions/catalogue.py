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
# code: (description, description in Danish), for the subscription types and add-ons above.
DESCRIPTIONS = {
    "mobil-basis-5": (
        "Free calls and texts in Denmark, 5 GB of data a month.",
        "Fri tale og sms i Danmark, 5 GB data om måneden.",
    ),
    "mobil-plus-30": (
        "Free calls and texts in Denmark, 30 GB of data a month, EU roaming included.",
        "Fri tale og sms i Danmark, 30 GB data om måneden, roaming i EU inkluderet.",
    ),
    "mobil-pro-100": (
        "Free calls and texts, 100 GB of data a month, EU roaming and 5G; 6 months' binding.",
        "Fri tale og sms, 100 GB data om måneden, roaming i EU og 5G; 6 måneders binding.",
    ),
    "mobil-fri": (
        "Unlimited calls, texts and data in Denmark; 6 months' binding.",
        "Fri tale, sms og data i Danmark; 6 måneders binding.",
    ),
    "mbb-50": (
        "Mobile broadband for a router or laptop, 50 GB a month.",
        "Mobilt bredbånd til router eller bærbar, 50 GB om måneden.",
    ),
    "mbb-fri": ("Mobile broadband with unlimited data in Denmark.", "Mobilt bredbånd med fri data i Danmark."),
    "fastnet-ip": (
        "A landline number on an IP phone or softphone.",
        "Et fastnetnummer på en IP-telefon eller softphone.",
    ),
    "fastnet-omstilling": (
        "IP phone with a switchboard: queues, opening hours and menus; 12 months' binding.",
        "IP-telefoni med omstilling: kø, åbningstider og menuer; 12 måneders binding.",
    ),
    "eu-roaming-plus": ("10 GB of data a month outside the EU.", "10 GB data om måneden uden for EU."),
    "ekstra-data-20": ("20 GB more data every month.", "20 GB ekstra data hver måned."),
    "voicemail-pro": (
        "Voicemail messages sent to your e-mail as sound files.",
        "Beskeder på telefonsvareren sendes til din e-mail som lydfiler.",
    ),
    "dobbelt-sim": (
        "A second SIM with the same number, e.g. for a smartwatch.",
        "Et ekstra SIM-kort med samme nummer, f.eks. til et smartwatch.",
    ),
    "nummervisning-skjult": (
        "Your number is not shown to the people you call.",
        "Dit nummer vises ikke for dem, du ringer til.",
    ),
}
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
                "description": DESCRIPTIONS.get(code, ("", ""))[0],
                "description_da": DESCRIPTIONS.get(code, ("", ""))[1],
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
            code=code,
            defaults={
                "name": name,
                "name_da": name_da,
                "description": DESCRIPTIONS.get(code, ("", ""))[0],
                "description_da": DESCRIPTIONS.get(code, ("", ""))[1],
                "monthly_price": price,
            },
        )
        add_on.products.set([products[c] for c in on])
    for code, name, name_da, price in FEES:
        OneOffFee.objects.update_or_create(code=code, defaults={"name": name, "name_da": name_da, "price": price})
    return products


def fee(code: str) -> OneOffFee | None:
    return OneOffFee.objects.filter(code=code).first()
