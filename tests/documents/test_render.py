"""Rendered documents: embedded fonts only, exact text round-trip, literal markup, GB/T 9704 geometry."""

from __future__ import annotations

import dataclasses

import pytest

from fzmediate.documents.model import DocumentSpec, Paragraph, PartyBlock, Table
from fzmediate.documents.render import document_text, render_pdf
from fzmediate.documents.reportlab_fixes import CANNOT_START
from tests.documents.pdftools import Word, pdffonts, pdftotext, pypdf_text, squash, words
from tests.documents.samples import MARKUP, RARE_NAMES

BLOCK_LEFT, BLOCK_RIGHT, BLOCK_TOP, BLOCK_BOTTOM = 28.0, 184.0, 37.0, 262.0
ONE_CHAR = 16 / 72 * 25.4  # one 3号 character, 5.64 mm
TOLERANCE = 1.0  # mm (GB/T 9704: 天头 and 订口 ±1 mm)


@pytest.fixture(params=["agreement", "guide"])
def document(request: pytest.FixtureRequest) -> tuple[DocumentSpec, bytes]:
    spec: DocumentSpec = request.getfixturevalue(request.param)
    return spec, request.getfixturevalue(request.param + "_pdf")


def test_only_embedded_subset_fonts_and_no_helvetica(document: tuple[DocumentSpec, bytes]) -> None:
    _, pdf = document
    fonts = pdffonts(pdf)
    assert fonts, "no fonts listed"
    for font in fonts:
        assert font["emb"] == "yes" and font["sub"] == "yes" and font["uni"] == "yes", font["line"]
        assert "Helvetica" not in font["name"] and "STSong" not in font["name"], font["line"]
    assert b"/Helvetica" not in pdf


def _without_repeated_headers(spec: DocumentSpec, text: str) -> str:
    """A table split across pages repeats its header row: keep the first occurrence only."""
    for block in spec.blocks:
        if isinstance(block, Table) and block.header:
            header = squash("".join(block.header))
            first = text.find(header) + len(header)
            text = text[:first] + text[first:].replace(header, "")
    return text


def test_text_round_trips_through_pdftotext_and_pypdf(document: tuple[DocumentSpec, bytes]) -> None:
    spec, pdf = document
    expected = squash(document_text(spec))
    # -raw keeps content-stream order, so a table reads cell by cell (the default mode reads across cells).
    assert _without_repeated_headers(spec, squash(pdftotext(pdf, "-raw"))) == expected
    assert _without_repeated_headers(spec, squash(pypdf_text(pdf))) == expected


def test_default_pdftotext_reading_order_matches_for_running_text(
    agreement: DocumentSpec, agreement_pdf: bytes
) -> None:
    assert squash(pdftotext(agreement_pdf)) == squash(document_text(agreement))


def test_rare_names_and_markup_print_literally(agreement: DocumentSpec) -> None:
    blocks = tuple(
        PartyBlock("当事人", name, ("住址：" + MARKUP[i % len(MARKUP)],)) for i, name in enumerate(RARE_NAMES)
    )
    spec = dataclasses.replace(agreement, blocks=(*blocks, Paragraph("事实：" + "".join(MARKUP))))
    pdf = render_pdf(spec)
    text = squash(pdftotext(pdf))
    for needle in (*RARE_NAMES, *MARKUP):
        assert squash(needle) in text
    assert squash(pypdf_text(pdf)) == squash(document_text(spec))


def test_rendering_is_deterministic(agreement: DocumentSpec, agreement_pdf: bytes) -> None:
    assert render_pdf(agreement) == agreement_pdf


def _split(found: list[Word]) -> tuple[list[Word], list[Word]]:
    body = [w for w in found if w.y0 < BLOCK_BOTTOM + 3]
    numbers = [w for w in found if w.y0 >= BLOCK_BOTTOM + 3]
    return body, numbers


def test_body_stays_in_the_gb9704_text_block(document: tuple[DocumentSpec, bytes]) -> None:
    _, pdf = document
    body, _numbers = _split(words(pdf))
    for word in body:
        assert word.x0 >= BLOCK_LEFT - TOLERANCE and word.x1 <= BLOCK_RIGHT + TOLERANCE, word
        assert word.y0 >= BLOCK_TOP - TOLERANCE and word.y1 <= BLOCK_BOTTOM + TOLERANCE, word
    for page in {w.page for w in body}:
        top = min(w.y0 for w in body if w.page == page)
        assert abs(top - BLOCK_TOP) <= TOLERANCE, "page {0} starts {1:.2f} mm from the top".format(page, top)


def test_page_numbers_seven_mm_below_the_block_alternating_sides(document: tuple[DocumentSpec, bytes]) -> None:
    _, pdf = document
    _body, numbers = _split(words(pdf))
    pages = sorted({w.page for w in numbers})
    assert pages == list(range(1, len(pages) + 1)) and len(pages) >= 2
    for page in pages:
        mine = [w for w in numbers if w.page == page]
        assert [w.text for w in mine] == ["—", str(page), "—"]
        assert abs(min(w.y0 for w in mine) - (BLOCK_BOTTOM + 7)) <= TOLERANCE
        if page % 2:
            assert abs(max(w.x1 for w in mine) - (BLOCK_RIGHT - ONE_CHAR)) <= TOLERANCE
        else:
            assert abs(min(w.x0 for w in mine) - (BLOCK_LEFT + ONE_CHAR)) <= TOLERANCE


def test_no_printed_line_starts_with_forbidden_punctuation(document: tuple[DocumentSpec, bytes]) -> None:
    _, pdf = document
    lines = [line.strip() for line in pdftotext(pdf, "-layout").splitlines() if line.strip()]
    assert lines
    offenders = [line for line in lines if line[0] in CANNOT_START and not line.startswith("—")]
    assert not offenders
