"""The case file (卷宗): a cover, a table of contents and every issued document of a case, as one PDF.

The cover and the table of contents are rendered like any document (GB/T 9704 pages); the documents follow
as the exact pages that were issued, in statutory order (the caller sorts them, see
`fzmediate.documents.templates.kinds`). The table of contents gives each document's pages in the volume
(卷内页次), its id, version and issue date, and the SHA-256 of the issued file, so that every page can be
traced back to the stored original. Each document keeps its own page numbers and its per-page QR seals;
the PDF signatures of the originals do not carry over into a combined file (they cover the original bytes),
so their signature fields are removed here: to check a document, verify the stored original
(``fzmediate doc verify``), whose hash the table of contents names. The volume has bookmarks per document.

Page ranges depend on how many pages the cover and the table take, so those are rendered until the count
settles (twice in practice).
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from fzmediate.documents.errors import DocumentError
from fzmediate.documents.formatting import chinese_date
from fzmediate.documents.model import (
    Block,
    DocumentMeta,
    DocumentSpec,
    KeyValues,
    PageBreak,
    Paragraph,
    Table,
)
from fzmediate.documents.render import render
from fzmediate.i18n import _

KIND = "casefile"


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
    if data.archived_on is not None:
        rows.append(("归档日期", chinese_date(data.archived_on)))
    if data.file_number:
        rows.append(("卷宗号", data.file_number))
    rows.append(("卷内文书", "{0}份，本卷共{1}页".format(len(documents), total)))
    rows.append(("立卷日期", chinese_date(data.compiled_on)))
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
    front_pages = 1
    front_pdf = b""
    for _attempt in range(4):
        starts = _starts(front_pages, data.documents)
        rendered = render(front_spec(data, starts, front_pages + body_pages))
        front_pdf = rendered.pdf
        if rendered.pages == front_pages:
            break
        front_pages = rendered.pages
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
    for page in out.pages:
        _drop_signature_widgets(page)
    with out.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("封面及目录", 0))
        for doc, first in zip(data.documents, firsts, strict=True):
            title = doc.title if doc.version == 1 else "{0}（第{1}版）".format(doc.title, doc.version)
            outline.root.append(pikepdf.OutlineItem(title, first))
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
