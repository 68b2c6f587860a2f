"""Demo tickets: plausible Danish support cases for the demo companies. Idempotent."""

from datetime import timedelta

from django.utils import timezone

from registry.demo import DemoContext

# category, subject, description, staff answer
CASES = [
    (
        "subscriptions",
        "Skift abonnement til 100 GB",
        "Vi vil gerne opgradere Mettes abonnement til 100 GB fra næste måned.",
        "Det er sat i gang. Opgraderingen træder i kraft den 1. i næste måned.",
    ),
    (
        "technical_fault",
        "Ingen dækning på lageret i Vejle",
        "Flere medarbejdere har ingen dækning inde på lageret siden i mandags.",
        "Vi har sendt en tekniker ud for at måle signalet. Vi vender tilbage i morgen.",
    ),
    (
        "invoice",
        "Spørgsmål til faktura for oktober",
        "Der står et gebyr på 149 kr., som vi ikke kan genkende.",
        "Gebyret er for det nye SIM-kort, der blev bestilt den 12. oktober.",
    ),
    (
        "numbers",
        "Flyt hovednummer til ny ringegruppe",
        "Hovednummeret skal ringe hos kundeservice i stedet for receptionen.",
        "Ringegruppen er ændret. Prøv at ringe op og sig til, hvis noget ikke virker.",
    ),
    (
        "access",
        "Adgang til Fakturaer for bogholder",
        "Vores bogholder Lise skal have adgang til fakturaer.",
        "Lise er nu oprettet med adgang til Fakturaer.",
    ),
    (
        "technical_fault",
        "eSIM kan ikke aktiveres",
        "QR-koden til eSIM giver en fejl på en iPhone 15.",
        "Vi har sendt en ny QR-kode til brugerens e-mail. Den gamle er spærret.",
    ),
    (
        "subscriptions",
        "Opsigelse af abonnement ved fratrædelse",
        "Jens stopper den 31. og hans abonnement skal opsiges.",
        "Abonnementet er opsagt med udgangen af måneden.",
    ),
    (
        "other",
        "Ønske om samlet faktura for koncernen",
        "Kan vi få én samlet faktura for alle tre selskaber?",
        "Det kan vi godt. Vi skal bruge en underskrevet aftale; den er sendt til jer.",
    ),
    (
        "technical_fault",
        "Roaming virker ikke i Tyskland",
        "Sælger på messe i Hamborg kan ikke bruge data.",
        "Roaming var spærret på abonnementet. Spærringen er fjernet.",
    ),
    (
        "numbers",
        "Portering af fastnetnummer",
        "Vi vil gerne flytte vores fastnetnummer fra et andet selskab.",
        "Vi har modtaget fuldmagten og porterer nummeret på den ønskede dato.",
    ),
]
STATUSES = ["new", "in_progress", "pending", "resolved", "closed", "in_progress", "acknowledged", "closed"]
SIZES = {"energi": 4, "logistik": 3, "bager": 3, "revision": 2}


def seed_tickets(ctx: DemoContext) -> None:
    from tickets.models import Ticket, TicketMessage, TicketNumberSequence, TicketStatusChange

    staff = ctx.users.get("staff@operator.example")
    sizes = {"nordlys": ctx.tickets, **SIZES}
    admins = {
        "nordlys": ctx.users.get("anne@nordlys.dk"),
        "energi": ctx.users.get("anne@nordlys.dk"),
        "logistik": ctx.users.get("anne@nordlys.dk"),
        "bager": ctx.users.get("bo@bagerhansen.dk"),
        "revision": ctx.users.get("dorte@vestjyskrevision.dk"),
    }
    now = timezone.now()
    for key, wanted in sizes.items():
        company = ctx.companies[key]
        existing = Ticket.objects.filter(company=company).count()
        if existing >= wanted:
            continue
        admin = admins[key]
        author = (admin.get_full_name() or admin.email) if admin else "Demo"
        for index in range(existing, wanted):
            category, subject, description, answer = CASES[index % len(CASES)]
            status = STATUSES[index % len(STATUSES)]
            created = now - timedelta(days=ctx.rng.randint(1, 120), minutes=ctx.rng.randint(0, 600))
            answered = created + timedelta(hours=ctx.rng.randint(1, 40))
            has_answer = status != "new"
            ticket = Ticket.objects.create(
                company=company,
                number=TicketNumberSequence.next_number(created.year),
                subject=subject if index < len(CASES) else f"{subject} ({index // len(CASES) + 1})",
                description=description,
                category=category,
                priority=ctx.rng.choice(["low", "normal", "normal", "high"]),
                status=status,
                created_by=admin,
                created_at=created,
                status_changed_at=answered if has_answer else created,
                last_activity_at=answered if has_answer else created,
                last_staff_reply_at=answered if has_answer else None,
                assignee=staff if has_answer else None,
            )
            TicketStatusChange.objects.create(ticket=ticket, to_status="new", changed_by=admin, created_at=created)
            if has_answer:
                TicketMessage.objects.create(
                    company=company,
                    ticket=ticket,
                    author=staff,
                    author_name="Sofie fra Kundeservice",
                    from_staff=True,
                    body=answer,
                    created_at=answered,
                )
                TicketStatusChange.objects.create(
                    ticket=ticket,
                    from_status="new",
                    to_status=status,
                    changed_by=staff,
                    by_staff=True,
                    created_at=answered,
                )
                if index % 3 == 0:
                    TicketMessage.objects.create(
                        company=company,
                        ticket=ticket,
                        author=staff,
                        author_name="Sofie fra Kundeservice",
                        from_staff=True,
                        is_internal=True,
                        body="Intern note: tjek aftalen i CRM.",
                        created_at=answered,
                    )
            if index % 4 == 1:
                TicketMessage.objects.create(
                    company=company,
                    ticket=ticket,
                    author=admin,
                    author_name=author,
                    body="Tak for hurtigt svar!",
                    created_at=created + timedelta(minutes=30),
                )
        ctx.log(f"{company.name}: {wanted} support tickets")
