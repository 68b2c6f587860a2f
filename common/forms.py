"""Putting an action's refusal on the form that asked for it.

Actions validate and raise ``django.core.exceptions.ValidationError`` (see docs/ARCHITECTURE.md); a view shows
that refusal above its form. ``errors_to`` is the one way to do it::

    with errors_to(form):
        actions.cancel(sub, on=..., by=Actor.from_request(request))
        messages.success(request, _("The subscription is cancelled."))
        return redirect("subscriptions:detail", subscription_id=sub.pk)
    return render(request, "subscriptions/cancel.html", {"form": form}, status=400)

When the action refuses, the rest of the block is skipped and its errors are on the form (with their codes);
the view goes on after the block. A button without a form (withdraw, resend, close) shows the refusal as a
flash message instead: ``with errors_to_messages(request): ...``.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils.functional import Promise


def add_errors(form: BaseForm, error: ValidationError | str | Promise) -> None:
    """Adds ``error`` to the form's errors above its fields (its non-field errors), keeping each message's code.

    An action's refusal concerns the whole request, so even a model's per-field errors go above the form.
    An unbound form (a GET) takes errors too: the page can then say why it refuses before anything is posted.
    """
    if not form.is_bound and not hasattr(form, "cleaned_data"):
        form.full_clean()  # an empty error list, no validation
        form.cleaned_data = {}
    if not isinstance(error, ValidationError):
        error = ValidationError(str(error))
    if hasattr(error, "error_dict"):
        error = ValidationError([e for errors in error.error_dict.values() for e in errors])
    form.add_error(None, error)


@contextmanager
def errors_to(form: BaseForm) -> Iterator[BaseForm]:
    """Runs the block; a ``ValidationError`` raised in it ends the block and lands on ``form`` (see ``add_errors``)."""
    try:
        yield form
    except ValidationError as error:
        add_errors(form, error)


@contextmanager
def errors_to_messages(request: HttpRequest) -> Iterator[None]:
    """Runs the block; a ``ValidationError`` raised in it ends the block and each of its messages is shown as an
    error message on the next page."""
    try:
        yield
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
