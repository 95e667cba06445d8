"""One PDF with every hanzi of GB 18030-2022 levels 1 and 2: no missing glyph, exact text round-trip."""

from __future__ import annotations

import pytest

from fzmediate.documents import charsets
from fzmediate.documents.coverage import missing_glyphs
from fzmediate.documents.model import DocumentMeta, DocumentSpec, Paragraph
from fzmediate.documents.render import document_text, render
from tests.documents.conftest import ISSUE_DATE
from tests.documents.pdftools import pdffonts, pdftotext, pypdf_text, squash

CHUNK = 1000


@pytest.mark.slow
def test_every_level_1_and_2_hanzi_renders_and_round_trips() -> None:
    hanzi = "".join(chr(c) for c in sorted(charsets.level2_hanzi()))
    assert len(hanzi) == 27786
    assert missing_glyphs(hanzi) == []
    blocks = tuple(Paragraph(hanzi[i : i + CHUNK], indent=False) for i in range(0, len(hanzi), CHUNK))
    spec = DocumentSpec("test", "GB 18030-2022 一级和二级汉字", blocks, DocumentMeta("T-ALL", ISSUE_DATE))
    rendered = render(spec)
    assert rendered.pages >= 45
    assert all(f["emb"] == "yes" for f in pdffonts(rendered.pdf))
    expected = squash(document_text(spec))
    assert squash(pdftotext(rendered.pdf)) == expected
    assert squash(pypdf_text(rendered.pdf)) == expected
