"""The case file (卷宗): cover, table of contents and every current issued document in statutory order."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
import pypdf
import pytest

from fzmediate.documents.templates.kinds import KINDS
from fzmediate.i18n import set_locale
from fzmediate.services.documents import IssuedDocInfo
from fzmediate.services.workspace import Workspace
from tests.documents import case_lifecycles as life
from tests.documents.pdftools import pdffonts, pdftotext, squash
from tests.documents.test_new_kinds import _desk
from tests.support import ADMIN_PW, FAST_KDF, FakeClock

#: What the agreed case requires before archiving (it issues these itself).
REQUIRED = (
    "application",
    "acceptance_notice",
    "consent_request",
    "rights_notice",
    "mediation_record",
    "agreement",
    "follow_up_record",
)
#: Issued in a scrambled order on purpose: the case file sorts them.
ISSUE_ORDER = ("agreement", "rights_notice", "application", "judicial_confirmation", "receipt", "acceptance_notice")


@dataclass(frozen=True)
class Volume:
    pdf: bytes
    current: list[IssuedDocInfo]
    superseded: IssuedDocInfo
    number: str


@pytest.fixture(scope="module")
def volume(tmp_path_factory: pytest.TempPathFactory) -> Volume:
    set_locale("zh_CN")
    ws = Workspace(tmp_path_factory.mktemp("casefile") / "data", kdf=FAST_KDF, clock=FakeClock())
    ws.initialize("admin", ADMIN_PW, full_name="管理员")
    life.staff(ws)
    _desk(ws)
    with ws.unlock(*life.MEDIATOR) as s:
        case = life.agreed_case(s)
        issued = {kind: s.documents.issue(kind, case) for kind in ISSUE_ORDER}
        second = s.documents.issue("agreement", case, reason="更正履行地点")
        pdf = s.documents.casefile(case)
        current = [d for d in s.documents.list(case) if d.current]
        number = s.cases.get(case).number
    assert second.supersedes == issued["agreement"].id
    return Volume(pdf, current, issued["agreement"], number)


def _agreement(volume: Volume) -> IssuedDocInfo:
    found = next(d for d in volume.current if d.kind == "agreement")
    assert found.version >= 2 and found.supersedes == volume.superseded.id
    return found


def _starts(volume: Volume) -> tuple[int, list[int]]:
    total = len(pypdf.PdfReader(io.BytesIO(volume.pdf)).pages)
    body = sum(d.pages for d in volume.current)
    front = total - body - 1  # the back sheet (备考表) closes the volume
    starts, page = [], front + 1
    for doc in volume.current:
        starts.append(page)
        page += doc.pages
    return front, starts


def test_every_current_document_is_in_statutory_order(volume: Volume) -> None:
    kinds = [d.kind for d in volume.current]
    assert kinds == sorted(kinds, key=lambda k: KINDS[k].order)
    # The agreed case issued what archiving required; the fixture issued the rest (and some again).
    assert set(kinds) == set(ISSUE_ORDER) | set(REQUIRED) and len(kinds) == len(set(kinds))
    assert volume.superseded.id not in {d.id for d in volume.current}


def test_page_count_is_the_front_matter_plus_every_document(volume: Volume) -> None:
    front = _starts(volume)[0]
    assert 2 <= front <= 3  # cover, then the table of contents
    cover = squash(pdftotext(volume.pdf, "-f", "1", "-l", "1"))
    total = front + sum(d.pages for d in volume.current) + 1
    assert "行政调解案件卷宗" in cover and volume.number in cover
    assert "卷内文书：{0}份，本卷共{1}页".format(len(volume.current), total) in cover
    assert "卷宗号：坪山调档2026-001" in cover and "结案日期：2026年11月23日" in cover


def test_the_table_of_contents_lists_each_document_with_its_pages(volume: Volume) -> None:
    front, starts = _starts(volume)
    contents = squash(pdftotext(volume.pdf, "-raw", "-f", "2", "-l", str(front)))
    positions = []
    for number, (doc, start) in enumerate(zip(volume.current, starts, strict=True), start=1):
        end = start + doc.pages - 1
        pages = str(start) if end == start else "{0}—{1}".format(start, end)
        title = doc.title if doc.version == 1 else "{0}（第{1}版）".format(doc.title, doc.version)
        row = "{0}{1}2026年11月29日{2}".format(number, title, pages)
        assert row in contents, row
        positions.append(contents.index(row))
        assert doc.id in contents
        assert doc.sha256[:16] in contents
    assert positions == sorted(positions)
    assert "调解协议书（第{0}版）".format(_agreement(volume).version) in contents


def test_each_document_starts_where_the_contents_say(volume: Volume) -> None:
    _front, starts = _starts(volume)
    for doc, start in zip(volume.current, starts, strict=True):
        page = squash(pdftotext(volume.pdf, "-f", str(start), "-l", str(start)))
        assert doc.title in page, (doc.kind, start)


def test_bookmarks_and_seals_stay_and_signature_fields_go(volume: Volume) -> None:
    with pikepdf.open(io.BytesIO(volume.pdf)) as pdf:
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        sealed = sum(1 for page in pdf.pages if "/FZSeal" in page.obj)
        widgets = [a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.get("/FT") == pikepdf.Name.Sig]
    assert titles[0] == "封面及目录" and titles[-1] == "卷内备考表" and len(titles) == len(volume.current) + 2
    assert "调解协议书（第{0}版）".format(_agreement(volume).version) in titles
    assert sealed == sum(d.pages for d in volume.current)
    assert not widgets
    assert all(f["emb"] == "yes" for f in pdffonts(volume.pdf))
