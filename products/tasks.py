"""E-mails and zero-touch registration of the Products area, run after the order's transaction commits."""

import io
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from products.models import Enrolment, EsimActivation, Order, Shipment

logger = logging.getLogger(__name__)


def _language(user: object) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def _send(to: str, language: str, subject: str, template: str, context: dict[str, object]) -> None:
    with translation.override(language):
        body = render_to_string(template, context)
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()


@task
def send_approval_request(order_id: int, user_id: int, url: str) -> None:
    from accounts.models import User

    order = Order.objects.unscoped().select_related("company", "placed_by").filter(pk=order_id).first()
    user = User.objects.filter(pk=user_id).first()
    if order is None or user is None:
        return
    lines = list(order.lines.select_related("item"))
    language = _language(user)
    with translation.override(language):
        subject = _("Approve order %(order)s for %(company)s") % {
            "order": order.reference,
            "company": order.company.name,
        }
    _send(
        user.email,
        language,
        subject,
        "products/email/approval_request.txt",
        {"order": order, "lines": lines, "url": url},
    )


def _recipient(order: Order) -> tuple[str, str] | None:
    """Who hears about the order, in which language: the employee who asked for it, or the admin who placed it."""
    if order.by_employee:
        return order.requested_by_email, order.requested_language or order.company.invoice_language
    if order.placed_by is None:
        return None
    return order.placed_by.email, _language(order.placed_by)


@task
def send_decision(order_id: int) -> None:
    order = Order.objects.unscoped().select_related("company", "placed_by", "decided_by").filter(pk=order_id).first()
    found = _recipient(order) if order is not None else None
    if order is None or found is None:
        return
    to, language = found
    with translation.override(language):
        if order.refused:
            subject = _("Your order %(order)s was refused") % {"order": order.reference}
        else:
            subject = _("Your order %(order)s was approved") % {"order": order.reference}
    _send(to, language, subject, "products/email/decision.txt", {"order": order})


@task
def send_shipped(shipment_id: int) -> None:
    shipment = Shipment.objects.select_related("order__company", "order__placed_by").filter(pk=shipment_id).first()
    found = _recipient(shipment.order) if shipment is not None else None
    if shipment is None or found is None:
        return
    order = shipment.order
    to, language = found
    with translation.override(language):
        subject = _("Your order %(order)s is on its way") % {"order": order.reference}
    _send(to, language, subject, "products/email/shipped.txt", {"order": order, "shipment": shipment})


@task
def send_esim_activation(activation_id: int) -> None:
    from django.urls import reverse

    from products.actions import activation_token

    activation = (
        EsimActivation.objects.select_related("line__order__company", "line__item").filter(pk=activation_id).first()
    )
    if activation is None or activation.superseded_at is not None:
        return
    path = reverse("products:esim:confirm", args=[activation_token(activation)])
    url = settings.PORTAL_BASE_URL + path
    language = activation.line.order.company.invoice_language
    with translation.override(language):
        subject = _("Your eSIM from %(company)s") % {"company": activation.line.order.company.name}
    _send(activation.email, language, subject, "products/email/esim.txt", {"activation": activation, "url": url})


@task
def register_devices(enrolment_ids: list[int]) -> dict[str, int]:
    from products.zerotouch import EnrolmentError, adapter

    service = adapter()
    done = failed = 0
    for enrolment in Enrolment.objects.filter(pk__in=enrolment_ids, status=Enrolment.Status.PENDING):
        try:
            enrolment.external_id = service.register(
                provider=enrolment.provider, org_id=enrolment.org_id, serial=enrolment.serial
            )
        except EnrolmentError as error:
            enrolment.status = Enrolment.Status.FAILED
            enrolment.error = str(error)[:200]
            failed += 1
        else:
            enrolment.status = Enrolment.Status.REGISTERED
            enrolment.registered_at = timezone.now()
            done += 1
        enrolment.save(update_fields=["status", "external_id", "registered_at", "error"])
    return {"registered": done, "failed": failed}


def qr_svg(data: str) -> str:
    """The activation code as an inline SVG QR code (no file, no external service)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()
