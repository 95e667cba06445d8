"""Attachments as the screens get them, and the checks of a new file the desk runs before sending it to the
store (plain values and pure functions, light to import in the desk's GUI process)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fzmediate.errors import ValidationError
from fzmediate.i18n import _

#: The most one file may hold: a phone photo or a multi-page scan fits; a video does not.
MAX_BYTES = 20 * 1024 * 1024
MAX_NAME = 255
MAX_MATERIAL = 200
MAX_REASON = 500
#: The most files one registration may carry (each is a separate row; the whole call crosses one boundary).
MAX_FILES = 50

JPEG = "image/jpeg"
PNG = "image/png"
TIFF = "image/tiff"
HEIC = "image/heic"
PDF = "application/pdf"
MEDIA_TYPES = (JPEG, PNG, TIFF, HEIC, PDF)
#: ISO BMFF brands of HEIC/HEIF still images (ISO/IEC 23008-12).
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})


@dataclass(frozen=True)
class NewAttachment:
    """A file to file with a case: its bytes and the name the user chose (personal data: never logged)."""

    name: str
    data: bytes
    #: The guide's material it is filed for (e.g. 申请人身份证明), or "".
    material: str = ""


@dataclass(frozen=True)
class AttachmentInfo:
    """An attachment as lists show it (no bytes)."""

    id: str
    case_id: str
    name: str
    media_type: str
    material: str
    size: int
    sha256: str
    added_at: datetime
    added_by: str
    removed_at: datetime | None
    removed_by: str
    removed_reason: str

    @property
    def removed(self) -> bool:
        return self.removed_at is not None


@dataclass(frozen=True)
class AttachmentData:
    """One attachment's bytes, for a viewer the user opened."""

    info: AttachmentInfo
    data: bytes


def detect_media_type(data: bytes) -> str | None:
    """The media type the content announces (magic bytes), or None when it is not one we accept."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if data.startswith(b"%PDF-"):
        return PDF
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return HEIC
    return None


def check_new(files: Sequence[NewAttachment], *, field: str = "attachments") -> tuple[str, ...]:
    """Each file's media type, or ValidationError naming the first file by position (never by name) and the rule.

    Pure: the desk calls it before sending anything to the store.
    """
    if len(files) > MAX_FILES:
        raise ValidationError(
            _("{field}: at most {max} files at a time.").format(field=field, max=MAX_FILES), field=field
        )
    types: list[str] = []
    for i, f in enumerate(files):
        where = "{0}[{1}]".format(field, i)
        types.append(check_file(f, where))
    return tuple(types)


def check_file(f: NewAttachment, where: str) -> str:
    """One file's media type, or ValidationError on the field ``where`` naming the rule (pure)."""
    if not isinstance(f.data, bytes) or not f.data:
        raise ValidationError(_("{field}: the file is empty.").format(field=where), field=where)
    if len(f.data) > MAX_BYTES:
        raise ValidationError(
            _("{field}: a file may be at most {max} MB; this one has {size} MB.").format(
                field=where, max=MAX_BYTES // (1024 * 1024), size="{0:.1f}".format(len(f.data) / (1024 * 1024))
            ),
            field=where,
        )
    media_type = detect_media_type(f.data)
    if media_type is None:
        raise ValidationError(
            _(
                "{field}: only photos and scans can be attached (JPEG, PNG, TIFF, HEIC or PDF, recognized by "
                "their content, not their name)."
            ).format(field=where),
            field=where,
        )
    _check_text(f.name, where + ".name", MAX_NAME, required=True)
    _check_text(f.material, where + ".material", MAX_MATERIAL, required=False)
    return media_type


def _check_text(value: str, field: str, max_len: int, *, required: bool) -> None:
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValidationError(_("{field}: required.").format(field=field), field=field)
    if len(value) > max_len:
        raise ValidationError(_("{field}: at most {max} characters.").format(field=field, max=max_len), field=field)
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise ValidationError(_("{field}: control characters are not allowed.").format(field=field), field=field)
