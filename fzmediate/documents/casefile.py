"""The case file (卷宗): a cover, a table of contents, every issued document of a case and a back sheet, as one PDF.

The parts follow the 案卷 of GB/T 9705-2008 (文书档案案卷格式): the cover (案卷封面) states the case, the parties,
the issuing body, the result (结案方式), the retention period (保管期限), the file number, the number of documents
and pages, and who compiled the file (立卷人) and when (立卷日期); the table of contents (卷内目录) gives each
document's pages in the volume (卷内页次); the back sheet (卷内备考表) states the pages and notes on the volume,
with the compiler and a checker (检查人) signing. The documents are the exact pages that were issued, in
statutory order (the caller sorts them, see `fzmediate.documents.templates.kinds`). Every page of the volume —
cover, table, documents, back sheet — carries its page number in the volume at the top right corner (页号),
so that the numbering runs through the whole file; each document also keeps its own page numbers and its
per-page QR seals.

The table of contents also gives each document's id, version and issue date and the SHA-256 of the issued
file, so that every page can be traced back to the stored original. The PDF signatures of the originals do not
carry over into a combined file (they cover the original bytes), so their signature fields are removed here:
to check a document, verify the stored original (``fzmediate doc verify``). The volume has bookmarks.

Page ranges depend on how many pages the cover and the table take, so those are rendered until the count
settles (twice in practice).

The retention period (`retention_period`) is chosen from how the case ended, under 国家档案局令第8号
(机关文件材料归档范围和文书档案保管期限规定) 第八条 (永久, or 定期 30年 / 10年): a decision or a 调解书 that settles
a title or right in an adjudication is kept 永久; a mediation agreement 30年; a case that ended otherwise
(terminated, not accepted, transferred, withdrawn) 10年. This is a reading for the district's lawyer and
archivist to confirm (docs/legal-review.md).
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from fzmediate.documents import layout as L
from fzmediate.documents.errors import DocumentError
from fzmediate.documents.fonts import SONG, register_fonts
from fzmediate.documents.formatting import chinese_date
from fzmediate.documents.model import (
    Block,
    DocumentMeta,
    DocumentSpec,
    KeyValues,
    PageBreak,
    Paragraph,
    Signatory,
    Signatures,
    Table,
)
from fzmediate.documents.render import render
from fzmediate.domain.case import CaseKind, CaseRecord
from fzmediate.i18n import _

KIND = "casefile"
BACK_KIND = "casefile_back"
#: Where the volume's page number stands: the top right corner, clear of the QR seal (which ends at the text
#: block's right edge) — GB/T 9705: 页号 in the upper corner away from the binding.
STAMP_RIGHT_MM = 10.0
STAMP_TOP_MM = 14.0
PERMANENT, THIRTY_YEARS, TEN_YEARS = "永久", "30年", "10年"


@dataclass(frozen=True)
class FiledDocument:
    """One issued document as the case file holds it."""

    document_id: str
    kind: str
    title: str
    version: int
    issue_date: dt.date
    sha256: str
    pages: int
    pdf: bytes


@dataclass(frozen=True)
class CaseFileData:
    """What the cover states. ``parties``: (role, name) pairs in party order."""

    case_number: str
    title: str
    matter: str
    summary: str
    office: str
    parties: tuple[tuple[str, str], ...]
    received_on: dt.date
    compiled_on: dt.date
    documents: tuple[FiledDocument, ...]
    handler: str = ""
    closed_on: dt.date | None = None
    archived_on: dt.date | None = None
    file_number: str = ""
    #: 结案方式, e.g. 调解达成协议 (`closing_result`).
    result: str = ""
    #: 保管期限 (`retention_period`).
    retention: str = ""
    #: 立卷人: the name of the user who archived the case ("" until archived: written by hand).
    compiler: str = ""
    #: Notes for the back sheet (备考表), one per line.
    notes: tuple[str, ...] = ()


def closing_result(case: CaseRecord) -> str:
    """结案方式: how the case ended, from the last ending act on record ("" while none)."""
    for event in reversed(case.events):
        if event.action == "record_agreement":
            if case.kind is CaseKind.ADJUDICATION:
                return "调解结案（制作调解书）"
            return "部分达成调解协议" if event.payload.get("partial") is True else "调解达成协议"
        if event.action == "decide":
            return "作出行政裁决"
        if event.action == "terminate":
            return "终止调解"
        if event.action == "refuse":
            return "不予受理"
        if event.action == "transfer":
            return "移送有管辖权的机关"
        if event.action == "withdraw":
            return "申请人撤回申请"
    return ""


def retention_period(case: CaseRecord) -> str:
    """保管期限 under 国家档案局令第8号 第八条 (see module docs): 永久, 30年 or 10年."""
    ended = {e.action for e in case.events}
    if case.kind is CaseKind.ADJUDICATION and ended & {"decide", "record_agreement"}:
        return PERMANENT
    if case.kind is CaseKind.MEDIATION and "record_agreement" in ended:
        return THIRTY_YEARS
    return TEN_YEARS


def _hash_text(sha256: str) -> str:
    """64 hex digits in four groups, so that a table cell can break between them."""
    return " ".join(sha256[i : i + 16] for i in range(0, len(sha256), 16))


def front_spec(data: CaseFileData, starts: Sequence[int], total: int) -> DocumentSpec:
    """The cover and the table of contents, with each document's first page in the volume."""
    documents = data.documents
    rows: list[tuple[str, str]] = [
        ("案件编号", data.case_number),
        ("事项", data.matter),
        ("案由", data.summary or data.matter),
    ]
    for role, name in data.parties:
        rows.append((role, name))
    rows.append(("承办机关", data.office))
    if data.handler:
        rows.append(("承办人", data.handler))
    rows.append(("收案日期", chinese_date(data.received_on)))
    if data.closed_on is not None:
        rows.append(("结案日期", chinese_date(data.closed_on)))
    rows.append(("结案方式", data.result))
    if data.archived_on is not None:
        rows.append(("归档日期", chinese_date(data.archived_on)))
    rows.append(("卷宗号", data.file_number))
    rows.append(("保管期限", data.retention))
    rows.append(("卷内文书", "{0}份，本卷共{1}页".format(len(documents), total)))
    rows.append(("立卷人", data.compiler))
    rows.append(("立卷日期", chinese_date(data.archived_on) if data.archived_on is not None else ""))
    blocks: list[Block] = [KeyValues(tuple(rows)), PageBreak()]
    blocks.append(Paragraph("卷内文书目录", indent=False, align="center"))
    contents = []
    for number, (doc, start) in enumerate(zip(documents, starts, strict=True), start=1):
        end = start + doc.pages - 1
        pages = "{0}".format(start) if end == start else "{0}—{1}".format(start, end)
        title = doc.title if doc.version == 1 else "{0}（第{1}版）".format(doc.title, doc.version)
        contents.append((str(number), title, chinese_date(doc.issue_date), pages))
    blocks.append(Table(("序号", "文书名称", "签发日期", "卷内页次"), tuple(contents), (0.8, 4.2, 2.4, 1.6)))
    blocks.append(
        Paragraph(
            "卷内各文书为已签发文书的电子原件，逐页附二维码印章；各文书的电子签名以本机关存储的原件为准，"
            "可以按下表所列文书编号和SHA-256摘要核对。"
        )
    )
    hashes = tuple(
        (str(number), doc.document_id, _hash_text(doc.sha256)) for number, doc in enumerate(documents, start=1)
    )
    blocks.append(Table(("序号", "文书编号", "SHA-256摘要"), hashes, (0.8, 3.4, 4.8)))
    meta = DocumentMeta(
        document_id="casefile-" + data.case_number,
        issue_date=data.compiled_on,
        case_number=data.case_number,
        issuer=data.office,
        subject="卷宗 " + data.case_number,
    )
    return DocumentSpec(KIND, data.title, tuple(blocks), meta, number=data.case_number)


def back_spec(data: CaseFileData, total: int) -> DocumentSpec:
    """The back sheet (卷内备考表): pages, notes, the compiler and the checker."""
    blocks: list[Block] = [
        Paragraph("本卷情况说明：", indent=False),
        Paragraph(
            "本卷共有文书{0}份，连同封面、卷内目录和本表共{1}页，页号标注在每页右上角。".format(
                len(data.documents), total
            )
        ),
        Paragraph("卷内文书为本机关签发文书的电子原件，各文书的电子签名以本机关存储的原件为准。"),
    ]
    blocks += [Paragraph(note) for note in data.notes if note.strip()]
    blocks.append(
        Signatures((Signatory("立卷人", name=data.compiler, note="（签名）"), Signatory("检查人", note="（签名）")))
    )
    meta = DocumentMeta(
        document_id="casefile-back-" + data.case_number,
        issue_date=data.compiled_on,
        case_number=data.case_number,
        issuer=data.office,
        subject="卷内备考表 " + data.case_number,
    )
    return DocumentSpec(BACK_KIND, "卷内备考表", tuple(blocks), meta, number=data.case_number)


def _stamps(sizes: Sequence[tuple[float, float]]) -> bytes:
    """One page per volume page, blank but for its number in the volume at the top right corner."""
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, initialFontName=SONG, initialFontSize=L.SIZE_XIAO4)
    for number, (width, height) in enumerate(sizes, start=1):
        canvas.setPageSize((width, height))
        canvas.setFont(SONG, L.SIZE_XIAO4)
        canvas.drawRightString(width - STAMP_RIGHT_MM * L.MM, height - STAMP_TOP_MM * L.MM, str(number))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _starts(front: int, documents: Sequence[FiledDocument]) -> list[int]:
    starts, page = [], front + 1
    for doc in documents:
        starts.append(page)
        page += doc.pages
    return starts


def build_casefile(data: CaseFileData) -> bytes:
    """The whole volume as one PDF (see module docs)."""
    import pikepdf

    if not data.documents:
        raise DocumentError(_("A case file needs at least one issued document."))
    body_pages = sum(d.pages for d in data.documents)
    front_pages, back_pages = 1, 1
    front_pdf = back_pdf = b""
    for _attempt in range(4):
        starts = _starts(front_pages, data.documents)
        total = front_pages + body_pages + back_pages
        rendered = render(front_spec(data, starts, total))
        back = render(back_spec(data, total))
        front_pdf, back_pdf = rendered.pdf, back.pdf
        if rendered.pages == front_pages and back.pages == back_pages:
            break
        front_pages, back_pages = rendered.pages, back.pages
    else:  # pragma: no cover - the page count of a table of contents settles after one correction
        raise DocumentError(_("The table of contents of the case file could not be laid out."))
    out = pikepdf.new()
    sources = [pikepdf.open(io.BytesIO(front_pdf))]
    out.pages.extend(sources[0].pages)
    firsts: list[int] = []
    for doc in data.documents:
        source = pikepdf.open(io.BytesIO(doc.pdf))
        sources.append(source)
        if len(source.pages) != doc.pages:
            raise DocumentError(_("A stored document does not have the page count recorded for it."))
        firsts.append(len(out.pages))
        with warnings.catch_warnings():
            # pikepdf warns that form fields do not carry over: the only ones are the signature fields,
            # dropped below on purpose (see module docs).
            warnings.simplefilter("ignore")
            out.pages.extend(source.pages)
    back_source = pikepdf.open(io.BytesIO(back_pdf))
    sources.append(back_source)
    back_first = len(out.pages)
    out.pages.extend(back_source.pages)
    for page in out.pages:
        _drop_signature_widgets(page)
    sizes = [(float(p.mediabox[2] - p.mediabox[0]), float(p.mediabox[3] - p.mediabox[1])) for p in out.pages]
    stamps = pikepdf.open(io.BytesIO(_stamps(sizes)))
    sources.append(stamps)
    for page, stamp in zip(out.pages, stamps.pages, strict=True):
        page.add_overlay(stamp, None)
    with out.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("封面及目录", 0))
        for doc, first in zip(data.documents, firsts, strict=True):
            title = doc.title if doc.version == 1 else "{0}（第{1}版）".format(doc.title, doc.version)
            outline.root.append(pikepdf.OutlineItem(title, first))
        outline.root.append(pikepdf.OutlineItem("卷内备考表", back_first))
    out.docinfo[pikepdf.Name.Title] = data.title + " " + data.case_number
    out.docinfo[pikepdf.Name.Creator] = "fzmediate"
    out.docinfo[pikepdf.Name.Producer] = "fzmediate"
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True)
    for source in sources:
        source.close()
    return buffer.getvalue()


def _drop_signature_widgets(page: object) -> None:
    """Remove signature fields' widgets: they point at signatures over another file's bytes."""
    import pikepdf

    assert isinstance(page, pikepdf.Page)
    annots = page.obj.get(pikepdf.Name.Annots)
    if not isinstance(annots, pikepdf.Array):
        return
    kept = [a for a in annots if not (isinstance(a, pikepdf.Dictionary) and a.get(pikepdf.Name.FT) == pikepdf.Name.Sig)]
    if len(kept) == len(annots):
        return
    if kept:
        page.obj[pikepdf.Name.Annots] = pikepdf.Array(kept)
    else:
        del page.obj[pikepdf.Name.Annots]
