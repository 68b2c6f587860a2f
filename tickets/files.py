"""Attachment checks: by content (magic bytes), never by the file's name."""

from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_POST = 5


@dataclass(frozen=True)
class Kind:
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("application/pdf", (".pdf",))
PNG = Kind("image/png", (".png",))
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"))
TEXT = Kind("text/plain", (".txt", ".log", ".csv"))
KINDS = (PDF, PNG, JPEG, TEXT)
KNOWN_EXTENSIONS = {ext for kind in KINDS for ext in kind.extensions}

# Control characters that do not occur in a text file (tab, newlines and form feed do).
_BINARY_BYTES = bytes(set(range(32)) - {9, 10, 12, 13}) + b"\x7f"


def detect_kind(head: bytes, *, whole: bytes | None = None) -> Kind | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    sample = whole if whole is not None else head
    if _is_text(sample):
        return TEXT
    return None


def _is_text(data: bytes) -> bool:
    if any(byte in _BINARY_BYTES for byte in data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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
    upload.seek(0)
    head = upload.read(2048)
    whole = None
    if not head.startswith((b"%PDF-", b"\x89PNG", b"\xff\xd8\xff")):
        upload.seek(0)
        whole = upload.read()
    upload.seek(0)
    kind = detect_kind(head, whole=whole)
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
