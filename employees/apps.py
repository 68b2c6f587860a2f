from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmployeesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "employees"
    verbose_name = _("Employees")

    def ready(self) -> None:
        from audit.labels import register
        from employees import rules, sso
        from registry.demo import Seeder, register_seeder
        from registry.rules import register_rule_provider

        register_rule_provider("subscriptions.blocks", rules.service_blocks)
        sso.connect()
        from employees.demo import seed

        register_seeder(Seeder("employee requests", seed, order=60))
        register(
            {
                "employee.signed_in": _("Employee signed in"),
                "employee.request_made": _("Employee asked for a change"),
                "employee.request_approved": _("Employee's request approved"),
                "employee.request_refused": _("Employee's request refused"),
            }
        )
