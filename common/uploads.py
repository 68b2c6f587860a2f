"""What an uploaded file is, judged by its content (magic bytes), never by its name.

Shared by the areas that accept uploads; each app keeps its own allowed kinds,
size limits and messages.
"""

from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile

HEAD_BYTES = 2048


@dataclass(frozen=True)
class Kind:
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("application/pdf", (".pdf",))
PNG = Kind("image/png", (".png",))
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"))
TEXT = Kind("text/plain", (".txt", ".log", ".csv"))
KINDS = (PDF, PNG, JPEG, TEXT)

_MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))

# Control characters that do not occur in a text file (tab, newlines and form feed do).
_BINARY_BYTES = bytes(set(range(32)) - {9, 10, 12, 13}) + b"\x7f"


def detect_kind(head: bytes, *, whole: bytes | None = None) -> Kind | None:
    """The kind of a file from its first bytes; text is judged on ``whole`` when given."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
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


def read_head(upload: UploadedFile, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of an upload, leaving it rewound for saving."""
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def sniff(upload: UploadedFile) -> Kind | None:
    """The upload's kind by content. Text needs the whole file (a binary byte may come late)."""
    head = read_head(upload)
    whole = None
    if not head.startswith(tuple(magic for magic, _kind in _MAGIC)):
        upload.seek(0)
        whole = upload.read()
        upload.seek(0)
    return detect_kind(head, whole=whole)
