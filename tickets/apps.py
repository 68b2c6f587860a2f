from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Support tickets")

    def ready(self) -> None:
        from audit.labels import register as register_labels
        from registry.areas import Area, registry
        from registry.demo import Seeder, register_seeder
        from registry.overview import OverviewSection, register_section
        from tickets.demo import seed_tickets
        from tickets.overview import overview_context

        registry.register(
            Area(
                key="tickets",
                title=_("Support tickets"),
                url_name="tickets:index",
                description=_("Your support tickets with us: follow them, reply and create new ones."),
                icon="life-ring",
                order=10,
                staff_url_name="tickets:staff_queue",
                staff_title=_("Ticket queue"),
                urls="tickets.urls",
                url_prefix="tickets/",
            )
        )
        # Admins without (full) access to an area ask for it with a pre-filled ticket.
        registry.provide_access_request("tickets:request_access")
        register_section(
            OverviewSection(
                area_key="tickets",
                template="tickets/overview_section.html",
                context=overview_context,
                order=10,
                changes_with=("tickets.Ticket", "tickets.TicketRead"),
            )
        )
        register_seeder(Seeder(name="support tickets", run=seed_tickets, order=50))
        register_labels(
            {
                "ticket.created": _("Created a support ticket"),
                "ticket.replied": _("Replied on a support ticket"),
                "ticket.attached": _("Added files to a support ticket"),
                "ticket.closed": _("Closed a support ticket"),
                "ticket.reopened": _("Reopened a support ticket"),
                "ticket.staff_replied": _("Operator staff replied on a support ticket"),
                "ticket.note_added": _("Operator staff added an internal note"),
                "ticket.assigned": _("Operator staff assigned a support ticket"),
                "ticket.status_changed": _("Changed the status of a support ticket"),
            }
        )
