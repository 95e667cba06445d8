"""The 卷宗 as GB/T 9705 has it: a cover with the result, the retention period, the compiler and the date of
compiling, a table of contents with page ranges, the documents, and a back sheet (备考表) — with page numbers
running through the whole volume, each in the top right corner of its page.

One agreed property-fee mediation (synthetic people) runs through the services: every required document is
issued, the case is closed and archived by the mediator, and the volume is built.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pypdf
import pytest

from fzmediate.documents.casefile import STAMP_RIGHT_MM, STAMP_TOP_MM, closing_result, retention_period
from fzmediate.domain.case import CaseEvent, CaseKind, CaseRecord
from fzmediate.i18n import set_locale
from fzmediate.services.documents import IssuedDocInfo
from fzmediate.services.workspace import Workspace
from tests.documents import case_lifecycles as life
from tests.documents.pdftools import pdftotext, squash
from tests.documents.test_new_kinds import _desk
from tests.support import ADMIN_PW, FAST_KDF, FakeClock

MM = 72.0 / 25.4


@dataclass(frozen=True)
class Volume:
    pdf: bytes
    documents: list[IssuedDocInfo]
    number: str
    pages: int


def _agreed(ws: Workspace) -> str:
    with ws.unlock(*life.MEDIATOR) as s:
        case_id, applicant, respondent = life._prepare(s, "2026-10-09")
        life.step(
            s, case_id, "hold_session", "2026-10-20", {"summary": "第一次调解", "present": [applicant, respondent]}
        )
        terms = [
            {"obligor": respondent, "obligee": applicant, "content": "退还多收的物业服务费", "amount": "1200.00",
             "manner": "银行转账", "place": "深圳市坪山区", "deadline": "2026-11-30"},
        ]  # fmt: skip
        life.step(
            s, case_id, "record_agreement", "2026-10-27",
            {"facts_and_disputes": "双方对退费数额有争议。", "terms": terms, "signed_by": [applicant, respondent]},
        )  # fmt: skip
        life.step(
            s, case_id, "remind_judicial_confirmation", "2026-10-27",
            {"parties": [applicant, respondent], "court": "深圳市坪山区人民法院"},
        )  # fmt: skip
        life.step(s, case_id, "follow_up", "2026-11-20", {"performance": "performed"})
        life.step(s, case_id, "close", "2026-11-23")
        life.issue_required(s, case_id)
        life.step(s, case_id, "archive", "2026-11-27", {"file_number": "坪山调档2026-009"})
    return case_id


@pytest.fixture(scope="module")
def volume(tmp_path_factory: pytest.TempPathFactory) -> Volume:
    set_locale("zh_CN")
    ws = Workspace(tmp_path_factory.mktemp("casefile-cover") / "data", kdf=FAST_KDF, clock=FakeClock())
    ws.initialize("admin", ADMIN_PW, full_name="管理员")
    life.staff(ws)
    _desk(ws)
    case_id = _agreed(ws)
    with ws.unlock(*life.MEDIATOR) as s:
        pdf = s.documents.casefile(case_id)
        documents = [d for d in s.documents.list(case_id) if d.current]
        number = s.cases.get(case_id).number
    return Volume(pdf, documents, number, len(pypdf.PdfReader(io.BytesIO(pdf)).pages))


def _front(volume: Volume) -> int:
    return volume.pages - sum(d.pages for d in volume.documents) - 1


def _corner(pdf: bytes, page: int) -> str:
    """The text in the top right corner of ``page`` (where the volume's page number stands), at 72 dpi."""
    width = 210 * MM
    box = ("-x", str(int(width - 30 * MM)), "-y", "0", "-W", str(int(30 * MM)), "-H", str(int((STAMP_TOP_MM + 4) * MM)))
    return squash(pdftotext(pdf, "-f", str(page), "-l", str(page), "-r", "72", *box))


def test_the_cover_states_result_retention_compiler_and_dates(volume: Volume) -> None:
    cover = squash(pdftotext(volume.pdf, "-f", "1", "-l", "1"))
    for row in (
        "行政调解案件卷宗",
        volume.number,
        "结案方式：调解达成协议",
        "结案日期：2026年11月23日",
        "归档日期：2026年11月27日",
        "卷宗号：坪山调档2026-009",
        "保管期限：30年",
        "卷内文书：{0}份，本卷共{1}页".format(len(volume.documents), volume.pages),
        "立卷人：" + life.MEDIATOR_NAME,
        "立卷日期：2026年11月27日",
    ):
        assert squash(row) in cover, row


def test_every_required_document_is_filed(volume: Volume) -> None:
    kinds = {d.kind for d in volume.documents}
    assert {"application", "acceptance_notice", "rights_notice", "mediation_record", "agreement"} <= kinds
    assert "follow_up_record" in kinds and "consent_request" in kinds


def test_page_numbers_run_through_cover_contents_documents_and_back_sheet(volume: Volume) -> None:
    for page in range(1, volume.pages + 1):
        assert _corner(volume.pdf, page) == str(page), page
    assert STAMP_RIGHT_MM < 26  # right of the QR seal, which ends at the text block's right edge (26 mm in)


def test_the_contents_give_page_ranges_that_match_the_documents(volume: Volume) -> None:
    front = _front(volume)
    contents = squash(pdftotext(volume.pdf, "-raw", "-f", "2", "-l", str(front)))
    page = front + 1
    for number, doc in enumerate(volume.documents, start=1):
        end = page + doc.pages - 1
        pages = str(page) if end == page else "{0}—{1}".format(page, end)
        assert "{0}{1}".format(number, doc.title) in contents
        assert pages in contents
        assert doc.title in squash(pdftotext(volume.pdf, "-f", str(page), "-l", str(page)))
        page = end + 1


def test_the_back_sheet_closes_the_volume(volume: Volume) -> None:
    last = squash(pdftotext(volume.pdf, "-f", str(volume.pages), "-l", str(volume.pages)))
    for text in (
        "卷内备考表",
        "本卷共有文书{0}份，连同封面、卷内目录和本表共{1}页".format(len(volume.documents), volume.pages),
        "立卷人：" + life.MEDIATOR_NAME,
        "检查人",
    ):
        assert squash(text) in last, text


def _record(kind: CaseKind, *actions: str, **payload: object) -> CaseRecord:
    at = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
    events = tuple(
        CaseEvent(i, a, dt.date(2026, 10, 1), at, "med1", "test", dict(payload)) for i, a in enumerate(actions, 1)
    )
    return CaseRecord(
        "c", "N-1", kind, "M", "b", 1, "p", "archived", dt.date(2026, 10, 1), "", "", "", (), events=events
    )


@pytest.mark.parametrize(
    ("kind", "actions", "payload", "result", "retention"),
    [
        (CaseKind.MEDIATION, ("register", "accept", "record_agreement"), {}, "调解达成协议", "30年"),
        (CaseKind.MEDIATION, ("register", "accept", "record_agreement"), {"partial": True}, "部分达成调解协议", "30年"),
        (CaseKind.MEDIATION, ("register", "accept", "terminate"), {}, "终止调解", "10年"),
        (CaseKind.MEDIATION, ("register", "refuse"), {}, "不予受理", "10年"),
        (CaseKind.MEDIATION, ("register", "transfer"), {}, "移送有管辖权的机关", "10年"),
        (CaseKind.MEDIATION, ("register", "accept", "withdraw"), {}, "申请人撤回申请", "10年"),
        (CaseKind.ADJUDICATION, ("register", "accept", "decide"), {}, "作出行政裁决", "永久"),
        (CaseKind.ADJUDICATION, ("register", "accept", "record_agreement"), {}, "调解结案（制作调解书）", "永久"),
        (CaseKind.ADJUDICATION, ("register", "accept", "withdraw"), {}, "申请人撤回申请", "10年"),
    ],
)
def test_result_and_retention_follow_how_the_case_ended(
    kind: CaseKind, actions: tuple[str, ...], payload: dict[str, object], result: str, retention: str
) -> None:
    record = _record(kind, *actions, **payload)
    assert closing_result(record) == result
    assert retention_period(record) == retention


def test_the_volume_keeps_one_notice_per_event_and_the_current_version_of_the_rest() -> None:
    from fzmediate.services.documents import filed_rows
    from fzmediate.store.models import DocumentRow

    case = _record(CaseKind.MEDIATION, "register", "accept", "extend_period", "hold_session", "extend_period")
    rows = [
        DocumentRow(id="a1", kind="acceptance_notice", version=1, supersedes=None, based_on_seq=2),
        DocumentRow(id="a2", kind="acceptance_notice", version=2, supersedes="a1", based_on_seq=4),
        DocumentRow(id="e1", kind="extension_notice", version=1, supersedes=None, based_on_seq=3),
        DocumentRow(id="e2", kind="extension_notice", version=2, supersedes="e1", based_on_seq=3),  # corrected
        DocumentRow(id="e3", kind="extension_notice", version=3, supersedes="e2", based_on_seq=5),  # 2nd extension
    ]
    assert [r.id for r in filed_rows(rows, case)] == ["a2", "e2", "e3"]
