"""Attachments of a case: scans and photos (an ID card copy, a contract, a receipt) kept in the encrypted store.

The bytes live only in the SQLCipher store (``attachments.data``), never in a file beside it. Every change is a
``Session.write`` (or runs inside one, :meth:`AttachmentService.add_within`): the row, its outbox change (the
metadata only; the bytes travel by the resumable attachment upload, checked against ``sha256``) and an audit
event commit together. The audit carries the case, the media type and the size: never the file's name, which is
personal data ("王𠮷身份证.jpg") — nor is it logged or put in an error message.

The media type is read from the content (magic bytes), not from the name: JPEG, PNG, TIFF, HEIC/HEIF and PDF are
accepted, anything else is refused. A file may be at most :data:`MAX_BYTES`. A wrong file is never deleted: it is
marked removed with a reason, and stays in the record of what was filed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.errors import NotFoundError, ValidationError
from fzmediate.i18n import _
from fzmediate.security.audit import append_event
from fzmediate.security.permissions import require
from fzmediate.services.attachment_dto import HEIC as HEIC
from fzmediate.services.attachment_dto import JPEG as JPEG
from fzmediate.services.attachment_dto import MAX_BYTES as MAX_BYTES
from fzmediate.services.attachment_dto import MAX_FILES as MAX_FILES
from fzmediate.services.attachment_dto import MAX_MATERIAL as MAX_MATERIAL
from fzmediate.services.attachment_dto import MAX_NAME as MAX_NAME
from fzmediate.services.attachment_dto import MAX_REASON as MAX_REASON
from fzmediate.services.attachment_dto import MEDIA_TYPES as MEDIA_TYPES
from fzmediate.services.attachment_dto import PDF as PDF
from fzmediate.services.attachment_dto import PNG as PNG
from fzmediate.services.attachment_dto import TIFF as TIFF
from fzmediate.services.attachment_dto import AttachmentData as AttachmentData
from fzmediate.services.attachment_dto import AttachmentInfo as AttachmentInfo
from fzmediate.services.attachment_dto import NewAttachment as NewAttachment
from fzmediate.services.attachment_dto import _check_text as _check_text
from fzmediate.services.attachment_dto import check_file as check_file
from fzmediate.services.attachment_dto import check_new as check_new
from fzmediate.services.attachment_dto import detect_media_type as detect_media_type
from fzmediate.store.models import AttachmentRow, Case, new_time_id
from fzmediate.store.outbox import Change, Op, append_changes, row_fields

if TYPE_CHECKING:
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

# Never in the outbox: the change carries sha256 and size, and the bytes travel once from this row, by the
# resumable blob upload checked against sha256 (fzmediate.sync.blobs, docs/sync-protocol.md "Blobs").
_NOT_IN_OUTBOX = ("data",)


def _info(row: AttachmentRow) -> AttachmentInfo:
    return AttachmentInfo(
        id=row.id,
        case_id=row.case_id,
        name=row.name,
        media_type=row.media_type,
        material=row.material,
        size=row.size,
        sha256=row.sha256,
        added_at=row.added_at,
        added_by=row.added_by,
        removed_at=row.removed_at,
        removed_by=row.removed_by,
        removed_reason=row.removed_reason,
    )


class AttachmentService:
    """Attachments of cases (reached as ``AttachmentService(session)``)."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def _now(self) -> datetime:
        return self._s.now().astimezone(UTC).replace(tzinfo=None)

    # --- adding ----------------------------------------------------------------------------------
    def add(self, case_id: str, files: Sequence[NewAttachment]) -> tuple[AttachmentInfo, ...]:
        """File ``files`` with an existing case, all or none (one transaction)."""
        require(self._s, "attachment.add")
        check_new(files)
        with self._s.write("attachment.add", "case", case_id, {"files": len(files)}) as s:
            if s.get(Case, case_id) is None:
                raise NotFoundError(_("No case with this id or number."))
            return self.add_within(s, case_id, files)

    def add_within(self, s: OrmSession, case_id: str, files: Sequence[NewAttachment]) -> tuple[AttachmentInfo, ...]:
        """Add ``files`` inside the caller's ``Session.write`` unit of work ``s`` (e.g. the case's creation, through
        ``CaseService.create(also=…)``): rows, outbox changes and one audit event per file, committed with it."""
        require(self._s, "attachment.add")
        types = check_new(files)
        now = self._now()
        rows = [
            AttachmentRow(
                id=new_time_id(int(self._s.now().timestamp() * 1000)),
                case_id=case_id,
                name=f.name.strip(),
                media_type=media_type,
                material=f.material.strip(),
                size=len(f.data),
                sha256=hashlib.sha256(f.data).hexdigest(),
                data=f.data,
                added_at=now,
                added_by=self._s.actor.login,
                removed_at=None,
                removed_by="",
                removed_reason="",
            )
            for f, media_type in zip(files, types, strict=True)
        ]
        s.add_all(rows)
        s.flush()
        for row in rows:
            # The name is personal data: the audit says what kind of file and how large, not what it is called.
            append_event(
                s,
                at=self._s.now(),
                actor=self._s.actor.login,
                device=self._s.device_id,
                action="attachment.add",
                object_type="attachment",
                object_id=row.id,
                details={"case": case_id, "media_type": row.media_type, "size": row.size},
                signer=self._s.signing_key,
            )
        append_changes(
            s,
            [Change("attachment", r.id, Op.CREATE, 1, row_fields(r, exclude=_NOT_IN_OUTBOX)) for r in rows],
            device_id=self._s.device_id,
            actor=self._s.actor.login,
            at=self._s.now(),
        )
        log.info("attachments added: %d", len(rows))
        return tuple(_info(r) for r in rows)

    # --- reading ---------------------------------------------------------------------------------
    def list(self, case_id: str, *, include_removed: bool = True) -> tuple[AttachmentInfo, ...]:
        """The case's attachments in the order they were filed (removed ones too, marked, unless asked not to)."""
        require(self._s, "attachment.list")
        with self._s.read() as s:
            q = select(AttachmentRow).where(AttachmentRow.case_id == case_id).order_by(AttachmentRow.id)
            if not include_removed:
                q = q.where(AttachmentRow.removed_at.is_(None))
            return tuple(_info(r) for r in s.scalars(q))

    def read(self, attachment_id: str) -> AttachmentData:
        """The bytes of one attachment, for the viewer. Audited (``attachment.show``): who looked, at what."""
        require(self._s, "attachment.show")
        with self._s.write("attachment.show", "attachment", attachment_id) as s:
            row = s.get(AttachmentRow, attachment_id)
            if row is None:
                raise NotFoundError(_("No attachment with this id."))
            return AttachmentData(_info(row), bytes(row.data))

    # --- removing --------------------------------------------------------------------------------
    def remove(self, attachment_id: str, reason: str) -> AttachmentInfo:
        """Mark a wrongly filed attachment removed, with the reason; the row and its bytes stay on record."""
        require(self._s, "attachment.remove")
        text = reason.strip()
        _check_text(text, "reason", MAX_REASON, required=True)
        with self._s.write("attachment.remove", "attachment", attachment_id) as s:
            row = s.get(AttachmentRow, attachment_id)
            if row is None:
                raise NotFoundError(_("No attachment with this id."))
            if row.removed_at is not None:
                raise ValidationError(
                    _("This attachment was already removed; nothing was changed."), field="attachment"
                )
            row.removed_at = self._now()
            row.removed_by = self._s.actor.login
            row.removed_reason = text
            s.flush()
            patch = {
                "removed_at": {"old": None, "new": row.removed_at.isoformat()},
                "removed_by": {"old": "", "new": row.removed_by},
                "removed_reason": {"old": "", "new": text},
            }
            append_changes(
                s,
                [Change("attachment", row.id, Op.PATCH, 2, patch, 1)],
                device_id=self._s.device_id,
                actor=self._s.actor.login,
                at=self._s.now(),
            )
            return _info(row)
