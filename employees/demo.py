"""Demo data: one employee of Nordlys Gruppen has asked for an upgrade, waiting on the admins' page."""

from employees.models import EmployeeRequest
from registry.demo import DemoContext
from subscriptions.models import Subscription


def seed(ctx: DemoContext) -> None:
    company = ctx.companies.get("nordlys")
    if company is None or EmployeeRequest.objects.filter(company=company).exists():
        return
    sub = (
        Subscription.objects.filter(company=company, status=Subscription.Status.ACTIVE, product__kind="mobile")
        .exclude(email="")
        .filter(product__allowed_changes__isnull=False)
        .select_related("product", "company")
        .order_by("id")
        .first()
    )
    if sub is None:
        return
    EmployeeRequest.objects.create(
        company=company,
        subscription=sub,
        kind=EmployeeRequest.Kind.UPGRADE,
        product=sub.product.allowed_changes.order_by("monthly_price").last(),
        message="Jeg rejser meget i arbejdet og løber tør for data.",
        email=sub.email.lower(),
        language="da",
    )
    ctx.log(f"Employee {sub.email} ({sub.user_name}) has asked for an upgrade; sign in at /employee/sign-in/")
