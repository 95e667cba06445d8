"""The desk's inbox of applications sealed at a kiosk: import them still sealed, open, register or reject.

``import_file`` reads a file written by ``fzmediate kiosk export-applications`` and stores each application
*as it arrived*, still sealed, in ``intake_inbox``. It refuses the whole file (nothing stored, the application
named) when an entry is damaged (its SHA-256 does not match, or its box does not open for a user who holds the
key), was sealed to a key this office does not have, or reuses an application id with other content. Importing
the same file, or an overlapping one, again adds nothing: applications are keyed by their id.

Opening needs the office intake key, which only mediators and supervisors hold (their share of it, opened
with their slot key: ``fzmediate.services.office_intake``). ``list`` shows masked summaries; ``open`` gives one
pending application in plaintext (the intake form's pre-fill); ``register`` creates the case through the desk's
own create path (``CaseService.create``: the same validation, numbering, outbox and audit), from the application
as sealed or as the desk completed it, and links it in the same transaction; ``reject`` records the reason. The
plaintext lives only in memory.

Anyone holding the office's *public* key can seal an application: a sealed box proves the content is intact
and meant for this office, not who filed it. The desk checks an application as it checks one on paper.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.domain.case import PartyRole
from fzmediate.errors import NotFoundError, PermissionDenied, UsageError, ValidationError
from fzmediate.errors import SealedApplicationError as SealedApplicationError
from fzmediate.i18n import _
from fzmediate.jsonsafe import JsonInputError, load_json
from fzmediate.security import sealed_box as box
from fzmediate.security.masking import mask_name
from fzmediate.security.permissions import require
from fzmediate.services.inbox_dto import PENDING as PENDING
from fzmediate.services.inbox_dto import REGISTERED as REGISTERED
from fzmediate.services.inbox_dto import REJECTED as REJECTED
from fzmediate.services.inbox_dto import STATUSES as STATUSES
from fzmediate.services.inbox_dto import ImportResult as ImportResult
from fzmediate.services.inbox_dto import InboxEntry as InboxEntry
from fzmediate.services.inbox_dto import status_label as status_label
from fzmediate.services.kiosk import APPLICATION_FORMAT, APPLICATION_VERSION, EXPORT_FORMAT, EXPORT_VERSION
from fzmediate.services.office_intake import OfficeIntake
from fzmediate.store.models import IntakeInboxRow

if TYPE_CHECKING:
    from fzmediate.services.case_views import CaseSummary
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

#: An export file of many applications (each at most 2 MB of intake) stays far below this.
MAX_FILE_BYTES = 512 * 1024 * 1024
#: One application: the intake limit, its envelope and the box's overhead.
MAX_SEALED_BYTES = 3 * 1024 * 1024
MAX_REASON = 500
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class _Stored:
    """An inbox row, read out of its unit of work."""

    application_id: str
    office_key_id: str
    sealed: bytes
    status: str
    case_id: str | None

    @classmethod
    def of(cls, row: IntakeInboxRow) -> _Stored:
        return cls(row.application_id, row.office_key_id, row.sealed, row.status, row.case_id)


@dataclass(frozen=True)
class _Opened:
    number: str
    submitted_at: str
    intake: dict[str, Any]


@dataclass(frozen=True)
class OpenedApplication:
    """A pending application opened (plaintext: keep it in memory only, never log it)."""

    application_id: str
    #: The kiosk's receipt number and submission time, as the applicant's receipt shows them.
    number: str
    submitted_at: str
    #: The application's intake data as the kiosk sealed it (the format of :mod:`fzmediate.domain.intake`).
    intake: dict[str, Any]


#: Work to do in the case's own transaction (the ORM unit of work and the new case's id).
AlsoInCase = Callable[[OrmSession, str], None]


class IntakeInbox:
    """Sealed applications at the desk (service; reached as ``IntakeInbox(session)``)."""

    def __init__(self, session: Session) -> None:
        self._s = session
        self.keys = OfficeIntake(session)

    # --- import --------------------------------------------------------------------------------------
    def import_file(self, source: Path | bytes) -> ImportResult:
        """Store every application of an export file, still sealed; all or nothing (see the module docstring)."""
        require(self._s, "intake.import")
        data = source if isinstance(source, bytes) else self._read(source)
        body = load_json(data, what=_("Sealed applications file"), max_bytes=MAX_FILE_BYTES)
        damaged = SealedApplicationError(
            _("This is not a sealed applications file, or it is damaged; nothing was imported.")
        )
        if not isinstance(body, dict) or body.get("format") != EXPORT_FORMAT or body.get("version") != EXPORT_VERSION:
            raise damaged
        kiosk = body.get("kiosk_device_id")
        entries = body.get("applications")
        if not isinstance(kiosk, str) or not _UUID.fullmatch(kiosk) or not isinstance(entries, list):
            raise damaged
        known = self.keys.known_key_ids()
        private = self.keys.private_keys()
        with self._s.read() as s:
            stored = {
                a: digest for a, digest in s.execute(select(IntakeInboxRow.application_id, IntakeInboxRow.sha256))
            }
        new: dict[str, tuple[str, bytes, str]] = {}
        already = 0
        for entry in entries:
            application_id, key_id, sealed, digest = self._check_entry(entry, known, private)
            previous = stored.get(application_id) or (new[application_id][2] if application_id in new else None)
            if previous is not None:
                if previous != digest:
                    raise SealedApplicationError(
                        _("Application {id} was imported before with different content; nothing was imported.").format(
                            id=application_id
                        )
                    )
                already += 1
                continue
            new[application_id] = (key_id, sealed, digest)
        if new:
            now = self._s.now().astimezone(UTC).replace(tzinfo=None)
            details = {"added": len(new), "already": already, "kiosk": kiosk}
            with self._s.write("intake.import", "intake", kiosk, details) as s:
                for application_id, (key_id, sealed, digest) in new.items():
                    s.add(
                        IntakeInboxRow(
                            application_id=application_id,
                            office_key_id=key_id,
                            kiosk_device_id=kiosk,
                            sealed=sealed,
                            sha256=digest,
                            imported_at=now,
                            imported_by=self._s.actor.login,
                            status=PENDING,
                            decided_by="",
                            reason="",
                        )
                    )
        log.info("sealed applications imported: %d new, %d already there", len(new), already)
        return ImportResult(added=len(new), already=already, kiosk_device_id=kiosk)

    @staticmethod
    def _read(path: Path) -> bytes:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise UsageError(_("{name} is too large to be a sealed applications file.").format(name=path.name))
            return path.read_bytes()
        except OSError as exc:
            raise UsageError(_("Cannot read {name}: {problem}").format(name=path.name, problem=exc.strerror)) from None

    def _check_entry(self, entry: object, known: set[str], private: dict[str, bytes]) -> tuple[str, str, bytes, str]:
        if not isinstance(entry, dict):
            raise SealedApplicationError(
                _("This is not a sealed applications file, or it is damaged; nothing was imported.")
            )
        application_id = entry.get("application_id")
        key_id = entry.get("office_key_id")
        if not isinstance(application_id, str) or not _UUID.fullmatch(application_id) or not isinstance(key_id, str):
            raise SealedApplicationError(
                _("This is not a sealed applications file, or it is damaged; nothing was imported.")
            )
        altered = SealedApplicationError(
            _("Application {id}: the sealed data was altered or damaged; nothing was imported.").format(
                id=application_id
            )
        )
        if key_id not in known:
            raise SealedApplicationError(
                _(
                    "Application {id} is sealed to another office's intake key ({key}); this office cannot open it. "
                    "Nothing was imported."
                ).format(id=application_id, key=key_id[:36])
            )
        try:
            sealed = box.unb64(str(entry.get("sealed")))
        except ValueError:
            raise altered from None
        digest = hashlib.sha256(sealed).hexdigest()
        if digest != entry.get("sha256") or not box.OVERHEAD < len(sealed) <= MAX_SEALED_BYTES:
            raise altered
        if key_id in private:
            opened = self._open_sealed(application_id, key_id, sealed, private[key_id])
            if opened is None:
                raise altered
        return application_id, key_id, sealed, digest

    # --- opening -------------------------------------------------------------------------------------
    @staticmethod
    def _open_sealed(application_id: str, key_id: str, sealed: bytes, private: bytes) -> _Opened | None:
        """The application in a box, or None when it does not open or its envelope does not belong to it."""
        try:
            plain = box.open_sealed(private, sealed)
        except box.SealedBoxError:
            return None
        try:
            envelope = load_json(plain, what="application", max_bytes=MAX_SEALED_BYTES)
        except JsonInputError:
            return None
        if (
            not isinstance(envelope, dict)
            or envelope.get("format") != APPLICATION_FORMAT
            or envelope.get("version") != APPLICATION_VERSION
            or envelope.get("application_id") != application_id
            or envelope.get("office_key_id") != key_id
            or not isinstance(envelope.get("intake"), dict)
        ):
            return None
        return _Opened(
            number=str(envelope.get("number", ""))[:32],
            submitted_at=str(envelope.get("submitted_at", ""))[:32],
            intake=envelope["intake"],
        )

    def _private_keys(self) -> dict[str, bytes]:
        keys = self.keys.private_keys()
        if not keys:
            raise PermissionDenied(
                _("You hold no share of the office intake key: a mediator or supervisor opens sealed applications.")
            )
        return keys

    def _row(self, application_id: str) -> _Stored:
        with self._s.read() as s:
            row = s.get(IntakeInboxRow, application_id.strip())
            if row is None:
                raise NotFoundError(_("No sealed application with this id in the inbox."))
            return _Stored.of(row)

    def _open_row(self, row: _Stored, keys: dict[str, bytes]) -> _Opened | None:
        private = keys.get(row.office_key_id)
        if private is None:
            return None
        return self._open_sealed(row.application_id, row.office_key_id, row.sealed, private)

    # --- reading -------------------------------------------------------------------------------------
    def list(self, status: str | None = PENDING) -> list[InboxEntry]:
        """The inbox (pending applications by default, ``None`` for all), oldest first, masked."""
        require(self._s, "intake.list")
        if status is not None and status not in STATUSES:
            raise ValidationError(_("status: one of {choices}").format(choices=", ".join(STATUSES)), field="status")
        keys = self._private_keys()
        with self._s.read() as s:
            q = select(IntakeInboxRow).order_by(IntakeInboxRow.application_id)
            if status is not None:
                q = q.where(IntakeInboxRow.status == status)
            rows = [_Stored.of(r) for r in s.scalars(q)]
        return [self._entry(row, self._open_row(row, keys)) for row in rows]

    @staticmethod
    def _entry(row: _Stored, opened: _Opened | None) -> InboxEntry:
        applicants: tuple[str, ...] = ()
        matter = ""
        parties = 0
        if opened is not None:
            raw_parties = opened.intake.get("parties")
            listed = raw_parties if isinstance(raw_parties, list) else []
            parties = len(listed)
            applicants = tuple(
                mask_name(str(p.get("name", "")))
                for p in listed
                if isinstance(p, dict) and p.get("role") == PartyRole.APPLICANT.value
            )
            matter = str(opened.intake.get("matter", ""))[:32]
        return InboxEntry(
            application_id=row.application_id,
            number=opened.number if opened is not None else "",
            submitted_at=opened.submitted_at if opened is not None else "",
            matter_code=matter,
            applicants=applicants,
            parties=parties,
            status=row.status,
            case_id=row.case_id,
            readable=opened is not None,
        )

    def open(self, application_id: str) -> OpenedApplication:
        """A pending application in plaintext, for the intake form to start from (nothing is written).

        Refused like ``register``: an application already decided, one that does not open (damaged or altered),
        or a user who holds no share of the office intake key."""
        require(self._s, "intake.register")
        row = self._row(application_id)
        self._require_pending(row)
        opened = self._open_row(row, self._private_keys())
        if opened is None:
            raise _unopenable(row.application_id)
        return OpenedApplication(row.application_id, opened.number, opened.submitted_at, dict(opened.intake))

    # --- deciding ------------------------------------------------------------------------------------
    def register(
        self,
        application_id: str,
        *,
        confirm_duplicate: bool = False,
        intake: Mapping[str, Any] | None = None,
        also: AlsoInCase | None = None,
    ) -> CaseSummary:
        """Register a pending application as a case (the desk's create path); link the two.

        ``intake``: the application as the desk completed or corrected it (from :meth:`open`); by default the
        application as sealed, opened here. ``also``: more work for the case's own transaction (e.g. filing the
        scans the desk took), done before the link, so the case, that work and the link commit together or not
        at all. Like a desk registration, one that matches an open case raises DuplicateWarning naming it;
        registering it anyway needs ``confirm_duplicate``."""
        require(self._s, "intake.register")
        row = self._row(application_id)
        self._require_pending(row)
        number = ""
        if intake is None:
            opened = self._open_row(row, self._private_keys())
            if opened is None:
                raise _unopenable(row.application_id)
            intake, number = opened.intake, opened.number
        now = self._s.now().astimezone(UTC).replace(tzinfo=None)

        def link(s: OrmSession, case_id: str) -> None:
            if also is not None:
                also(s, case_id)
            # In the case's own transaction: registered and linked together, or neither.
            stored = s.get(IntakeInboxRow, row.application_id)
            assert stored is not None
            if stored.status != PENDING:  # decided by another desk since it was read
                self._require_pending(_Stored.of(stored))
            stored.status = REGISTERED
            stored.case_id = case_id
            stored.decided_at = now
            stored.decided_by = self._s.actor.login

        summary = self._s.cases.create(dict(intake), channel="kiosk", also=link, confirm_duplicate=confirm_duplicate)
        details = {"case": summary.id, "number": number} if number else {"case": summary.id}
        with self._s.write("intake.register", "application", row.application_id, details):
            pass
        log.info("sealed application registered as a case")
        return summary

    def reject(self, application_id: str, reason: str) -> None:
        """Refuse a pending application, with the reason (kept in the encrypted store, not in the audit)."""
        require(self._s, "intake.reject")
        text = reason.strip()
        if not text or len(text) > MAX_REASON or any(ch < " " and ch not in "\n\t" for ch in text):
            raise ValidationError(
                _("reason: 1 to {max} characters of text, without control characters.").format(max=MAX_REASON),
                field="reason",
            )
        row = self._row(application_id)
        self._require_pending(row)
        now = self._s.now().astimezone(UTC).replace(tzinfo=None)
        with self._s.write("intake.reject", "application", row.application_id) as s:
            stored = s.get(IntakeInboxRow, row.application_id)
            assert stored is not None
            stored.status = REJECTED
            stored.reason = text
            stored.decided_at = now
            stored.decided_by = self._s.actor.login

    @staticmethod
    def _require_pending(row: _Stored) -> None:
        if row.status != PENDING:
            raise ValidationError(
                _("Application {id} was already {status}; nothing was changed.").format(
                    id=row.application_id, status=status_label(row.status)
                ),
                field="application",
            )


def _unopenable(application_id: str) -> SealedApplicationError:
    return SealedApplicationError(
        _(
            "Application {id} does not open with this office's intake key (damaged or altered); "
            "reject it and ask the applicant to file again."
        ).format(id=application_id)
    )
