"""Documents practitioners upload (letters, reports, evidence): which types are allowed,
how large, and the checks every upload passes before anything is saved. The type is
checked by the file's extension and by its first bytes; the agency's file name is shown,
never used as a path."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files import File
from django.db.models.fields.files import FieldFile

from .errors import add_error

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 and Outlook .msg files
_ZIP = b"PK\x03\x04"  # .docx and .odt are zip files
# Extension → (content type, the bytes the file must start with; None: text, no NULs).
DOCUMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (_ZIP,),
    ),
    "doc": ("application/msword", (_OLE,)),
    "odt": ("application/vnd.oasis.opendocument.text", (_ZIP,)),
    "txt": ("text/plain", None),
    "rtf": ("application/rtf", (b"{\\rtf",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "tif": ("image/tiff", (b"II*\x00", b"MM\x00*")),
    "tiff": ("image/tiff", (b"II*\x00", b"MM\x00*")),
    "eml": ("message/rfc822", None),
    "msg": ("application/vnd.ms-outlook", (_OLE,)),
}
ALLOWED_TYPES_TEXT = "PDF, Word, OpenDocument text, plain text, RTF, JPEG, PNG, TIFF or email"


def document_max_bytes() -> int:
    """The largest upload: CHRONOLOGY_ATTACHMENT_MAX_MB (10 MB by default)."""
    return getattr(settings, "CHRONOLOGY_ATTACHMENT_MAX_MB", 10) * 1024 * 1024


@dataclass
class CheckedDocument:
    """An upload that passed the checks."""

    file: File
    name: str
    content_type: str

    @property
    def size(self) -> int:
        return self.file.size or 0

    def store(self, field: FieldFile) -> None:
        """Save the file into `field` under a name of our own (not saving the row)."""
        self.file.seek(0)
        field.save(f"{uuid.uuid4().hex}{PurePath(self.name).suffix.lower()}", self.file, save=False)


def check_documents(
    errors: dict, files: Sequence[File], *, field: str, max_files: int
) -> list[CheckedDocument]:
    """Each file's size, and its type by extension and by its first bytes; problems are
    added to `errors` under `field` (`too_many_attachments`, `attachment_too_big`,
    `attachment_empty`, `attachment_type_not_allowed`)."""
    checked: list[CheckedDocument] = []
    if len(files) > max_files:
        add_error(
            errors,
            field,
            f"Attach at most {max_files} file{'s' if max_files != 1 else ''}",
            "too_many_attachments",
        )
        return checked
    limit = document_max_bytes()
    for upload in files:
        name = PurePath(upload.name or "attachment").name[-255:]
        known = DOCUMENT_TYPES.get(PurePath(name).suffix.lower().lstrip("."))
        size = upload.size or 0
        if size > limit:
            add_error(
                errors,
                field,
                f"{name} is larger than {limit // (1024 * 1024)} MB",
                "attachment_too_big",
            )
            continue
        if size == 0:
            add_error(errors, field, f"{name} is empty", "attachment_empty")
            continue
        upload.seek(0)
        head = upload.read(8192)
        upload.seek(0)
        if isinstance(head, str):
            head = head.encode()
        if known is None or not _looks_like(head, known[1]):
            add_error(
                errors,
                field,
                f"{name} must be a {ALLOWED_TYPES_TEXT} file",
                "attachment_type_not_allowed",
            )
            continue
        checked.append(CheckedDocument(upload, name, known[0]))
    return checked


def _looks_like(head: bytes, signatures: tuple[bytes, ...] | None) -> bool:
    if signatures is None:
        return b"\x00" not in head
    return head.startswith(signatures)
