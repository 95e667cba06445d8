"""Turn a `DocumentSpec` into PDF bytes: GB/T 9704 pages, embedded fonts only, deterministic output.

The renderer lays the blocks out with `TextBlock` on the page grid of `layout`, then decorates every page
(page number, and the QR seal when a `PageDecorator` is given) *after* the whole document is laid out, so
that a decoration can know the page count and a digest of every page's content. A `DocumentFinisher` (what
`issue` uses) can then add to ReportLab's document what ReportLab does not write itself, before the file is
written, and finish the written bytes: so an issued document is made in one pass, never parsed again.

Page content digest: each page's content stream is the body (everything the blocks drew) followed by the
decorations, which are wrapped in a pagination artifact (``/Artifact <</Type /Pagination>> BDC … EMC``, also
the correct tagging for page furniture). The SHA-256 of the bytes before that marker is the page's content
digest; `verify` recomputes it from the PDF.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Frame, KeepTogether, PageTemplate, Spacer
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Table as RLTable
from reportlab.platypus import TableStyle as RLTableStyle
from reportlab.platypus.flowables import Flowable

from fzmediate.documents import layout as L
from fzmediate.documents.fonts import BODY, register_fonts
from fzmediate.documents.formatting import chinese_date, chinese_date_hanzi
from fzmediate.documents.model import (
    Blank,
    Block,
    Clauses,
    DateSeal,
    DocumentSpec,
    Heading,
    KeyValues,
    PageBreak,
    Paragraph,
    PartyBlock,
    Signatures,
    Table,
)
from fzmediate.documents.reportlab_fixes import CANNOT_END, CANNOT_START
from fzmediate.documents.textflow import TextBlock, TextStyle

#: Opens the decorations of a page; everything before it is the page body covered by the content digest.
ARTIFACT_OPEN = "/Artifact <</Type /Pagination>> BDC"
ARTIFACT_MARKER = ("\n" + ARTIFACT_OPEN).encode("latin-1")
ARTIFACT_CLOSE = "EMC"
CREATOR = "fzmediate"
#: A date left blank for handwriting (ideographic spaces keep the width of the digits to be written).
BLANK_DATE = "　　　　年　　月　　日"
#: Printed at the top of a page that, after all, carries only signatures or the issuer, date and seal.
NO_TEXT_NOTE = "（此页无正文）"
#: Lines of the paragraph before a signature area or date/seal kept on the same page with it.
KEEP_LINES = 2
#: A closing salutation: its first line is indented, the addressee after the typed break is flush left.
SALUTATION = "此致"


class PageDecorator(Protocol):
    """Draws the per-page seal. `prepare` sees every page's content digest before any page is decorated."""

    def prepare(self, page_digests: Sequence[bytes]) -> None: ...

    def draw(self, canvas: Canvas, page: int, pages: int) -> None: ...


class DocumentFinisher(Protocol):
    """Completes ReportLab's output. `prepare` gets ReportLab's `PDFDocument` once every page is added (their
    `PDFPage` objects in ``document.Pages.pages``) and before anything is written; `finish` gets the written
    bytes and the same document (object offsets in ``document.idToOffset``) and returns the final bytes."""

    def prepare(self, document: Any) -> None: ...

    def finish(self, pdf: bytes, document: Any) -> bytes: ...


@dataclass(frozen=True)
class Rendered:
    """A rendered PDF with the SHA-256 content digest of each page body (see module docs)."""

    pdf: bytes
    page_digests: tuple[bytes, ...]

    @property
    def pages(self) -> int:
        return len(self.page_digests)


def page_body_digest(content: bytes) -> bytes:
    """The content digest of one page, from its decoded content stream (used by `verify`)."""
    cut = content.rfind(ARTIFACT_MARKER)
    return hashlib.sha256(content if cut < 0 else content[:cut]).digest()


class _DecoratingCanvas(Canvas):  # type: ignore[misc]
    """Holds every finished page back until `save`, then adds page numbers and seals and writes them."""

    def __init__(
        self,
        *args: Any,
        decorator: PageDecorator | None = None,
        finisher: DocumentFinisher | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[dict[str, Any]] = []
        self._decorator = decorator
        self._finisher = finisher
        self.page_digests: list[bytes] = []

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        digests = []
        for state in self._held:
            body = "\n".join([*state["_psCommandsBeforePage"], state["_preamble"], *state["_code"]])
            digests.append(hashlib.sha256(body.encode("latin-1")).digest())
        if self._decorator is not None:
            self._decorator.prepare(digests)
        count = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self.addLiteral(ARTIFACT_OPEN)
            self.saveState()
            L.draw_page_number(self, number)
            if self._decorator is not None:
                self._decorator.draw(self, number, count)
            self.restoreState()
            self.addLiteral(ARTIFACT_CLOSE)
            super().showPage()
        # Set last: restoring a held page state above would have put back an older value.
        self.page_digests = digests
        if self._finisher is not None:
            self._finisher.prepare(self._doc)
        super().save()


class _GridAligned(Flowable):  # type: ignore[misc]
    """Wraps a flowable of arbitrary height (a table) so that what follows stays on the line grid."""

    def __init__(self, inner: Flowable) -> None:
        super().__init__()
        self.inner = inner

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        width, height = self.inner.wrap(availWidth, availHeight)
        rounded = -(-height // L.PITCH) * L.PITCH
        # Never claim more room than there is: the last piece of a split table keeps its own height.
        self.height = rounded if rounded <= availHeight + 1e-6 else height
        self.width, self._inner_height = width, height
        return width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return [_GridAligned(part) for part in self.inner.split(availWidth, availHeight)]

    def draw(self) -> None:
        self.inner.drawOn(self.canv, 0, self.height - self._inner_height)


def _para(text: str, style: TextStyle) -> TextBlock:
    return TextBlock(text, style)


class _SignatureArea(Flowable):  # type: ignore[misc]
    """Signature lines and the issuer/date block: rows that split across pages only between rows.

    The first row carries the last lines of the text before it (`build_flowables`). An area that fits on a
    page is never split (it moves to the next page whole, those lines with it); only one taller than a page
    is split, and then every page it continues on starts with 「（此页无正文）」, so that a page holding only
    signatures or a seal says so (the practice for signature pages; GB/T 9704 itself wants the seal on a
    page with text, which the keeping achieves).
    """

    def __init__(self, rows: list[list[Flowable]]) -> None:
        super().__init__()
        self.rows = rows

    def _row_height(self, row: list[Flowable], width: float) -> float:
        return float(sum(f.wrap(width, L.BLOCK_HEIGHT)[1] for f in row))

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = sum(self._row_height(row, availWidth) for row in self.rows)
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if self.wrap(availWidth, availHeight)[1] <= L.BLOCK_HEIGHT + 1e-6:
            return []  # fits on a fresh page: move there whole
        used, count = 0.0, 0
        for row in self.rows:
            height = self._row_height(row, availWidth)
            if used + height > availHeight + 1e-6:
                break
            used += height
            count += 1
        if count == 0 or count == len(self.rows):
            return [] if count == 0 else [self]
        rest = [[f for f in row if not isinstance(f, Spacer)] or row for row in self.rows[count:]]
        rest[0] = [_para(NO_TEXT_NOTE, L.BODY_STYLE), *rest[0]]
        return [_SignatureArea(self.rows[:count]), _SignatureArea(rest)]

    def draw(self) -> None:
        top = self.height
        for row in self.rows:
            for flowable in row:
                _, height = flowable.wrap(self.width, L.BLOCK_HEIGHT)
                top -= height
                flowable.drawOn(self.canv, 0, top)


def issuer_lines(issuer: str, measure: float) -> list[str]:
    """The issuer as one line, or, when it is wider than `measure` ems, as several: the body's name first, a
    bracketed explanation (``（具体工作由……承办）``) on lines of its own, long parts wrapped into lines of equal
    length."""
    if L.text_ems(issuer) <= measure:
        return [issuer]
    cut = issuer.find("（")
    parts = [issuer[:cut], issuer[cut:]] if cut > 0 else [issuer]
    lines: list[str] = []
    for part in parts:
        count = max(1, math.ceil(L.text_ems(part) / measure))
        target = L.text_ems(part) / count
        start = 0
        for _ in range(count - 1):
            end = start + 1
            while end < len(part) and L.text_ems(part[start : end + 1]) <= target + 0.5:
                end += 1
            while end - start > 1 and (part[end] in CANNOT_START or part[end - 1] in CANNOT_END):
                end -= 1
            lines.append(part[start:end])
            start = end
        lines.append(part[start:])
    return lines


def _date_seal_blocks(block: DateSeal) -> list[Flowable]:
    """Issuer centred over the date, the date 右空四字 (or both moved when the issuer is the longer: the longest
    issuer line 右空二字, the date centred under it, GB/T 9704 §7.3.5). An issuer longer than a line is set on
    several lines, each centred on the same axis."""
    if block.date is None:
        date_text = BLANK_DATE
    else:
        date_text = chinese_date_hanzi(block.date) if block.hanzi_year else chinese_date(block.date)
    date_w = L.text_ems(date_text)
    lines = issuer_lines(block.issuer, L.CHARS_PER_LINE - 6.0) if block.issuer else []
    widest = max((L.text_ems(line) for line in lines), default=0.0)
    axis = 4.0 + date_w / 2 if widest <= date_w else 2.0 + widest / 2  # ems from the right edge
    flowables: list[Flowable] = [Spacer(0, L.PITCH)]
    for line in lines:
        flowables.append(_para(line, L.DATE_STYLE.but(right_indent=axis - L.text_ems(line) / 2)))
    flowables.append(_para(date_text, L.DATE_STYLE.but(right_indent=axis - date_w / 2)))
    return flowables


def _table(block: Table) -> Flowable:
    columns = len(block.header) or max((len(r) for r in block.rows), default=1)
    fractions = block.widths or tuple(1.0 for _ in range(columns))
    total = sum(fractions)
    widths = [L.BLOCK_WIDTH * f / total for f in fractions]
    data: list[list[Flowable]] = []
    if block.header:
        data.append([_para(h, L.CELL_HEAD_STYLE) for h in block.header])
    data.extend([_para(c, L.CELL_STYLE) for c in row] for row in block.rows)
    table = RLTable(data, colWidths=widths, repeatRows=1 if block.header else 0)
    table.setStyle(
        RLTableStyle(
            [
                # The cells are TextBlocks, but Table still selects a cell font: keep it off Helvetica.
                ("FONT", (0, 0), (-1, -1), BODY, L.SIZE_XIAO4),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return _GridAligned(table)


def block_flowables(block: Block) -> list[Flowable]:
    """The flowables for one block (signatures are joined to the block before them by `build_flowables`)."""
    if isinstance(block, Heading):
        # A heading never ends a page: it needs room for itself and two lines of what follows.
        return [CondPageBreak(3 * L.PITCH), _para(block.text, L.HEADING_STYLE)]
    if isinstance(block, Paragraph):
        style = L.BODY_STYLE if block.indent else L.FLUSH_STYLE
        style = style if block.align == "justify" else style.but(align=block.align)
        head, _, addressee = block.text.partition("\n")
        if head == SALUTATION and addressee and block.indent:
            # 此致 indented, the addressee on the next line flush left (顶格), the two kept together.
            return [_para(head, style.but(keep_with_next=True)), _para(addressee, L.FLUSH_STYLE)]
        return [_para(block.text, style)]
    if isinstance(block, Clauses):
        return [_para(text, L.BODY_STYLE) for text in block.numbered()]
    if isinstance(block, PartyBlock):
        details = "".join("，" + d for d in block.details if d)
        return [_para("{0}：{1}{2}。".format(block.role, block.name, details), L.BODY_STYLE)]
    if isinstance(block, KeyValues):
        return [_para("{0}：{1}".format(k, v), L.BODY_STYLE) for k, v in block.rows]
    if isinstance(block, Table):
        return [_table(block)]
    if isinstance(block, Signatures):
        flowables: list[Flowable] = [Spacer(0, L.PITCH)]
        for person in block.signatories:
            line = "{0}：{1}{2}".format(person.role, person.name, person.note) if person.name else None
            flowables.append(_para(line or "{0}{1}：".format(person.role, person.note), L.FLUSH_STYLE))
            flowables.append(Spacer(0, L.PITCH))
        return flowables
    if isinstance(block, DateSeal):
        return [KeepTogether(_date_seal_blocks(block))]
    if isinstance(block, Blank):
        return [Spacer(0, block.lines * L.PITCH)]
    if isinstance(block, PageBreak):
        return [RLPageBreak()]
    raise TypeError("unknown block {0!r}".format(block))


def _signature_rows(block: Signatures) -> list[list[Flowable]]:
    flowables = block_flowables(block)
    # [Spacer, line, Spacer, line, …, Spacer]: one row per signatory with the space above it.
    rows = [flowables[i : i + 2] for i in range(0, len(flowables) - 1, 2)]
    rows[-1].append(flowables[-1])
    return rows


def _lead_in(flowables: list[Flowable]) -> list[Flowable]:
    """Take from the end of `flowables` what must stay on the page of a following signature area or date:
    the last `KEEP_LINES` lines of the paragraph before it (the rest of a longer paragraph stays behind and
    fills the page before), together with anything kept with it (此致)."""
    if not flowables or not isinstance(flowables[-1], (TextBlock, Spacer, _GridAligned)):
        return []
    last = flowables.pop()
    taken: list[Flowable] = [last]
    if isinstance(last, TextBlock):
        parts = last.split_last(KEEP_LINES, L.BLOCK_WIDTH)
        if parts is not None:
            flowables.append(parts[0])
            taken = [parts[1]]
    while flowables and isinstance(flowables[-1], TextBlock) and flowables[-1].keepWithNext:
        taken.insert(0, flowables.pop())
    return taken


def build_flowables(spec: DocumentSpec) -> list[Flowable]:
    """Title, number and blocks as flowables. A signature area, with the date/seal after it, is kept on one
    page together with the last lines of the paragraph before it; so is a date/seal without signatures. So a
    page never holds only signatures or a seal, unless a signature area is taller than a page (then its
    continuation pages say 「（此页无正文）」)."""
    flowables: list[Flowable] = []
    title_style = L.TITLE_STYLE.but(space_after=0) if spec.number else L.TITLE_STYLE
    flowables.append(_para(spec.title, title_style))
    if spec.number:
        flowables.append(_para(spec.number, L.NUMBER_STYLE.but(space_after=L.PITCH)))
    blocks = list(spec.blocks)
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if isinstance(block, Signatures):
            rows = _signature_rows(block)
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if isinstance(following, DateSeal):
                index += 1
                rows.append(_date_seal_blocks(following))
            rows[0][:0] = _lead_in(flowables)
            flowables.append(_SignatureArea(rows))
        elif isinstance(block, DateSeal):
            # The issuer and date (where the seal is pressed) never stand alone on a page: keep the last
            # lines of text with them (GB/T 9704 §7.3.5: the seal sits within one line of the text).
            flowables.append(_SignatureArea([[*_lead_in(flowables), *_date_seal_blocks(block)]]))
        else:
            flowables.extend(block_flowables(block))
        index += 1
    return flowables


def block_text(block: Block) -> str:
    """The text a block prints, in drawing order (used for text round-trip checks and digests)."""
    parts: list[str] = []
    for flowable in block_flowables(block):
        parts.extend(_flowable_texts(flowable))
    return "".join(parts)


def document_text(spec: DocumentSpec) -> str:
    """Everything the document prints except page numbers, in order."""
    head = spec.title + spec.number
    return head + "".join(block_text(b) for b in spec.blocks)


def _flowable_texts(flowable: Flowable) -> list[str]:
    if isinstance(flowable, TextBlock):
        return [flowable.text]
    if isinstance(flowable, KeepTogether):
        return [t for f in flowable._content for t in _flowable_texts(f)]
    if isinstance(flowable, _SignatureArea):
        return [t for row in flowable.rows for f in row for t in _flowable_texts(f)]
    if isinstance(flowable, _GridAligned):
        table = flowable.inner
        return [t for row in table._cellvalues for cell in row for t in _flowable_texts(cell)]
    return []


def render(
    spec: DocumentSpec, decorator: PageDecorator | None = None, *, finisher: DocumentFinisher | None = None
) -> Rendered:
    """Lay out and draw `spec`. The same spec (and decorator and finisher input) always gives the same bytes."""
    register_fonts()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=(L.PAGE_WIDTH, L.PAGE_HEIGHT),
        leftMargin=L.BLOCK_LEFT,
        rightMargin=L.PAGE_WIDTH - L.BLOCK_RIGHT,
        topMargin=L.PAGE_HEIGHT - L.BLOCK_TOP,
        bottomMargin=L.BLOCK_BOTTOM,
        title=spec.title,
        author=spec.meta.issuer,
        subject=spec.meta.subject or spec.kind,
        creator=CREATOR,
        producer=CREATOR,
        keywords=spec.meta.document_id,
        invariant=1,
        initialFontName=BODY,
        lang="zh-CN",
        displayDocTitle=1,
    )
    frame = Frame(
        L.BLOCK_LEFT, L.BLOCK_BOTTOM, L.BLOCK_WIDTH, L.BLOCK_HEIGHT,
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body",
    )  # fmt: skip
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    holder: list[_DecoratingCanvas] = []

    def make_canvas(*args: Any, **kwargs: Any) -> _DecoratingCanvas:
        canvas = _DecoratingCanvas(*args, decorator=decorator, finisher=finisher, **kwargs)
        holder.append(canvas)
        return canvas

    doc.build(build_flowables(spec), canvasmaker=make_canvas)
    canvas = holder[-1]
    pdf = buffer.getvalue()
    if finisher is not None:
        pdf = finisher.finish(pdf, canvas._doc)
    return Rendered(pdf, tuple(canvas.page_digests))


def render_pdf(spec: DocumentSpec) -> bytes:
    """The unsealed PDF (a draft or preview): page numbers, no QR, no signature."""
    return render(spec).pdf
