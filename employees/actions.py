"""Writes of the employee's pages: one-time sign-in links, requests to the admins, and the admins' decisions.

Every e-mail goes through the outbox (Django's ``send_mail``, whose backend is the outbox), written in its
reader's language: the employee's (chosen on the sign-in page and kept on the link and the request) or each
admin's own.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.actor import Actor
from audit.events import record
from companies.models import Membership
from employees import selectors
from employees.models import EmployeeRequest, SignInLink
from products import actions as products_actions
from products.models import Order
from subscriptions.actions import change_product, order_sim, preview_product_change
from subscriptions.models import Product, SimOrder, Subscription

logger = logging.getLogger(__name__)

# A link works for 15 minutes, once; at most 3 links per address and 10 per IP address in 15 minutes.
LINK_MINUTES = 15
LINKS_PER_ADDRESS = 3
LINKS_PER_IP = 10


def employee_actor(email: str, ip_address: str | None) -> Actor:
    """The employee in the audit trail: no user, their proven address as the label."""
    return Actor(user=None, ip_address=ip_address, label=email)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _mail(*, to: str, language: str, subject: str, lines: list[str], url: str = "", **params: object) -> None:
    """One plain-text e-mail in the outbox in ``language``: subject and lines are msgids (``gettext_noop``)."""
    with translation.override(language):
        body = render_to_string(
            "employees/email/notice.txt", {"lines": [_(line) % params for line in lines], "url": url}
        )
        send_mail(_(subject) % params, body, settings.DEFAULT_FROM_EMAIL, [to])


def _link(url_name: str, *args: object) -> str:
    return settings.PORTAL_BASE_URL + reverse(url_name, args=args)


# -- signing in ------------------------------------------------------------------------------------


def _throttled(email: str, ip_address: str | None) -> bool:
    since = timezone.now() - timedelta(minutes=LINK_MINUTES)
    recent = SignInLink.objects.filter(created_at__gte=since)
    if recent.filter(email=email).count() >= LINKS_PER_ADDRESS:
        return True
    return ip_address is not None and recent.filter(ip_address=ip_address).count() >= LINKS_PER_IP


@transaction.atomic
def request_sign_in(*, email: str, language: str, ip_address: str | None) -> None:
    """Mails a one-time link when ``email`` is on a running subscription; says nothing either way.

    The caller shows the same page whatever happens here, so the page never tells whether an address is known.
    """
    email = email.strip().lower()
    if not email or _throttled(email, ip_address):
        logger.info("employee sign-in link not sent (throttled or empty)")
        return
    if not selectors.has_subscriptions(email):
        return
    token = secrets.token_urlsafe(32)
    SignInLink.objects.create(
        email=email,
        token_hash=_hash(token),
        language=language,
        ip_address=ip_address,
        expires_at=timezone.now() + timedelta(minutes=LINK_MINUTES),
    )
    url = _link("employees:confirm", token)
    # The outbox row is written in this transaction and sent after the commit.
    _mail(
        to=email,
        language=language,
        subject=gettext_noop("Your sign-in link for Self-service"),
        lines=[
            gettext_noop("Open the link to see your subscription in Self-service."),
            gettext_noop(
                "The link works once, for %(minutes)s minutes. If you did not ask for it, ignore this e-mail."
            ),
        ],
        url=url,
        minutes=LINK_MINUTES,
    )


def link_for_token(token: str) -> SignInLink | None:
    return SignInLink.objects.filter(token_hash=_hash(token)).first()


def link_state(link: SignInLink | None) -> str:
    if link is None:
        return "invalid"
    if link.used_at is not None:
        return "used"
    if link.expires_at <= timezone.now():
        return "expired"
    return "open"


@transaction.atomic
def use_sign_in_link(*, token: str, ip_address: str | None) -> str:
    """The proven address; the link (and any other open link of the address) is spent. Only called on POST."""
    found = link_for_token(token)
    link = SignInLink.objects.select_for_update().filter(pk=found.pk).first() if found is not None else None
    state = link_state(link)
    if state != "open" or link is None:
        raise ValidationError(_("This sign-in link cannot be used. Ask for a new one."), code=f"link_{state}")
    now = timezone.now()
    SignInLink.objects.filter(email=link.email, used_at__isnull=True).update(used_at=now)
    subs = selectors.my_subscriptions(link.email)
    if not subs:
        raise ValidationError(_("This sign-in link cannot be used. Ask for a new one."), code="link_invalid")
    by = employee_actor(link.email, ip_address)
    for company_id in sorted({s.company_id for s in subs}):
        company = next(s.company for s in subs if s.company_id == company_id)
        record("employee.signed_in", by=by, company=company, details={"method": "link"})
    return link.email


# -- requests --------------------------------------------------------------------------------------


def approvers(sub: Subscription) -> list[Membership]:
    """The company's admins who may change its subscriptions (the Subscriptions area with full access)."""
    return [
        m
        for m in Membership.objects.filter(company_id=sub.company_id, user__is_active=True).select_related("user")
        if m.may_change_line("subscriptions", sub.cost_centre)
    ]


def _validate(sub: Subscription, kind: str, product: Product | None, ship_to: str) -> None:
    if not sub.is_open:
        raise ValidationError(_("Only a running subscription can be changed."), code="not_running")
    if kind == EmployeeRequest.Kind.UPGRADE:
        if product is None:
            raise ValidationError(_("Choose the subscription type you would like."), code="no_product")
        preview_product_change(sub, target=product, effective="now")
    elif kind in (EmployeeRequest.Kind.SIM, EmployeeRequest.Kind.ESIM):
        if not sub.is_mobile:
            raise ValidationError(_("This subscription has no SIM."), code="no_sim")
        if kind == EmployeeRequest.Kind.SIM and not ship_to.strip():
            raise ValidationError(_("Give the address the new SIM card should be sent to."), code="no_address")
    else:
        raise ValidationError(_("Choose what you would like."), code="unknown_kind")


@transaction.atomic
def make_request(
    *,
    sub: Subscription,
    kind: str,
    product: Product | None,
    ship_to: str,
    message: str,
    email: str,
    language: str,
    by: Actor,
) -> EmployeeRequest:
    """Asks the company's admins (each in their language); a second identical ask finds the waiting one."""
    _validate(sub, kind, product, ship_to)
    # The subscription's row lock serialises a double click (or two tabs): the second finds the first's request.
    Subscription.objects.unscoped().select_for_update().filter(pk=sub.pk, company_id=sub.company_id).first()
    waiting = EmployeeRequest.objects.filter(
        company=sub.company, subscription=sub, kind=kind, email__iexact=email, status=EmployeeRequest.Status.PENDING
    ).first()
    if waiting is not None:
        return waiting
    found = approvers(sub)
    if not found:
        raise ValidationError(
            _("Nobody at your company can approve this in Self-service yet. Please ask your IT department."),
            code="no_approver",
        )
    req = EmployeeRequest.objects.create(
        company=sub.company,
        subscription=sub,
        kind=kind,
        product=product if kind == EmployeeRequest.Kind.UPGRADE else None,
        ship_to=ship_to.strip() if kind == EmployeeRequest.Kind.SIM else "",
        message=message.strip(),
        email=email,
        language=language,
    )
    record(
        "employee.request_made",
        by=by,
        company=sub.company,
        target=sub,
        details={"request": req.pk, "kind": kind, "product": product.code if product else ""},
    )
    # The request's company in the link: an admin of a group is switched to it (employees.views).
    url = f"{_link('employee_requests:detail', req.pk)}?company={sub.company_id}"
    for approver in found:
        with translation.override(approver.user.language):
            what = _describe(req)
        _mail(
            to=approver.user.email,
            language=approver.user.language,
            subject=gettext_noop("%(who)s asks for %(what)s"),
            lines=[
                gettext_noop("%(who)s (%(subscription)s) at %(company)s asks for %(what)s."),
                "%(message)s",
                gettext_noop("Open the link to approve or refuse in one click."),
            ],
            url=url,
            who=sub.user_name,
            what=what,
            subscription=str(sub),
            company=sub.company.name,
            message=req.message,
        )
    return req


def _describe(req: EmployeeRequest) -> str:
    """The request in words, in the active language."""
    if req.kind == EmployeeRequest.Kind.UPGRADE and req.product is not None:
        return _("a change to %(product)s") % {"product": req.product.display_name}
    if req.kind == EmployeeRequest.Kind.ESIM:
        return _("an eSIM")
    return _("a new SIM card")


def describe(req: EmployeeRequest) -> str:
    return _describe(req)


@transaction.atomic
def decide_request(*, req: EmployeeRequest, approve: bool, by: Actor) -> EmployeeRequest:
    """Approving runs the subscription's own action (product change now, or a new SIM/eSIM); both are audited
    and the employee is told in their language. The page's POST is the one click."""
    locked = (
        EmployeeRequest.objects.unscoped()
        .select_for_update(of=("self",))  # the product is a nullable join: PostgreSQL cannot lock its side
        .select_related("subscription", "product")
        .get(pk=req.pk)
    )
    if locked.status != EmployeeRequest.Status.PENDING:
        raise ValidationError(_("This request has already been answered."), code="request_decided")
    sub = locked.subscription
    if approve:
        if locked.kind == EmployeeRequest.Kind.UPGRADE:
            assert locked.product is not None
            change_product(sub, target=locked.product, effective="now", by=by)
        else:
            kind = SimOrder.Kind.ESIM if locked.kind == EmployeeRequest.Kind.ESIM else SimOrder.Kind.REPLACEMENT
            order_sim(sub, kind=kind, ship_to=locked.ship_to, reason=_("Asked for by the employee"), by=by)
    locked.status = EmployeeRequest.Status.APPROVED if approve else EmployeeRequest.Status.REFUSED
    locked.decided_by, locked.decided_at = by.user, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    record(
        "employee.request_approved" if approve else "employee.request_refused",
        by=by,
        company=locked.company,
        target=sub,
        details={"request": locked.pk, "kind": locked.kind},
    )
    with translation.override(locked.language):
        what = _describe(locked)
    _mail(
        to=locked.email,
        language=locked.language,
        subject=(
            gettext_noop("Your request for %(what)s was approved")
            if approve
            else gettext_noop("Your request for %(what)s was refused")
        ),
        lines=[
            gettext_noop("%(by)s approved your request for %(what)s.")
            if approve
            else gettext_noop("%(by)s refused your request for %(what)s. Ask them if you have questions."),
        ],
        url=_link("employees:subscription", sub.pk),
        what=what,
        by=by.display,
    )
    return locked


# -- hardware from the Products catalogue ----------------------------------------------------------


@transaction.atomic
def request_hardware(
    *,
    sub: Subscription,
    item_id: int,
    deliver_to: str,
    street: str,
    postcode: str,
    city: str,
    reason: str,
    email: str,
    language: str,
    by: Actor,
) -> Order:
    """An employee asks for one catalogue item for their own subscription: a Products order placed on their
    behalf (``place_order`` with the employee as requester: stock reserved, always held, the company's
    full-access Products admins mailed the confirm page's link). Refused with a translated message, nothing
    written, when the input or the company's rules do not allow it."""
    if not sub.is_open:
        raise ValidationError(_("Only a running subscription can be changed."), code="not_running")
    if not reason.strip():
        raise ValidationError(_("Tell your admin why you need it."), code="no_reason")
    company = sub.company
    if deliver_to == "company":
        if not (company.street and company.postcode and company.city):
            raise ValidationError(_("We have no address for your company: enter your own address."), code="no_address")
        delivery = products_actions.Delivery(
            name=f"{sub.user_name}, {company.name}"[:200] if sub.user_name else company.name,
            street=company.street,
            postcode=company.postcode,
            city=company.city,
        )
    elif deliver_to == "own":
        delivery = products_actions.Delivery(name=sub.user_name or email, street=street, postcode=postcode, city=city)
    else:
        raise ValidationError(_("Choose where it should be delivered."), code="no_delivery")
    order = products_actions.place_order(
        company=company,
        lines=[products_actions.WantedLine(item_id=item_id, quantity=1, subscription_id=sub.pk)],
        delivery=delivery,
        billing=Order.Billing.ONE_OFF,
        note=reason.strip()[:200],
        by=by,
        approval_url=lambda token: _link("products:approval:confirm", token),
        requested_by=products_actions.Requester(subscription=sub, email=email, language=language),
    )
    record(
        "employee.hardware_requested",
        by=by,
        company=company,
        target=sub,
        details={"order": order.pk, "item": item_id, "deliver_to": deliver_to},
    )
    return order
