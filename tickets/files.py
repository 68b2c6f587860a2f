"""Attachment checks: by content (magic bytes, see common.uploads), never by the file's name."""

from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from common.uploads import JPEG, PDF, PNG, TEXT, Kind, sniff

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_POST = 5
# The kinds a ticket accepts.
KINDS = (PDF, PNG, JPEG, TEXT)
KNOWN_EXTENSIONS = {ext for kind in KINDS for ext in kind.extensions}


def safe_name(name: str, kind: Kind) -> str:
    """The uploader's name without folders, with an extension matching the content."""
    base = PurePosixPath(name.replace("\\", "/")).name.strip().strip(".") or "attachment"
    stem, suffix = PurePosixPath(base).stem[:150] or "attachment", PurePosixPath(base).suffix.lower()
    if suffix not in kind.extensions:
        suffix = kind.extensions[0]
    return f"{stem}{suffix}"


def check_upload(upload: UploadedFile) -> Kind:
    """The file's kind, or a ValidationError saying what is wrong with it."""
    name = upload.name or ""
    if upload.size is not None and upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("%(name)s is %(size)s; attachments may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(MAX_ATTACHMENT_BYTES)},
            code="too_big",
        )
    if not upload.size:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            _("%(name)s is not a PDF, PNG, JPEG or text file. Only those kinds of files can be attached.")
            % {"name": name},
            code="bad_type",
        )
    suffix = PurePosixPath(name).suffix.lower()
    if suffix and suffix not in KNOWN_EXTENSIONS:
        # A script or program that happens to be plain text is still refused.
        raise ValidationError(
            _("%(name)s is not a PDF, PNG, JPEG or text file. Only those kinds of files can be attached.")
            % {"name": name},
            code="bad_type",
        )
    if suffix and suffix not in kind.extensions:
        raise ValidationError(
            _("The content of %(name)s does not match its name. Please attach the original file.") % {"name": name},
            code="mismatch",
        )
    return kind
