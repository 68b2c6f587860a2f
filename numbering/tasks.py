from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation


@task
def send_port_request_update(port_request_id: int, event_id: int | None = None, comment_id: int | None = None) -> int:
    """E-mails the company's chosen addresses about a change, in the language they chose."""
    from numbering.models import PortComment, PortEvent, PortRequest

    port_request = PortRequest.objects.unscoped().select_related("company").get(pk=port_request_id)
    recipients = port_request.notification_list
    if not recipients:
        return 0
    event = PortEvent.objects.filter(pk=event_id, port_request=port_request).first() if event_id else None
    comment = (
        PortComment.objects.filter(pk=comment_id, port_request=port_request, is_internal=False).first()
        if comment_id
        else None
    )
    with translation.override(port_request.notification_language or "da"):
        context = {"port_request": port_request, "event": event, "comment": comment}
        subject = render_to_string("numbering/email/port_update_subject.txt", context).strip()
        body = render_to_string("numbering/email/port_update.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)


@task
def notify_staff_of_port_request(port_request_id: int) -> int:
    """Tells the operator's staff that a port request waits in their queue."""
    from numbering.models import PortRequest

    port_request = PortRequest.objects.unscoped().select_related("company").get(pk=port_request_id)
    recipients = list(settings.STAFF_NOTIFICATION_EMAILS)
    if not recipients:
        return 0
    with translation.override("da"):
        context = {"port_request": port_request}
        subject = render_to_string("numbering/email/staff_new_port_subject.txt", context).strip()
        body = render_to_string("numbering/email/staff_new_port.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)


@task
def provision_call_flow(version_id: int) -> str:
    """Hands a saved version to the network as its ``callflow/v1`` export and records the platform's answer."""
    from numbering.provisioning import provision

    return provision(version_id)
