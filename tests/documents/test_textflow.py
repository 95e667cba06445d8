"""Line breaking of TextBlock: the 28-character grid, 避头尾, nothing past the measure, words kept whole."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fzmediate.documents import layout as L
from fzmediate.documents.fonts import register_fonts
from fzmediate.documents.reportlab_fixes import CANNOT_END, CANNOT_START
from fzmediate.documents.textflow import TextBlock, normalize_text

HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种"
PUNCT = "，。、；：？！”’）》」』】〕…—“‘（《「『【〔"
pieces = st.one_of(
    st.sampled_from(HAN), st.sampled_from(HAN), st.sampled_from(HAN), st.sampled_from(PUNCT),
    st.sampled_from(["2026", "12,000.00", "PS-TJ-001", " ", "𠮷", "䶮"]),
)  # fmt: skip


def _lines(text: str, **style: object) -> list[str]:
    register_fonts()
    return TextBlock(text, L.BODY_STYLE.but(**style)).line_texts(L.BLOCK_WIDTH)


def test_a_full_line_holds_28_ideographs_and_the_first_26_after_the_indent() -> None:
    lines = _lines(HAN * 2)
    assert [len(x) for x in lines[:2]] == [26, 28]


def test_no_line_starts_with_a_closing_mark_in_a_crafted_case() -> None:
    # Without 避头尾 the 29th character (，) would start line 2.
    text = "一" * 26 + "二，三" + "四" * 30
    lines = _lines(text, first_indent=0)
    assert not any(line[0] in CANNOT_START for line in lines[1:])
    assert "".join(lines) == text


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, min_size=1, max_size=160), st.sampled_from([0, 2]))
def test_line_breaking_keeps_every_rule(parts: list[str], indent: int) -> None:
    text = "".join(parts)
    register_fonts()
    block = TextBlock(text, L.BODY_STYLE.but(first_indent=indent))
    lines = block.lines(L.BLOCK_WIDTH)
    assert "".join(x.text for x in lines).replace(" ", "") == normalize_text(text).replace(" ", "")
    for number, line in enumerate(lines):
        if number > 0 and line.text and line.units[0].text[0] in CANNOT_START:
            # Only allowed when the whole previous line is marks that could not be split anywhere else.
            assert all(u.no_start or u.no_end for u in lines[number - 1].units[1:])
        if number < len(lines) - 1 and line.text and line.text[-1] in CANNOT_END:
            assert all(u.no_start or u.no_end for u in line.units[1:])
        # A squeezed-in mark may overflow by half an em at most; justification takes it back when drawn.
        assert line.width <= line.available + L.SIZE_3HAO / 2 + 1e-6


def test_latin_words_and_numbers_stay_whole() -> None:
    text = "甲" * 24 + "金额12,000.00元" + "乙" * 10
    lines = _lines(text, first_indent=0)
    assert any("12,000.00" in line for line in lines)


def test_explicit_line_breaks_and_odd_spaces() -> None:
    assert normalize_text("a\r\nb\tc\u00a0d\u200be") == "a\nb c de"
    assert _lines("第一行\n第二行", first_indent=0) == ["第一行", "第二行"]


def test_markup_is_just_text() -> None:
    lines = _lines("<b>粗</b>&nbsp;<font size=40>", first_indent=0)
    assert "".join(lines) == "<b>粗</b>&nbsp;<font size=40>"


def test_a_word_longer_than_the_first_line_is_broken_rather_than_overflowing() -> None:
    register_fonts()
    url = "https://www.example.gov.cn/" + "a" * 60
    block = TextBlock("网址" + url, L.BODY_STYLE)
    lines = block.lines(L.BLOCK_WIDTH)
    assert all(line.width <= line.available + 1e-6 for line in lines)
    assert "".join(x.text for x in lines) == "网址" + url
