"""Documents of a case: drafts, issuing (sealed, stored, versioned), the case file, guides, verification.

``session.documents``:

* ``render(kind, case_ref) -> bytes``: a draft (marked 草稿 on every page, no seal), not stored;
* ``issue(kind, case_ref) -> IssuedDocInfo``: sealed with the office key (QR on every page, PDF/A-2b, PAdES),
  stored with its SHA-256 in the encrypted database, in ONE transaction with the audit event and the outbox
  row; the document carries the audit head read in that transaction. Issuing a kind again makes the next
  version, which ``supersedes`` the last one; old rows and bytes are never changed (SQLite triggers refuse it);
* ``list(case_ref)``, ``get_pdf(doc_id)``, ``verify(pdf_bytes)`` (trust: the district roots, docs/trust.md);
* ``guide(matter_code, public=True)``: the 申请指南 of a matter (no case needed: kiosks print it);
* ``casefile(case_ref)``: the 卷宗, every current issued document in statutory order behind a cover and a
  table of contents;
* ``kinds(case_ref)``: every kind with whether it can be made now and, if not, why.

A kind can be made once the act it documents is on record (`fzmediate.documents.templates.kinds`); otherwise
the call is refused with a sentence naming the missing act. Documents are filled from the case as the
procedure recorded it (`CaseRecord` and the payload of each event), the matter of the catalogue version
the case is PINNED to, and the deadlines the legal clock computes on the day of issue.

Who: case workers (mediators, supervisors, administrators) for everything about a case. A kiosk may print
the guide, and the receipt of an application it filed itself that same day (masked, as every receipt is).
"""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography import x509
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.catalogue.model import Matter
from fzmediate.catalogue.org import Issuer
from fzmediate.documents import layout as L
from fzmediate.documents.casefile import (
    CaseFileData,
    FiledDocument,
    build_casefile,
    closing_result,
    retention_period,
)
from fzmediate.documents.fonts import TITLE
from fzmediate.documents.issue import issue_pdf
from fzmediate.documents.model import DocumentSpec
from fzmediate.documents.render import render, render_pdf
from fzmediate.documents.templates.common import KIND_WORDS, ROLE_WORDS, CaseContext, check_case_text
from fzmediate.documents.templates.guide import guide_spec
from fzmediate.documents.templates.kinds import GUIDE, KINDS, Kind, event_of, get_kind, unmet, unmet_for_issue
from fzmediate.documents.verify import VerifyResult, verify_pdf
from fzmediate.domain.case import CaseRecord
from fzmediate.errors import NotFoundError, StoreDamagedError, ValidationError
from fzmediate.i18n import _
from fzmediate.procedure.engine import DeadlineInfo
from fzmediate.procedure.guard_registry import current_mediator
from fzmediate.security.audit import head as audit_head
from fzmediate.security.permissions import require
from fzmediate.services.case_views import record_of
from fzmediate.services.office_keys import OfficeKeys
from fzmediate.services.organisation import DESK_DOCUMENTS
from fzmediate.store.models import Case, CaseEventRow, DocumentRow, PartyRow, User, new_time_id
from fzmediate.store.outbox import Change, Op, append_changes, row_fields

if TYPE_CHECKING:
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
DRAFT_MARK = "草稿（未签发）"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class IssuedDocInfo:
    """An issued document as lists show it (the bytes come from ``get_pdf``)."""

    id: str
    case_id: str
    case_number: str
    kind: str
    title: str
    version: int
    supersedes: str | None
    #: False once a later version replaced it.
    current: bool
    sha256: str
    size: int
    pages: int
    issue_date: dt.date
    issued_at: dt.datetime
    issued_by: str
    reason: str


@dataclass(frozen=True)
class KindStatus:
    """A kind of document for one case: can it be made now, and if not, why; how many versions exist."""

    name: str
    title: str
    available: bool
    reason: str
    issued_versions: int


class DraftMark:
    """The `PageDecorator` of a draft: 草稿（未签发） in the top margin of every page, where the seal would be."""

    def prepare(self, page_digests: Sequence[bytes]) -> None:
        return None

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        canvas.setFillGray(0.35)
        canvas.setFont(TITLE, L.SIZE_4HAO)
        canvas.drawRightString(L.BLOCK_RIGHT, L.PAGE_HEIGHT - 20 * L.MM, DRAFT_MARK)


class DocumentService:
    def __init__(self, session: Session) -> None:
        self._s = session
        self.keys = OfficeKeys(session)

    # --- clocks ------------------------------------------------------------------------------------
    def today(self) -> dt.date:
        return self._s.now().astimezone(CHINA).date()

    # --- the office ----------------------------------------------------------------------------------
    def office(self) -> str:
        """The desk's own issuing body's name ("" until an administrator sets the desk's unit)."""
        require(self._s, "document.office")
        return self._s.organisation.desk_issuer().name if self._s.organisation.desk_unit_code() else ""

    def _issuer_for(self, kind: Kind, record: CaseRecord, matter: Matter) -> Issuer:
        """In whose name ``kind`` is issued: the desk's own unit for what it received or sends on; the matter's
        issuing body for this desk's unit otherwise (refused when the unit does not implement the matter)."""
        org = self._s.organisation
        if kind.name in DESK_DOCUMENTS:
            return org.desk_issuer()
        if kind.name == "application":
            # The application is addressed (此致) to the competent body: this desk's, else where it was sent.
            try:
                return org.issuer(matter)
            except ValidationError:
                competent = org.competent(matter)
                sent = record.last_event("transfer")
                target = str(sent.payload.get("receiving_body", "")).strip() if sent is not None else ""
                if target:
                    return Issuer(code="", name=target, review_body="", review_basis="", court="", court_basis="")
                if len(competent) == 1:
                    return competent[0]
                return org.desk_issuer()
        return org.issuer(matter)

    # --- loading a case ------------------------------------------------------------------------------
    def _resolve(self, s: OrmSession, ref: str) -> Case:
        text = ref.strip()
        if _UUID.fullmatch(text):
            case = s.get(Case, text)
        else:
            case = s.scalars(select(Case).where(Case.number == text)).one_or_none()
        if case is None:
            raise NotFoundError(_("No case with this id or number."))
        return case

    def _record(self, kind: Kind | None, ref: str) -> tuple[CaseRecord, tuple[DeadlineInfo, ...]]:
        """The case and its deadlines today, read by a case worker through the case service (audited)."""
        require(self._s, "document")
        detail = self._s.cases.get(ref)
        record = detail.record()
        return record, tuple(self._s.cases.deadlines(detail.id))

    def _matter(self, record: CaseRecord) -> Matter:
        matter = self._s.catalogue.bundle(record.bundle_id, record.bundle_version).matter(record.matter_code)
        if matter is None:
            raise NotFoundError(
                _("Catalogue {bundle} version {version} has no matter {code}.").format(
                    bundle=record.bundle_id, version=record.bundle_version, code=record.matter_code
                )
            )
        return matter

    def _staff(self, record: CaseRecord) -> dict[str, str]:
        logins = {e.actor for e in record.events} | {record.assigned_mediator, current_mediator(record)}
        logins.discard("")
        with self._s.read() as s:
            rows = s.execute(select(User.login, User.full_name).where(User.login.in_(sorted(logins)))).all()
        return {login: name for login, name in rows if name}

    def _context(
        self, kind: Kind, ref: str, *, document_id: str, issued_at: dt.datetime | None
    ) -> tuple[CaseContext, CaseRecord]:
        record, deadlines = self._record(kind, ref)
        matter = self._matter(record)
        problem = unmet(kind, record, self._action_label(record), matter=matter)
        if problem is not None:
            raise ValidationError(problem, field="kind")
        issuer = self._issuer_for(kind, record, matter)
        ctx = CaseContext(
            case=record,
            matter=matter,
            office=issuer.name,
            issuer=issuer,
            document_id=document_id,
            issue_date=self.today(),
            issued_at=issued_at,
            deadlines=deadlines,
            staff=self._staff(record),
        )
        check_case_text(ctx)
        return ctx, record

    def _action_label(self, record: CaseRecord) -> Callable[[str], str] | None:
        try:
            labels = self._s.cases.labels(record)
        except Exception:  # labels are words only; never let them block the message
            return None
        return labels.action

    # --- drafts and issuing ------------------------------------------------------------------------
    def spec(self, kind: str, case_ref: str) -> DocumentSpec:
        """The document model of a draft (for previews that lay it out themselves, and for tests)."""
        return self._draft(kind, case_ref)[0]

    def _draft(self, kind: str, case_ref: str) -> tuple[DocumentSpec, CaseRecord]:
        if kind.strip() == GUIDE:
            raise ValidationError(
                _("A guide belongs to a matter, not to a case: print it with the matter's code."), field="kind"
            )
        found = get_kind(kind)
        ctx, record = self._context(found, case_ref, document_id="draft", issued_at=None)
        return found.spec(ctx), record

    def render(self, kind: str, case_ref: str) -> bytes:
        """A draft PDF: every page marked 草稿（未签发）, no seal; nothing is stored (the reading is audited)."""
        spec, record = self._draft(kind, case_ref)
        pdf = render(spec, DraftMark()).pdf
        with self._s.write("document.render", "case", record.id, {"kind": spec.kind}):
            pass
        return pdf

    def issue(self, kind: str, case_ref: str, *, reason: str = "") -> IssuedDocInfo:
        """Seal and store the document; a kind issued before gets the next version (``supersedes`` the last)."""
        require(self._s, "document.issue:" + kind, case_ref)  # the question the desk asks (permissions.may)
        found = get_kind(kind)
        now = self._s.now()
        doc_id = new_time_id(int(now.timestamp() * 1000))
        ctx, record = self._context(found, case_ref, document_id=doc_id, issued_at=now)
        not_yet = unmet_for_issue(found, record, self._action_label(record))
        if not_yet is not None:
            raise ValidationError(not_yet, field="kind")
        spec = found.spec(ctx)
        signer = self.keys.signer()
        from fzmediate.services.office_keys import fingerprint

        with self._s.write("document.issue", "case", record.id, {"kind": found.name}) as s:
            # The audit head read in the unit of work that stores the document: the document proves that the
            # chain had reached it (`fzmediate check --anchor`). Rendering inside keeps the two consistent.
            issued = issue_pdf(spec, signer, anchor=audit_head(s))
            previous = s.scalars(
                select(DocumentRow)
                .where(DocumentRow.case_id == record.id, DocumentRow.kind == found.name)
                .order_by(DocumentRow.version.desc())
                .limit(1)
            ).first()
            row = DocumentRow(
                id=doc_id,
                case_id=record.id,
                kind=found.name,
                version=previous.version + 1 if previous is not None else 1,
                supersedes=previous.id if previous is not None else None,
                title=spec.title,
                issue_date=ctx.issue_date,
                issued_at=now.astimezone(dt.UTC).replace(tzinfo=None),
                issued_by=self._s.actor.login,
                device=self._s.device_id,
                based_on_seq=record.events[-1].seq if record.events else 0,
                reason=reason.strip(),
                sha256=issued.sha256,
                size=len(issued.pdf),
                pages=issued.pages,
                signer=fingerprint(signer.certificate),
                pdf=issued.pdf,
            )
            s.add(row)
            s.flush()
            # By reference: the sealed bytes stay in this row and travel once, by their sha256 (fzmediate.sync.blobs).
            payload = row_fields(row, exclude=("pdf",))
            append_changes(
                s,
                [Change("document", row.id, Op.APPEND, 1, payload)],
                device_id=self._s.device_id,
                actor=self._s.actor.login,
                at=now,
            )
            info = self._info(row, record.number, current=True)
        log.info("document issued (%s, version %d)", found.name, info.version)
        return info

    # --- reading -------------------------------------------------------------------------------------
    @staticmethod
    def _info(row: DocumentRow, number: str, *, current: bool) -> IssuedDocInfo:
        return IssuedDocInfo(
            id=row.id,
            case_id=row.case_id,
            case_number=number,
            kind=row.kind,
            title=row.title,
            version=row.version,
            supersedes=row.supersedes,
            current=current,
            sha256=row.sha256,
            size=row.size,
            pages=row.pages,
            issue_date=row.issue_date,
            issued_at=row.issued_at,
            issued_by=row.issued_by,
            reason=row.reason,
        )

    def _rows(self, s: OrmSession, case_id: str) -> list[DocumentRow]:
        """Every document row of the case without its bytes loaded, in case-file order then version."""
        from sqlalchemy.orm import defer

        rows = list(
            s.scalars(select(DocumentRow).where(DocumentRow.case_id == case_id).options(defer(DocumentRow.pdf)))
        )
        return sorted(rows, key=lambda r: (_order(r.kind), r.version, r.issued_at))

    def list(self, case_ref: str) -> builtins.list[IssuedDocInfo]:
        """Every issued document of the case, every version, in case-file order (oldest version first)."""
        require(self._s, "document.list")
        with self._s.read() as s:
            case = self._resolve(s, case_ref)
            rows = self._rows(s, case.id)
            replaced = {r.supersedes for r in rows if r.supersedes}
            return [self._info(r, case.number, current=r.id not in replaced) for r in rows]

    def kinds(self, case_ref: str) -> builtins.list[KindStatus]:
        """Every kind for this case: whether it can be made now (and why not), and how many versions exist."""
        require(self._s, "document.list")
        with self._s.read() as s:
            case = self._resolve(s, case_ref)
            parties = s.scalars(select(PartyRow).where(PartyRow.case_id == case.id)).all()
            events = s.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case.id)).all()
            record = record_of(case, parties, events)
            counts = dict(
                s.execute(
                    select(DocumentRow.kind, func.count())
                    .where(DocumentRow.case_id == case.id)
                    .group_by(DocumentRow.kind)
                ).all()
            )
        label = self._action_label(record)
        matter = self._matter(record)
        out = []
        for name in sorted(KINDS, key=_order):
            kind = KINDS[name]
            problem = unmet(kind, record, label, matter=matter)
            lacks_limit = bool(kind.needs_limit) and matter.time_limit(kind.needs_limit) is None
            if problem is not None and (record.kind not in kind.case_kinds or lacks_limit):
                continue  # never for this case (another case kind, or a period its matter does not have)
            out.append(KindStatus(name, kind.title, problem is None, problem or "", int(counts.get(name, 0))))
        return out

    def get_pdf(self, doc_id: str) -> bytes:
        """The stored bytes of an issued document (checked against their SHA-256). Reading is audited."""
        require(self._s, "document.show")
        with self._s.write("document.show", "document", doc_id.strip()) as s:
            row = s.get(DocumentRow, doc_id.strip())
            if row is None:
                raise NotFoundError(_("No issued document with this id."))
            data = bytes(row.pdf)
            expected = row.sha256
        if hashlib.sha256(data).hexdigest() != expected:
            raise StoreDamagedError(_("The stored document does not match its recorded SHA-256; the store is damaged."))
        return data

    def verify(self, pdf: bytes, *, roots: Sequence[x509.Certificate] | None = None) -> VerifyResult:
        """Check a PDF: valid only if signed by an office certified by a district root (not by this store's
        own say-so: a self-issued office key gives ``not_certified``). `roots` is for tests only."""
        require(self._s, "document.verify")
        return verify_pdf(pdf, roots=roots)

    def guide(self, matter_code: str, *, public: bool = True) -> bytes:
        """The 申请指南 of a matter of the active catalogue, as printed at a desk or a kiosk (not sealed)."""
        require(self._s, "catalogue")
        matter = self._s.catalogue.show(matter_code)
        spec = guide_spec(matter, document_id="G-" + matter.code, issue_date=self.today(), public=public)
        return render_pdf(spec)

    # --- the case file -------------------------------------------------------------------------------
    def casefile(self, case_ref: str) -> bytes:
        """The 卷宗 (see `fzmediate.documents.casefile`): the current version of every issued document."""
        require(self._s, "document.casefile")
        detail = self._s.cases.get(case_ref)
        record = detail.record()
        matter = self._matter(record)
        with self._s.write("document.casefile", "case", record.id) as s:
            current = filed_rows(self._rows(s, record.id), record)
            if not current:
                raise ValidationError(
                    _("No document of case {number} has been issued yet; issue the documents first.").format(
                        number=record.number
                    ),
                    field="case",
                )
            filed = tuple(
                FiledDocument(
                    document_id=r.id,
                    kind=r.kind,
                    title=r.title,
                    version=r.version,
                    issue_date=r.issue_date,
                    sha256=r.sha256,
                    pages=r.pages,
                    pdf=bytes(r.pdf),
                )
                for r in current
            )
        for doc in filed:
            if hashlib.sha256(doc.pdf).hexdigest() != doc.sha256:
                raise StoreDamagedError(
                    _("The stored document does not match its recorded SHA-256; the store is damaged.")
                )
        staff = self._staff(record)
        closed = record.last_event("close")
        archived = record.last_event("archive")
        file_number = archived.payload.get("file_number") if archived is not None else ""
        compiler = staff.get(archived.actor, "") if archived is not None else ""
        data = CaseFileData(
            case_number=record.number,
            title="{0}案件卷宗".format(KIND_WORDS[record.kind]),
            matter=matter.name,
            summary=record.summary,
            office=self._s.organisation.desk_issuer().name,
            parties=tuple((ROLE_WORDS[p.role], p.name) for p in record.parties),
            received_on=record.received_on,
            compiled_on=self.today(),
            documents=filed,
            handler=staff.get(current_mediator(record), ""),
            closed_on=closed.on if closed is not None else None,
            archived_on=archived.on if archived is not None else None,
            file_number=file_number if isinstance(file_number, str) else "",
            result=closing_result(record),
            retention=retention_period(record),
            compiler=compiler,
        )
        return build_casefile(data)


def filed_rows(rows: Sequence[DocumentRow], record: CaseRecord) -> builtins.list[DocumentRow]:
    """The versions a case file holds: the current version of each kind, and for a kind whose versions each tell
    of one event (`Kind.per_event`) the latest version for each event (in case-file order)."""
    replaced = {r.supersedes for r in rows if r.supersedes}
    latest: dict[tuple[str, int], DocumentRow] = {}
    for row in rows:
        kind = KINDS.get(row.kind)
        if kind is not None and kind.per_event:
            latest[(row.kind, event_of(kind, record, row.based_on_seq))] = row  # rows come oldest version first
    kept = {r.id for r in latest.values()}
    return [r for r in rows if r.id in kept or (r.id not in replaced and r.kind not in _per_event_kinds())]


def _per_event_kinds() -> frozenset[str]:
    return frozenset(name for name, kind in KINDS.items() if kind.per_event)


def _order(kind: str) -> int:
    found = KINDS.get(kind)
    return found.order if found is not None else 1000


def kind_titles() -> Iterable[tuple[str, str]]:
    """(name, title) of every case kind in case-file order, then the guide."""
    for name in sorted(KINDS, key=_order):
        yield name, KINDS[name].title
    yield GUIDE, "申请指南"
