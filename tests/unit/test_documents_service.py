"""``session.documents``: drafts, issuing (sealed, stored, versioned, one transaction), verification, the office
key, who may do what, and what is refused (naming what is missing).

The cases are the synthetic lifecycles of tests/documents/case_lifecycles.py, run once per module on a real
temp store (fast KDF, the test clock's today 2026-11-29).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import func, select, text

from fzmediate.documents import verify
from fzmediate.documents.errors import MissingGlyphError
from fzmediate.errors import NotFoundError, PermissionDenied, ValidationError
from fzmediate.i18n import set_locale
from fzmediate.services.documents import DRAFT_MARK
from fzmediate.services.office_keys import certificates_path, read_certificates
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import AuditEvent, DocumentRow, OfficeKeyRow, OutboxEntry
from tests.cases_support import RESPONDENT_ID, intake, person
from tests.documents import case_lifecycles as life
from tests.documents.pdftools import pdftotext, squash
from tests.support import ADMIN_PW, FAST_KDF, FakeClock


@dataclass(frozen=True)
class Store:
    ws: Workspace
    cases: life.Cases
    data: Path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    set_locale("zh_CN")
    data = tmp_path_factory.mktemp("documents") / "data"
    ws = Workspace(data, kdf=FAST_KDF, clock=FakeClock())
    ws.initialize("admin", ADMIN_PW, full_name="管理员")
    cases = life.run_all(ws)
    return Store(ws, cases, data)


@pytest.fixture
def med(store: Store) -> Iterator[Session]:
    with store.ws.unlock(*life.MEDIATOR) as s:
        yield s


def documents(s: Session) -> int:
    with s.read() as r:
        return int(r.scalar(select(func.count()).select_from(DocumentRow)) or 0)


def test_issue_stores_sealed_bytes_with_audit_and_outbox(med: Session, store: Store) -> None:
    case = store.cases.failed
    before = documents(med)
    info = med.documents.issue("termination_notice", case)
    assert (info.kind, info.version, info.supersedes, info.current) == ("termination_notice", 1, None, True)
    assert info.title == "终止调解通知书" and info.issue_date == date(2026, 11, 29) and info.issued_by == "med1"
    pdf = med.documents.get_pdf(info.id)
    assert hashlib.sha256(pdf).hexdigest() == info.sha256 and len(pdf) == info.size
    assert documents(med) == before + 1
    result = med.documents.verify(pdf)  # the store's own key is self-issued: intact, not certified
    assert (
        result.intact
        and result.reason == verify.NOT_CERTIFIED
        and result.document_id == info.id
        and result.case_number == info.case_number
    )
    assert result.signer == life.OFFICE
    with med.read() as r:
        audit = list(r.scalars(select(AuditEvent.details).where(AuditEvent.action == "document.issue")))
        outbox = r.scalars(select(OutboxEntry).where(OutboxEntry.entity_id == info.id)).one()
        entity, op, payload = outbox.entity, outbox.op, dict(outbox.payload)
    assert any(json.loads(details) == {"kind": "termination_notice"} for details in audit)
    assert life.APPLICANT not in "".join(audit)  # the audit log holds no personal data
    assert (entity, op) == ("document", "append")
    # By reference: the bytes stay in the row and travel once as a blob (fzmediate.sync.blobs), never inline.
    assert "pdf" not in payload and (payload["sha256"], payload["size"]) == (info.sha256, len(pdf))


def test_reissue_makes_version_2_pointing_to_version_1_and_keeps_the_old_bytes(store: Store) -> None:
    case = store.cases.adjudicated
    with store.cases.land.unlock(*life.MEDIATOR) as med:
        _reissue(med, case)


def _reissue(med: Session, case: str) -> None:
    first = med.documents.issue("decision", case)
    old = med.documents.get_pdf(first.id)
    second = med.documents.issue("decision", case, reason="更正笔误")
    assert (second.version, second.supersedes, second.reason) == (2, first.id, "更正笔误")
    assert second.id != first.id and second.sha256 != first.sha256
    assert med.documents.get_pdf(first.id) == old
    listed = {(d.kind, d.version): d for d in med.documents.list(case)}
    assert not listed[("decision", 1)].current and listed[("decision", 2)].current
    assert med.documents.verify(old).intact and med.documents.verify(med.documents.get_pdf(second.id)).intact


def test_issued_rows_are_append_only(med: Session, store: Store) -> None:
    info = med.documents.issue("receipt", store.cases.refused)
    for statement in ("UPDATE documents SET title = 'x'", "DELETE FROM documents"):
        with pytest.raises(Exception, match="append-only"), med.write("test", "document", info.id) as s:
            s.execute(text(statement))
    assert med.documents.get_pdf(info.id)


def test_a_changed_byte_or_an_unknown_key_is_invalid(med: Session, store: Store) -> None:
    info = med.documents.issue("transfer_notice", store.cases.transferred)
    data = bytearray(med.documents.get_pdf(info.id))
    at = data.find(b"/Producer")
    data[at + 12] ^= 0x01
    result = med.documents.verify(bytes(data))
    assert not result.valid and result.reason == verify.ALTERED


def test_the_office_key_lives_in_the_store_and_its_certificate_is_exported(med: Session, store: Store) -> None:
    med.documents.issue("application", store.cases.refused)
    with med.read() as r:
        keys = r.execute(select(OfficeKeyRow.common_name, OfficeKeyRow.fingerprint).where(OfficeKeyRow.active)).all()
    assert len(keys) == 1 and keys[0][0] == life.OFFICE
    exported = read_certificates(certificates_path(store.data))
    assert keys[0][1] in {hashlib.sha256(c.public_bytes(_der())).hexdigest() for c in exported}
    for path in store.data.rglob("*"):
        if path.is_file():
            assert b"PRIVATE KEY" not in path.read_bytes(), path.name  # never in a plain file
    # The exported file is for information: it never makes a document valid (docs/trust.md).
    pdf = med.documents.get_pdf(med.documents.list(store.cases.refused)[0].id)
    assert verify.verify_pdf(pdf).reason == verify.NOT_CERTIFIED


def _der() -> Encoding:
    return Encoding.DER


def test_a_draft_is_marked_and_stores_nothing(med: Session, store: Store) -> None:
    before = documents(med)
    pdf = med.documents.render("acceptance_notice", store.cases.agreed)
    assert squash(DRAFT_MARK) in squash(pdftotext(pdf, "-raw"))
    assert not med.documents.verify(pdf).valid  # a draft is not signed
    assert documents(med) == before


def test_a_kind_is_refused_naming_what_is_missing(med: Session, store: Store) -> None:
    before = documents(med)
    with pytest.raises(ValidationError, match="达成调解协议") as caught:
        med.documents.issue("agreement", store.cases.refused)
    assert "调解协议书" in caught.value.message
    with pytest.raises(ValidationError, match="无争议事实确认书"):
        med.documents.render("undisputed_facts", store.cases.agreed)
    with pytest.raises(ValidationError, match="行政裁决书"):
        med.documents.render("decision", store.cases.agreed)
    with pytest.raises(NotFoundError, match="judicial_confirmation"):
        med.documents.render("settlement", store.cases.agreed)
    with pytest.raises(ValidationError):
        med.documents.render("guide", store.cases.agreed)
    assert documents(med) == before


def test_kinds_say_what_can_be_made_now(med: Session, store: Store) -> None:
    kinds = {k.name: k for k in med.documents.kinds(store.cases.refused)}
    assert kinds["refusal_notice"].available and not kinds["acceptance_notice"].available
    assert "受理" in kinds["acceptance_notice"].reason
    assert "decision" not in kinds  # an adjudication kind is not offered for a mediation case


def test_a_character_no_font_has_is_refused_with_its_field(med: Session) -> None:
    case = med.cases.create(
        intake(
            received_on="2026-11-27",
            parties=[person(name="李\U00030000"), person("respondent", life.RESPONDENT, id_number=RESPONDENT_ID)],
        ),
        confirm_duplicate=True,
    )
    with pytest.raises(MissingGlyphError) as caught:
        med.documents.render("application", case.id)
    assert "U+30000" in caught.value.message


def test_the_receipt_of_a_kiosk_application_is_masked_and_names_the_channel(store: Store) -> None:
    with store.ws.unlock(*life.MEDIATOR) as s:
        mine = s.cases.create(life.mediation_intake("2026-11-29"), channel="kiosk", confirm_duplicate=True)
        receipt = s.documents.render("receipt", mine.id)
        printed = squash(pdftotext(receipt))
        assert "收件回执" in printed and "王某" in printed and life.APPLICANT not in printed
        assert life.APPLICANT_PHONE not in printed and "（自助服务终端）" in printed


def test_changing_the_desk_unit_rotates_the_key_and_old_documents_still_verify(store: Store) -> None:
    with store.ws.unlock("admin", ADMIN_PW) as s:
        s.organisation.set_desk_unit(life.OFFICE_UNIT)
    with store.ws.unlock(*life.MEDIATOR) as s:
        old = s.documents.issue("consent_request", store.cases.agreed)
        old_pdf = s.documents.get_pdf(old.id)
        with pytest.raises(PermissionDenied):  # only an administrator chooses the desk's unit
            s.organisation.set_desk_unit("PS-JD-ML")
    with store.ws.unlock("admin", ADMIN_PW) as s:
        s.organisation.set_desk_unit("PS-JD-ML")
        with pytest.raises(PermissionDenied):  # an administrator holds no share of the office key
            s.documents.issue("consent_request", store.cases.agreed)
    with store.ws.unlock(*life.MEDIATOR) as s:
        new = s.documents.issue("consent_request", store.cases.agreed)
        assert s.documents.verify(s.documents.get_pdf(new.id)).signer == "深圳市坪山区马峦街道办事处"
        assert s.documents.verify(old_pdf).intact
        assert "深圳市坪山区马峦街道办事处" in squash(pdftotext(s.documents.get_pdf(new.id)))
    with store.ws.unlock("admin", ADMIN_PW) as s:
        s.organisation.set_desk_unit(life.OFFICE_UNIT)
    assert len(read_certificates(certificates_path(store.data))) >= 2


def test_the_guide_needs_no_case(med: Session) -> None:
    pdf = med.documents.guide("PS-TJ-007")
    assert "物业管理纠纷行政调解申请指南" in squash(pdftotext(pdf))
    with pytest.raises(NotFoundError):
        med.documents.guide("PS-XX-999")


def test_a_case_file_needs_an_issued_document(med: Session) -> None:
    case = med.cases.create(life.mediation_intake("2026-11-27"), confirm_duplicate=True)
    with pytest.raises(ValidationError, match=r"issue|签发"):
        med.documents.casefile(case.id)
