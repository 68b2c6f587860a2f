"""Demo data for the Numbers area: main numbers, landlines, port requests and a call flow."""

import datetime

from django.utils import timezone

from audit.actor import Actor
from numbering import flows
from numbering.models import CallFlowVersion, PhoneNumber, PortEvent, PortNumber, PortRequest
from numbering.porting import earliest_porting_date, next_working_day
from registry.demo import DemoContext
from subscriptions.models import Subscription

# company key → (main number, landlines)
NUMBERS = {
    "nordlys": ("+4533150000", ["+4533150010", "+4533150011", "+4533150012"]),
    "energi": ("+4586120000", ["+4586120001"]),
    "logistik": ("+4575820000", []),
    "bager": ("+4566110000", ["+4566110001"]),
    "revision": ("+4575120000", []),
}


def seed_numbers(ctx: DemoContext) -> None:
    for key, (main, landlines) in NUMBERS.items():
        company = ctx.companies[key]
        PhoneNumber.objects.unscoped().get_or_create(
            number=main, defaults={"company": company, "kind": PhoneNumber.Kind.MAIN, "label": "Hovednummer"}
        )
        for number in landlines:
            PhoneNumber.objects.unscoped().get_or_create(
                number=number,
                defaults={"company": company, "kind": PhoneNumber.Kind.LANDLINE, "routing": "Receptionen"},
            )
    PhoneNumber.objects.unscoped().get_or_create(
        number="+4533150100",
        defaults={
            "company": ctx.companies["nordlys"],
            "kind": PhoneNumber.Kind.SERIES,
            "series_end": "+4533150199",
            "label": "Direkte numre",
            "routing": "Medarbejdernes mobiler",
        },
    )
    for key in ("nordlys", "energi"):
        _seed_port_and_flow(ctx, key)
    ctx.log("numbers: main numbers, landlines, port requests and call flows")


def _seed_port_and_flow(ctx: DemoContext, key: str) -> None:
    nordlys = ctx.companies[key]
    port_prefix = NUMBERS[key][0][:-3] + "2"
    anne = ctx.users.get("anne@nordlys.dk")
    if not PortRequest.objects.filter(company=nordlys).exists():
        port = PortRequest.objects.create(
            company=nordlys,
            status=PortRequest.Status.SUBMITTED,
            current_operator="telia",
            customer_number="TL-558812",
            holder_name=nordlys.name,
            holder_street=nordlys.street,
            holder_postcode=nordlys.postcode,
            holder_city=nordlys.city,
            cvr=nordlys.cvr,
            desired_date=next_working_day(earliest_porting_date() + datetime.timedelta(days=6)),
            notification_emails="anne@nordlys.dk",
            notification_language="da",
            authorisation_method=PortRequest.Authorisation.SIGNED,
            signed_name="Anne Østergaard",
            signed_at=timezone.now(),
            signed_by=anne,
            signed_ip="127.0.0.1",
            created_by=anne,
        )
        PortNumber.objects.bulk_create([PortNumber(port_request=port, number=f"{port_prefix}0{i}") for i in range(4)])
        actor = Actor(user=anne) if anne else Actor.system("demo")
        PortEvent.objects.create(
            port_request=port,
            new_status=PortRequest.Status.DRAFT,
            reason="Oprettet",
            user=anne,
            actor_label=actor.display,
        )
        PortEvent.objects.create(
            port_request=port,
            new_status=PortRequest.Status.SUBMITTED,
            previous_status=PortRequest.Status.DRAFT,
            reason="Indsendt",
            user=anne,
            actor_label=actor.display,
        )
    if not CallFlowVersion.objects.filter(company=nordlys).exists():
        members = list(Subscription.objects.for_company(nordlys).values_list("id", flat=True)[:3])
        document = flows.default_document()
        document["hours"] = {
            str(d): ([["08:00", "12:00"], ["12:30", "16:00"]] if d < 4 else [["08:00", "15:00"]] if d == 4 else [])
            for d in range(7)
        }
        document["special_days"] = [
            {"date": f"{timezone.localdate().year}-12-23", "label": "Lillejuleaften", "periods": [["08:00", "12:00"]]}
        ]
        document["destinations"] = {
            "menu": {
                "type": "ivr",
                "name": "Hovedmenu",
                "greeting": "Velkommen til Nordlys. Tast 1 for salg, 2 for support.",
                "options": {"1": "salg", "2": "support"},
                "timeout": 5,
                "max_tries": 2,
                "timeout_dest": "salg",
                "invalid_dest": "menu",
            },
            "support": {"type": "forward", "name": "Support-vagt", "number": "+4570101010"},
            "voicemail": {"type": "voicemail", "name": "Telefonsvarer", "email": "post@nordlys.dk"},
            "lukket": {
                "type": "announcement",
                "name": "Helligdag",
                "text": "Vi har lukket i dag. Ring igen på næste hverdag.",
            },
        }
        if members:
            document["destinations"]["salg"] = {
                "type": "ring_group",
                "name": "Salg",
                "members": members,
                "strategy": "simultaneous",
                "ring_time": 25,
                "overflow": "voicemail",
            }
        else:
            document["destinations"]["salg"] = {"type": "forward", "name": "Salg", "number": "+4533150010"}
        document["routes"] = {"open": "menu", "closed": "voicemail", "holiday": "lukket"}
        errors = flows.validate(document, subscription_ids=set(members))
        if errors:
            ctx.log(f"numbers: demo flow not valid: {errors}")
            return
        CallFlowVersion.objects.create(
            company=nordlys,
            version=1,
            document=document,
            created_by=anne,
            comment="Første opsætning",
            provisioning_status=CallFlowVersion.Provisioning.ACTIVE,
        )
