"""The kiosk's receipt as a PDF: the document fonts (仿宋 body, heavy Song title, rare-character fallbacks),
always embedded and subset, plain text through ``TextBlock`` (a name is never read as markup), one A4 page.

It is a notice to the citizen, not an issued document: no seal, no QR, no signature. Its words are in the
language the visitor chose at the kiosk; catalogue data (the matter, the office, the place) is printed as the
catalogue gives it.
"""

from __future__ import annotations

import io
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate
from reportlab.platypus.flowables import Flowable, Spacer

from fzmediate.documents.fonts import BODY, TITLE_CHAIN, register_fonts
from fzmediate.documents.formatting import chinese_date
from fzmediate.documents.textflow import TextBlock, TextStyle
from fzmediate.i18n import _, current_locale
from fzmediate.kiosk.receipt import ReceiptContent

CREATOR = "fzmediate kiosk"
_MARGIN = 25 * mm
_BODY = TextStyle(size=13, pitch=22, align="left", space_after=4)
_LABEL = _BODY.but(size=11, pitch=18, space_before=8, space_after=0, keep_with_next=True)
_NUMBER = _BODY.but(size=20, pitch=30, space_after=6)
_TITLE = TextStyle(size=22, pitch=34, chain=TITLE_CHAIN, align="center", space_after=14)
_NOTE = _BODY.but(size=10.5, pitch=17, space_before=18)


def format_day(day: date) -> str:
    """A date as the visitor's language writes it: 2026年12月6日, or 2026-12-06 in English."""
    return chinese_date(day) if current_locale().startswith("zh") else day.isoformat()


def deadline_text(content: ReceiptContent) -> str:
    """The acceptance deadline in words, or that the catalogue states none (never a guessed date)."""
    limit = content.deadline
    if limit is None:
        return _(
            "The catalogue states no time limit for the decision on acceptance of this matter. "
            "Ask the office when to expect it: {phone}."
        ).format(phone=content.consult_phone or content.office)
    kind = _("statutory time limit") if limit.statutory else _("time limit promised by the office")
    text = _(
        "The office decides whether to accept your application within {period} counted from {start}, "
        "that is by {date} ({kind}; {basis})."
    ).format(period=limit.period, start=limit.starts_from, date=format_day(limit.due), kind=kind, basis=limit.basis)
    if limit.provisional:
        text += " " + _(
            "The holiday arrangements of that year are not published yet, so this date may still move by a few days."
        )
    return text


def receipt_lines(content: ReceiptContent) -> list[tuple[str, str]]:
    """(label, text) pairs in print order; the screen shows the same."""
    r = content.receipt
    lines = [
        (_("Application number"), r.number),
        (_("Received on"), format_day(content.received_on)),
        (_("Matter"), content.matter_name),
        (_("Applicant"), "、".join(r.applicants) if current_locale().startswith("zh") else ", ".join(r.applicants)),
        (_("Office"), content.office),
        (
            _("What happens next"),
            _(
                "The office examines your application and decides whether to accept it. It tells you its decision "
                "by the phone number you gave; if it does not accept the application, it says why in writing."
            ),
        ),
        (_("Decision on acceptance"), deadline_text(content)),
    ]
    if content.place or content.hours or content.consult_phone:
        where = _("{place}; opening hours: {hours}; phone: {phone}").format(
            place=content.place or "—", hours=content.hours or "—", phone=content.consult_phone or "—"
        )
        lines.append((_("Where to ask"), where))
    return lines


def render_receipt(content: ReceiptContent) -> bytes:
    """The receipt as PDF bytes (the same content gives the same bytes)."""
    register_fonts()
    buffer = io.BytesIO()
    width, height = A4
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN,
        title=_("Application receipt"),
        author=content.office,
        creator=CREATOR,
        producer=CREATOR,
        invariant=1,
        initialFontName=BODY,
        lang="zh-CN" if current_locale() == "zh_CN" else ("zh-TW" if current_locale() == "zh_TW" else "en"),
    )
    frame = Frame(_MARGIN, _MARGIN, width - 2 * _MARGIN, height - 2 * _MARGIN, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0, id="body")  # fmt: skip
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    story: list[Flowable] = [TextBlock(_("Application receipt"), _TITLE)]
    for i, (label, text) in enumerate(receipt_lines(content)):
        story.append(TextBlock(label, _LABEL))
        story.append(TextBlock(text, _NUMBER if i == 0 else _BODY))
    story.append(Spacer(1, 6))
    story.append(
        TextBlock(
            _(
                "Keep this receipt and quote its number when you ask about your application. To protect your "
                "personal information it shows your name shortened and no document number or phone number."
            ),
            _NOTE,
        )
    )
    doc.build(story)
    return buffer.getvalue()
