"""The documents panel's calls on a real encrypted store: kinds with their draft and issue state and reasons,
issue and re-issue (a reason required; the new version supersedes the old), the stored bytes, printing through
the audited print log, the printers, and parties + 1 copies. The print system is faked at its boundary only:
``printing._run`` (what ``lp``/``lpstat`` would be asked), so what reached ``lp`` can be checked."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fzmediate.desk import documents as docs
from fzmediate.desk.token import EventToken
from fzmediate.errors import ValidationError
from fzmediate.i18n import set_locale
from fzmediate.services import printing
from fzmediate.services.documents import DRAFT_MARK
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from tests.documents import case_lifecycles as life
from tests.documents.pdftools import pdftotext, squash

TOKEN = EventToken()  # as the DB worker passes it (never cancelled here)


@dataclass
class FakeLp:
    """The print system at its boundary: ``lpstat`` lists ``queues``, ``lp`` accepts and remembers each job."""

    queues: tuple[str, ...] = ("fz-pdf", "前台")
    default: str = "fz-pdf"
    jobs: list[tuple[list[str], bytes]] = field(default_factory=list)

    def __call__(
        self, args: Sequence[str], *, server: str | None, stdin: bytes | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        argv = list(args)
        if argv[:2] == ["lpstat", "-e"]:
            return subprocess.CompletedProcess(argv, 0, "\n".join(self.queues).encode() + b"\n", b"")
        if argv[:2] == ["lpstat", "-d"]:
            return subprocess.CompletedProcess(
                argv, 0, "system default destination: {0}\n".format(self.default).encode(), b""
            )
        assert argv[0] == "lp"
        queue = argv[argv.index("-d") + 1]
        if queue not in self.queues:
            return subprocess.CompletedProcess(argv, 1, b"", b"lp: The printer or class does not exist.\n")
        self.jobs.append((argv, stdin or b""))
        out = "request id is {0}-{1} (1 file(s))\n".format(queue, len(self.jobs)).encode()
        return subprocess.CompletedProcess(argv, 0, out, b"")

    def copies(self, job: int = -1) -> int:
        argv = self.jobs[job][0]
        return int(argv[argv.index("-n") + 1])


def fake_lp(monkeypatch: pytest.MonkeyPatch) -> FakeLp:
    lp = FakeLp()
    monkeypatch.setattr(printing, "_run", lp)
    monkeypatch.setattr(printing, "cups_available", lambda: True)
    return lp


@pytest.fixture
def lp(monkeypatch: pytest.MonkeyPatch) -> FakeLp:
    return fake_lp(monkeypatch)


@pytest.fixture
def med(initialized: Workspace) -> Iterator[Session]:
    set_locale("zh_CN")
    life.staff(initialized)
    with initialized.unlock(*life.MEDIATOR) as s:
        yield s


def sign(s: Session, case_id: str, applicant: str, respondent: str) -> None:
    life.step(s, case_id, "record_agreement", "2026-10-28", {"from_draft": True, "signed_by": [applicant, respondent]})


def test_the_panel_of_an_agreed_case_lists_its_kinds_versions_and_copies(med: Session) -> None:
    case_id = life.agreed_case(med)
    data = docs.panel(med, TOKEN, case_id)
    assert data.case_id == case_id and data.case_number
    # Applicant and respondent; the applicant's agent gets no copy of their own.
    assert data.parties == 2 and data.default_copies == 3 == docs.default_copies(med, TOKEN, case_id)
    agreement = data.kind("agreement")
    assert agreement is not None and agreement.title == "调解协议书" and agreement.can_draft
    assert agreement.may_issue and agreement.issue_reasons == ()
    current = agreement.current
    assert current is not None and current.version == 1 and not current.superseded
    assert current.pages == 3 and len(current.sha256_short) == docs.SHA_SHORT and current.issued_by == "med1"
    # Only kinds for a mediation: no adjudication decision.
    assert data.kind("decision") is None and data.kind("acceptance_notice") is not None
    assert data.print_log == ()


def test_an_agreement_is_drafted_printed_signed_then_issued_and_reissued(med: Session, lp: FakeLp) -> None:
    case_id, applicant, respondent = life.drafted_agreement(med)
    agreement = docs.panel(med, TOKEN, case_id).kind("agreement")
    assert agreement is not None and agreement.can_draft and not agreement.may_issue
    assert "调解协议书" in agreement.issue_reasons[0]
    with pytest.raises(ValidationError):
        docs.issue(med, TOKEN, case_id, "agreement")

    draft = docs.render_draft(med, TOKEN, case_id, "agreement")
    assert draft.document_id is None and draft.draft_mark == DRAFT_MARK and draft.parties == 2
    assert squash(DRAFT_MARK) in squash(pdftotext(draft.pdf))
    job = docs.print_document(med, TOKEN, case_id, "agreement", "fz-pdf", 3)
    assert job.copies == 3 and lp.copies() == 3 and lp.jobs[-1][1].startswith(b"%PDF-")

    sign(med, case_id, applicant, respondent)
    first = docs.issue(med, TOKEN, case_id, "agreement")
    assert first.version == 1 and first.reason == ""
    with pytest.raises(ValidationError) as again:
        docs.issue(med, TOKEN, case_id, "agreement")
    assert again.value.field == "kind"
    with pytest.raises(ValidationError) as empty:
        docs.reissue(med, TOKEN, case_id, "agreement", "   ")
    assert empty.value.field == "reason"
    second = docs.reissue(med, TOKEN, case_id, "agreement", "更正履行期限的笔误")
    assert (second.version, second.reason) == (2, "更正履行期限的笔误")

    data = docs.panel(med, TOKEN, case_id)
    agreement = data.kind("agreement")
    assert agreement is not None
    assert [(v.version, v.superseded) for v in agreement.versions] == [(1, True), (2, False)]
    log = data.print_log
    assert len(log) == 1 and log[0].draft and log[0].version is None and log[0].copies == 3
    assert log[0].printer == "fz-pdf" and log[0].job_id == "fz-pdf-1" and log[0].actor == "med1"


def test_a_reissue_needs_an_issued_version(med: Session) -> None:
    case_id, _applicant, _respondent = life.drafted_agreement(med)
    with pytest.raises(ValidationError) as refused:
        docs.reissue(med, TOKEN, case_id, "acceptance_notice", "补正")
    assert refused.value.field == "kind"
    with pytest.raises(ValidationError) as long:
        docs.reissue(med, TOKEN, case_id, "acceptance_notice", "长" * (docs.MAX_REASON + 1))
    assert long.value.field == "reason"


def test_an_issued_document_prints_as_its_stored_bytes_and_is_logged(med: Session, lp: FakeLp) -> None:
    case_id = life.agreed_case(med)
    version = docs.panel(med, TOKEN, case_id).kind("agreement")
    assert version is not None and version.current is not None
    stored = docs.issued_pdf(med, TOKEN, version.current.document_id)
    shown = docs.issued_document(med, TOKEN, case_id, version.current.document_id)
    assert shown.pdf == stored and shown.kind == "agreement" and shown.parties == 2 and not shown.draft_mark

    job = docs.print_document(med, TOKEN, case_id, version.current.document_id, "前台", 3)
    argv, sent = lp.jobs[-1]
    assert hashlib.sha256(sent).digest() == hashlib.sha256(stored).digest()
    assert argv[argv.index("-d") + 1] == "前台" and lp.copies() == 3 and job.pages == 3
    log = docs.panel(med, TOKEN, case_id).print_log
    assert [(e.document_id, e.version, e.copies, e.title) for e in log] == [
        (version.current.document_id, 1, 3, "调解协议书")
    ]


def test_the_printers_and_the_default_come_from_the_print_system(med: Session, lp: FakeLp) -> None:
    choices = docs.printers(med, TOKEN)
    assert choices == docs.PrinterChoices(("fz-pdf", "前台"), "fz-pdf")


def test_without_a_print_system_the_printers_say_why(
    med: Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no lp, no lpstat
    set_locale("en")
    choices = docs.printers(med, TOKEN)
    assert choices.printers == () and choices.default is None
    assert choices.problem == "The print system (CUPS) is not installed here."


def test_copies_are_one_per_party_and_one_for_the_file() -> None:
    assert [docs.copies_for(n) for n in (0, 1, 2, 3)] == [1, 2, 3, 4]
