"""Coverage before rendering: each character drawn by the first face that has it; a missing one refused."""

from __future__ import annotations

import pytest

from fzmediate.documents.coverage import missing_glyphs, require_glyphs, runs
from fzmediate.documents.errors import MissingGlyphError
from fzmediate.documents.fonts import BODY, TITLE_CHAIN
from fzmediate.documents.model import DocumentMeta, DocumentSpec, Paragraph
from fzmediate.documents.render import render_pdf
from tests.documents.conftest import ISSUE_DATE
from tests.documents.samples import RARE_NAMES


def test_rare_names_are_covered_and_split_into_face_runs() -> None:
    text = "、".join(RARE_NAMES)
    assert missing_glyphs(text) == []
    parts = runs("王𠮷与卫𡒄")
    assert parts == [(BODY, "王"), ("DocHanaMinA", "𠮷"), (BODY, "与卫"), ("DocHanaMinB", "𡒄")]
    assert "".join(t for _, t in parts) == "王𠮷与卫𡒄"


def test_title_runs_fall_back_to_the_body_chain() -> None:
    parts = runs("调解𬌗", TITLE_CHAIN)
    assert parts[0] == ("DocTitle", "调解")
    assert parts[1][1] == "𬌗" and parts[1][0] != "DocTitle"


def test_a_character_no_font_has_is_named_in_the_refusal() -> None:
    text = "张三\U00030000丰\ue000"  # Extension G and a private-use character
    assert missing_glyphs(text) == ["\U00030000", "\ue000"]
    with pytest.raises(MissingGlyphError) as caught:
        require_glyphs(text, field="name")
    assert caught.value.characters == ("\U00030000", "\ue000")
    assert "U+30000 \U00030000" in caught.value.message
    assert "U+E000" in caught.value.message
    assert caught.value.field == "name"


def test_rendering_refuses_rather_than_printing_tofu() -> None:
    spec = DocumentSpec(
        "test", "测试", (Paragraph("当事人：李\U0001f600"),), DocumentMeta(document_id="T-1", issue_date=ISSUE_DATE)
    )
    with pytest.raises(MissingGlyphError) as caught:
        render_pdf(spec)
    assert "U+1F600" in caught.value.message
