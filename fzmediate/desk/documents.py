"""The documents of a case as the desk's documents panel and document preview ask for them.

Every function runs on the DB worker through ``SessionContext.call`` as ``fn(session, token, *args)`` and
returns picklable values (frozen dataclasses, bytes, str, int): the store is to move into a worker process.
Nothing here decides what a document may be: drafts, issuing and versions are
:class:`~fzmediate.services.documents.DocumentService`'s; whether a kind may be issued now is
:func:`fzmediate.security.permissions.may` (``document.issue:KIND``); printing and its log (an audited
``document.print`` event on the case) are :mod:`fzmediate.services.printing`'s.

What the desk adds: one reading for the panel (every relevant kind, its draft and issue state with the
reasons, its versions, the print log), the rule that a second issue of a kind is a *re-issue* that needs a
reason (a correction is a new version pointing to the old one), and the number of copies a print starts with:
one for each party (applicant, respondent, third party; agents get none of their own) and one for the file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fzmediate.desk.token import CancelToken
from fzmediate.errors import NotFoundError, ValidationError
from fzmediate.i18n import _
from fzmediate.security.permissions import may
from fzmediate.services.print_dto import PrintJob, PrintLogEntry

if TYPE_CHECKING:
    from fzmediate.services.session import Session


CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
#: How many hex digits of a document's SHA-256 the history shows (enough to compare with a printout's).
SHA_SHORT = 12
#: The longest reason for a re-issue the desk accepts (it is printed in the history and the audit log).
MAX_REASON = 500


@dataclass(frozen=True)
class VersionInfo:
    """One issued version of a kind, as the history shows it."""

    document_id: str
    version: int
    title: str
    issued_on: dt.date
    #: When it was sealed, in China time.
    issued_at: dt.datetime
    issued_by: str
    reason: str
    pages: int
    sha256_short: str
    #: True once a later version replaced it.
    superseded: bool


@dataclass(frozen=True)
class KindInfo:
    """A kind of document for the case: can a draft be made, may it be issued now, and its versions."""

    kind: str
    title: str
    can_draft: bool
    #: Why no draft can be made yet ("" when one can).
    draft_reason: str
    may_issue: bool
    #: Why it may not be issued (sealed) now; empty when it may.
    issue_reasons: tuple[str, ...]
    #: Oldest first.
    versions: tuple[VersionInfo, ...]

    @property
    def current(self) -> VersionInfo | None:
        """The version in force (the latest), or None when never issued."""
        return self.versions[-1] if self.versions else None


@dataclass(frozen=True)
class PrintEntry(PrintLogEntry):
    """One print of a document of the case as the panel shows it: the service's log entry, with the document's
    title and the time in China (``when``; None when the stored time cannot be read)."""

    title: str = ""
    when: dt.datetime | None = None


@dataclass(frozen=True)
class DocumentsPanelData:
    """Everything the documents panel shows of one case, read in one call."""

    case_id: str
    case_number: str
    #: Applicants, respondents and third parties (agents are not counted).
    parties: int
    kinds: tuple[KindInfo, ...]
    #: Oldest first.
    print_log: tuple[PrintEntry, ...]

    @property
    def default_copies(self) -> int:
        return copies_for(self.parties)

    def kind(self, name: str) -> KindInfo | None:
        return next((k for k in self.kinds if k.kind == name), None)


@dataclass(frozen=True)
class DocumentPdf:
    """A document's bytes for the preview, with what its window title and print log need."""

    pdf: bytes
    title: str
    case_id: str
    kind: str
    #: None for a draft.
    document_id: str | None
    parties: int
    #: The words printed on every page of a draft where the seal would be ("" for an issued document).
    draft_mark: str = ""


@dataclass(frozen=True)
class PrinterChoices:
    """The print system's printers; ``problem`` says why there are none (no CUPS, not running …)."""

    printers: tuple[str, ...]
    default: str | None
    problem: str = ""


# --- helpers ---------------------------------------------------------------------------------------------


def copies_for(parties: int) -> int:
    """One copy for each party and one for the file: what the agreement itself states
    ("一式N份，当事人各执一份，…留存一份", templates/agreement.py), so the default matches the printed document."""
    return parties + 1 if parties > 0 else 1


def _case(session: Session, case_ref: str) -> tuple[str, str, int]:
    """(id, number, parties) of the case, from the masked, unaudited view (only counts are read)."""
    detail = session.cases.view(case_ref)
    return detail.id, detail.number, sum(1 for p in detail.parties if p.is_principal)


def _title(kind: str) -> str:
    from fzmediate.documents.templates.kinds import KINDS

    found = KINDS.get(kind)
    return found.title if found is not None else kind


def _china(moment: dt.datetime) -> dt.datetime:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(CHINA)


def _version(info: object) -> VersionInfo:
    from fzmediate.services.documents import IssuedDocInfo

    assert isinstance(info, IssuedDocInfo)
    return VersionInfo(
        document_id=info.id,
        version=info.version,
        title=info.title,
        issued_on=info.issue_date,
        issued_at=_china(info.issued_at),
        issued_by=info.issued_by,
        reason=info.reason,
        pages=info.pages,
        sha256_short=info.sha256[:SHA_SHORT],
        superseded=not info.current,
    )


def _print_entries(session: Session, case_id: str) -> tuple[PrintEntry, ...]:
    from fzmediate.services import printing

    out = []
    for e in printing.print_log(session, case_id):
        try:
            at: dt.datetime | None = _china(dt.datetime.fromisoformat(e.at))
        except ValueError:
            at = None
        logged = {f.name: getattr(e, f.name) for f in dataclasses.fields(e)}
        out.append(PrintEntry(**logged, title=_title(e.kind), when=at))
    return tuple(out)


def _versions_of(session: Session, case_id: str, kind: str) -> list[VersionInfo]:
    return [_version(d) for d in session.documents.list(case_id) if d.kind == kind]


# --- the panel -------------------------------------------------------------------------------------------


def panel(session: Session, token: CancelToken, case_id: str) -> DocumentsPanelData:
    """Every document kind relevant to the case, its state and versions, and the case's print log."""
    case_id, number, parties = _case(session, case_id)
    statuses = session.documents.kinds(case_id)
    token.check()
    versions: dict[str, list[VersionInfo]] = {}
    for doc in session.documents.list(case_id):
        versions.setdefault(doc.kind, []).append(_version(doc))
    names = [s.name for s in statuses]
    kinds = []
    for status in statuses:
        token.check()
        decision = may(session, "document.issue:" + status.name, case_id)
        kinds.append(
            KindInfo(
                kind=status.name,
                title=status.title,
                can_draft=status.available,
                draft_reason=status.reason,
                may_issue=decision.allowed,
                issue_reasons=decision.reasons,
                versions=tuple(versions.get(status.name, ())),
            )
        )
    for kind, found in versions.items():  # issued once, though no longer offered for the case: still shown
        if kind not in names:
            reason = _("This document is no longer made for this case.")
            kinds.append(KindInfo(kind, _title(kind), False, reason, False, (reason,), tuple(found)))
    return DocumentsPanelData(case_id, number, parties, tuple(kinds), _print_entries(session, case_id))


def default_copies(session: Session, token: CancelToken, case_id: str) -> int:
    """How many copies a print of the case's documents starts with: parties + 1."""
    return copies_for(_case(session, case_id)[2])


# --- drafts, issuing, versions ---------------------------------------------------------------------------


def render_draft(session: Session, token: CancelToken, case_id: str, kind: str) -> DocumentPdf:
    """A draft of ``kind`` (marked 草稿（未签发） on every page, no seal, not stored)."""
    from fzmediate.services.documents import DRAFT_MARK

    pdf = session.documents.render(kind, case_id)
    case_id, _number, parties = _case(session, case_id)
    title = _("{document} (draft)").format(document=_title(kind))
    return DocumentPdf(pdf, title, case_id, kind, None, parties, DRAFT_MARK)


def issue(session: Session, token: CancelToken, case_id: str, kind: str) -> VersionInfo:
    """Issue (seal and store) the first version of ``kind``; a kind issued before is re-issued with a reason."""
    if _versions_of(session, case_id, kind):
        raise ValidationError(
            _("This document has been issued already; to correct it, re-issue it with a reason."), field="kind"
        )
    return _version(session.documents.issue(kind, case_id))


def reissue(session: Session, token: CancelToken, case_id: str, kind: str, reason: str) -> VersionInfo:
    """Issue the next version of ``kind``, which supersedes the last; ``reason`` (required) says why."""
    text = " ".join(reason.split())
    if not text:
        raise ValidationError(_("reason: say why the document is issued again."), field="reason")
    if len(text) > MAX_REASON:
        raise ValidationError(
            _("reason: at most {count} characters.").format(count=MAX_REASON),
            field="reason",
        )
    if not _versions_of(session, case_id, kind):
        raise ValidationError(_("This document has not been issued yet; issue it first."), field="kind")
    return _version(session.documents.issue(kind, case_id, reason=text))


def issued_pdf(session: Session, token: CancelToken, document_id: str) -> bytes:
    """The stored, sealed bytes of an issued document (checked against their SHA-256; the reading is audited)."""
    return session.documents.get_pdf(document_id)


def issued_document(session: Session, token: CancelToken, case_id: str, document_id: str) -> DocumentPdf:
    """An issued document of the case with its title and version, for the preview."""
    info = next((d for d in session.documents.list(case_id) if d.id == document_id), None)
    if info is None:
        raise NotFoundError(_("No issued document with this id."))
    pdf = session.documents.get_pdf(document_id)
    found_id, _number, parties = _case(session, info.case_id)
    title = _("{title} (version {version})").format(title=info.title, version=info.version)
    return DocumentPdf(pdf, title, found_id, info.kind, document_id, parties)


# --- printing --------------------------------------------------------------------------------------------


def printers(session: Session, token: CancelToken) -> PrinterChoices:
    """The print system's printers and its default; none, with the reason, where there is no print system."""
    from fzmediate.errors import FzError
    from fzmediate.services import printing

    try:
        found = tuple(printing.list_printers())
        default = printing.default_printer() if found else None
    except FzError as exc:
        return PrinterChoices((), None, exc.message)
    if not found:
        return PrinterChoices((), None, _("The print system has no printer set up."))
    return PrinterChoices(found, default if default in found else None)


def print_document(
    session: Session, token: CancelToken, case_id: str, document: str, printer: str, copies: int
) -> PrintJob:
    """Send a document of the case itself (the PDF) to the CUPS ``printer``, ``copies`` times; logged on the case.

    ``document`` is an issued document's id (its stored bytes are printed) or a kind (a fresh draft of it).
    """
    from fzmediate.documents.templates.kinds import KINDS
    from fzmediate.services import printing

    if document in KINDS:
        pdf = session.documents.render(document, case_id)
        token.check()
        return printing.print_case_document(
            session, pdf, case_ref=case_id, kind=document, printer=printer, copies=copies
        )
    info = next((d for d in session.documents.list(case_id) if d.id == document), None)
    if info is None:
        raise NotFoundError(_("No issued document with this id."))
    pdf = session.documents.get_pdf(info.id)
    token.check()
    return printing.print_case_document(
        session, pdf, case_ref=case_id, kind=info.kind, document_id=info.id, printer=printer, copies=copies
    )


# --- the document preview's calls (the 文书 menu, and any PDF it is given) --------------------------------


def guide_matters(session: Session, token: CancelToken) -> list[tuple[str, str]]:
    """(code, name) of every matter of the active catalogue, for choosing whose guide to print."""
    from fzmediate.catalogue.localize import localized

    return [(m.code, localized(m.name)) for m in session.catalogue.list()]


def guide_pdf(session: Session, token: CancelToken, matter_code: str) -> bytes:
    """The 申请指南 of a matter (the guide PDF stays in Simplified Chinese)."""
    return session.documents.guide(matter_code)


def send_pdf(
    session: Session,
    token: CancelToken,
    pdf: bytes,
    queue: str,
    copies: int,
    title: str,
    case_id: str | None = None,
    kind: str = "",
    document_id: str | None = None,
) -> PrintJob | None:
    """Send ``pdf`` to the CUPS ``queue``; with ``case_id`` it is a document of that case and the print is
    logged. None when ``queue`` is not a printer of the print system (the preview then draws the pages)."""
    from fzmediate.services import printing

    if queue not in printing.list_printers():
        return None
    if case_id is None:
        return printing.print_pdf(pdf, printer=queue, copies=copies, title=title)
    return printing.print_case_document(
        session, pdf, case_ref=case_id, kind=kind, document_id=document_id, printer=queue, copies=copies
    )
