"""The ReportLab fixes: UTF-16 ToUnicode beyond the BMP, 避头尾 lists in both modules, idempotence."""

from __future__ import annotations

import io

from reportlab.lib import textsplit
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate
from reportlab.platypus import paragraph as rl_paragraph

from fzmediate.documents import reportlab_fixes
from fzmediate.documents.fonts import BODY, register_fonts
from fzmediate.documents.formatting import font_markup
from tests.documents.pdftools import pdffonts, pdftotext, pypdf_text, squash
from tests.documents.samples import MARKUP, RARE_NAMES


def test_to_unicode_writes_surrogate_pairs_beyond_the_bmp() -> None:
    cmap = reportlab_fixes.to_unicode_cmap("F1", [0x20, 0x738B, 0x20BB7])
    assert "<00> <0020>" in cmap
    assert "<01> <738B>" in cmap
    assert "<02> <D842DFB7>" in cmap  # 𠮷 as UTF-16BE, not <20BB7>
    assert "3 beginbfchar" in cmap


def test_fixes_apply_once_and_extend_both_line_start_lists() -> None:
    reportlab_fixes.apply_fixes()
    reportlab_fixes.apply_fixes()
    from reportlab.pdfbase import ttfonts

    assert ttfonts.makeToUnicodeCMap is reportlab_fixes.to_unicode_cmap
    for mark in "，。、；：？！”’）》〉…":
        assert mark in textsplit.ALL_CANNOT_START
        assert mark in rl_paragraph.ALL_CANNOT_START
    assert textsplit.ALL_CANNOT_START.count("，") == 1


def test_paragraph_markup_helper_escapes_user_text_and_round_trips() -> None:
    """For code that still uses ReportLab's Paragraph: font_markup() keeps markup literal and rare names exact."""
    register_fonts()
    text = "、".join(RARE_NAMES + MARKUP)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, invariant=1, initialFontName=BODY)
    style = ParagraphStyle("p", fontName=BODY, fontSize=12, leading=18, wordWrap="CJK")
    doc.build([Paragraph(font_markup(text), style)])
    pdf = buffer.getvalue()
    assert squash(pdftotext(pdf)) == squash(text)
    assert squash(pypdf_text(pdf)) == squash(text)
    assert all(f["emb"] == "yes" for f in pdffonts(pdf))
    assert not any("Helvetica" in f["name"] for f in pdffonts(pdf))
