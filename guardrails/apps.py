from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuardrailsConfig(AppConfig):
    name = "guardrails"
    verbose_name = _("Spend guardrails")

    def ready(self) -> None:
        from audit.labels import SYSTEM_ACTOR_LABELS
        from audit.labels import register as register_labels
        from guardrails import handlers
        from guardrails.demo import seed_guardrails
        from registry.demo import Seeder, register_seeder
        from registry.events import subscribe
        from registry.overview import OverviewSection, register_section
        from registry.profile import ProfileSection, register_profile_section
        from subscriptions.events import ServiceBlocksChanged
        from usage.events import UsageAggregated

        subscribe(UsageAggregated, handlers.on_usage_aggregated)
        subscribe(ServiceBlocksChanged, handlers.on_blocks_changed)
        register_section(
            OverviewSection(
                area_key="subscriptions",
                template="guardrails/overview_section.html",
                context=handlers.overview_context,
                order=25,
                # Bars and raise requests change through save() (portal.overview drops the kept card then).
                changes_with=("guardrails.Bar", "guardrails.RaiseRequest"),
            )
        )
        register_profile_section(
            ProfileSection(template="guardrails/profile_section.html", context=handlers.profile_context)
        )
        register_seeder(Seeder(name="guardrails", run=seed_guardrails, order=960))  # after the usage totals
        SYSTEM_ACTOR_LABELS["guardrails"] = _("spend guardrails")
        register_labels(
            {
                "guardrails.policy_created": _("Set guardrail rules"),
                "guardrails.policy_changed": _("Changed guardrail rules"),
                "guardrails.policy_deleted": _("Removed guardrail rules"),
                "guardrails.eu_opt_out": _("Opted a user out of the EU roaming limit"),
                "guardrails.eu_opt_in": _("Put a user back under the EU roaming limit"),
                "guardrails.threshold_crossed": _("A guardrail threshold was reached"),
                "guardrails.barred": _("A guardrail barred a service"),
                "guardrails.lifted": _("A guardrail bar was lifted"),
                "guardrails.raise_requested": _("Asked for a temporary raise"),
                "guardrails.raise_approved": _("Approved a temporary raise"),
                "guardrails.raise_refused": _("Refused a temporary raise"),
            }
        )
