import uuid
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common import formats
from companies.models import Company
from invoicing.models import Invoice
from numbering.models import PortRequest
from subscriptions.models import Subscription
from tickets.files import MAX_ATTACHMENTS_PER_POST, check_upload
from tickets.models import Category, Priority, Status, Ticket


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one field; each is checked by its content."""

    widget = MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.txt"})
    default_help_text = _("Up to 5 files, at most 10 MB each: PDF, PNG, JPEG or text.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attachments"))
        kwargs.setdefault("help_text", self.default_help_text)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > MAX_ATTACHMENTS_PER_POST:
            raise ValidationError(_("Attach at most %(count)d files at a time.") % {"count": MAX_ATTACHMENTS_PER_POST})
        errors: list[ValidationError] = []
        checked = []
        for upload in files:
            try:
                checked.append((upload, check_upload(upload)))
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return checked


class InvoiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Invoice) -> str:
        return f"{obj} · {formats.period(obj.period)}"


class PortRequestChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PortRequest) -> str:
        return f"{obj.reference} · {obj.get_kind_display()} · {obj.get_status_display()}"


class TicketForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=[("", "---------"), *Category.choices])
    subject = forms.CharField(label=_("Subject"), max_length=150, min_length=3)
    description = forms.CharField(
        label=_("Description"),
        max_length=10000,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, what you expected, and who is affected."),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    related_subscription = forms.ModelChoiceField(
        label=_("Related subscription"),
        queryset=Subscription.objects.none(),
        required=False,
        help_text=_("Optional: the subscription the ticket is about."),
    )
    related_invoice = InvoiceChoiceField(
        label=_("Related invoice"),
        queryset=Invoice.objects.none(),
        required=False,
        help_text=_("Optional: the invoice the ticket is about."),
    )
    related_port_request = PortRequestChoiceField(
        label=_("Related port request"),
        queryset=PortRequest.objects.none(),
        required=False,
        help_text=_("Optional: the number transfer the ticket is about."),
    )
    related_reference = forms.CharField(
        label=_("Related number or invoice"),
        max_length=100,
        required=False,
        help_text=_("Optional: e.g. a phone number or an invoice number."),
    )
    attachments = AttachmentsField()
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, company: Company | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["related_subscription"]).queryset = (
            Subscription.objects.for_company(company).select_related("product").order_by("user_name", "id")
        )
        cast(InvoiceChoiceField, self.fields["related_invoice"]).queryset = Invoice.objects.for_company(
            company
        ).order_by("-issue_date", "-number")
        cast(PortRequestChoiceField, self.fields["related_port_request"]).queryset = PortRequest.objects.for_company(
            company
        ).order_by("-created_at", "-id")
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4())

    def clean_subject(self) -> str:
        return self.cleaned_data["subject"].strip()


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))
    attachments = AttachmentsField()

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError(_("Write a message."))
        return body


class AttachForm(forms.Form):
    attachments = AttachmentsField(required=True, label=_("Add files"))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why do you reopen the ticket?"), max_length=500, required=False)


class AccessRequestForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"))
    message = forms.CharField(
        label=_("Message"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: what you need to do in the area."),
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, areas: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = areas
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4())


# Staff


class StaffReplyForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(label=_("Internal note (the customer never sees it)"), required=False)
    attachments = AttachmentsField()


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        help_text=_("Shown to the customer. Required for rejected, cancelled and on hold."),
    )
    # The status the page showed: a change someone else made meanwhile is reported, not overwritten.
    seen_status = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def __init__(self, *args: Any, ticket: Ticket | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if ticket is not None:
            self.fields["seen_status"].initial = ticket.status
        if ticket is not None and not self.is_bound:
            allowed = ticket.allowed_transitions()
            if allowed:
                cast(forms.ChoiceField, self.fields["status"]).choices = allowed


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("All open")), *Status.choices],
    )
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[("", _("All")), *Category.choices])
    company = forms.ModelChoiceField(
        label=_("Company"), queryset=Company.objects.order_by("name"), required=False, empty_label=_("All")
    )
    assignee = forms.ChoiceField(
        label=_("Assignee"),
        required=False,
        choices=[("", _("Anyone")), ("me", _("Me")), ("none", _("Nobody"))],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-control form-control-sm" if name == "q" else "form-select form-select-sm"
            field.widget.attrs["class"] = css
