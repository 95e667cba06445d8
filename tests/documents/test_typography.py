"""Typography read back from rendered PDFs: the 仿宋 body face, 标点挤压, long runs, typed line breaks,
signature pages and a long issuer name (pdftotext -bbox / -layout, pdffonts)."""

from __future__ import annotations

import datetime

from fzmediate.documents.model import DateSeal, DocumentMeta, DocumentSpec, Paragraph, Signatory, Signatures
from fzmediate.documents.render import NO_TEXT_NOTE, render_pdf
from tests.documents.pdftools import Word, pdffonts, pdftotext, squash, words

EM = 156.0 / 28  # one body character on the 28-per-line grid, mm
BLOCK_LEFT, BLOCK_RIGHT = 28.0, 184.0
LONG_ISSUER = "深圳市坪山区人民政府（具体工作由深圳市规划和自然资源局坪山管理局承办）"


def _spec(*blocks: object) -> DocumentSpec:
    meta = DocumentMeta(document_id="T-TYPO", issue_date=datetime.date(2026, 11, 29))
    return DocumentSpec("test", "排版测试", tuple(blocks), meta)  # type: ignore[arg-type]


def _id_number(body: str) -> str:
    """An invented 18-character resident ID number with a valid GB 11643 check character."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def _body_words(pdf: bytes) -> list[Word]:
    return [w for w in words(pdf) if w.y0 < 262.0 + 3 and w.text != "排版测试"]


def test_body_text_is_set_in_the_embedded_fangsong_face_with_ming_fallback() -> None:
    pdf = render_pdf(_spec(Paragraph("当事人王𠮷、张䶮、卫𡒄签字确认。")))
    fonts = pdffonts(pdf)
    names = {f["name"].split("+", 1)[-1] for f in fonts}
    assert "DocFangsong-Regular" in names, names
    assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts)
    assert "王𠮷、张䶮、卫𡒄" in squash(pdftotext(pdf))


def test_adjacent_full_width_marks_are_compressed_and_copy_out_unchanged() -> None:
    text = "甲）。乙（三）丙，“丁”。"
    pdf = render_pdf(_spec(Paragraph(text, indent=False, align="left")))
    (word,) = _body_words(pdf)
    assert squash(word.text) == text
    # 13 characters; ）。 “ and ”。 each lose half an em: 11.5 ems (+ the grid tracking, -0.21 pt each).
    assert word.x1 - word.x0 <= 11.6 * EM, word
    # The gap between ） and 。 is at most 0.6 em: the line is at most 0.6 em wider than "甲）" + "。乙…" would be.
    plain = render_pdf(_spec(Paragraph("甲）乙（三）丙，“丁”。", indent=False, align="left")))
    (short,) = _body_words(plain)
    assert (word.x1 - word.x0) - (short.x1 - short.x0) <= 0.6 * EM


def test_an_opening_bracket_starting_a_line_is_not_pushed_in_by_its_blank_half() -> None:
    text = "甲" * 28 + "（三）乙乙乙"
    pdf = render_pdf(_spec(Paragraph(text, indent=False)))
    second = [w for w in _body_words(pdf) if w.text.startswith("（")]
    assert second, _body_words(pdf)
    # Six characters, the first half-width: 5.5 ems from the block's left edge.
    assert abs(second[0].x0 - BLOCK_LEFT) <= 0.3
    assert second[0].x1 - second[0].x0 <= 5.6 * EM


def test_a_line_before_a_long_number_keeps_normal_spacing() -> None:
    number = _id_number("44030719900101123")
    text = "申请人李某，公民身份号码" + number + "，住深圳市坪山区。"
    pdf = render_pdf(_spec(Paragraph(text)))
    lines = _body_words(pdf)
    assert squash("".join(w.text for w in lines)) == squash(text)
    for word in lines[:-1]:
        pitch = (word.x1 - word.x0) / len(word.text)
        assert pitch <= 1.1 * EM, "characters spread to {0:.2f} mm: {1}".format(pitch, word)


def test_each_typed_line_starts_with_the_two_character_indent() -> None:
    pdf = render_pdf(_spec(Paragraph("第一项请求。\n第二项请求。\n第三项请求。")))
    lines = _body_words(pdf)
    assert [w.text for w in lines] == ["第一项请求。", "第二项请求。", "第三项请求。"]
    for word in lines:
        assert abs(word.x0 - (BLOCK_LEFT + 2 * EM)) <= 0.5, word


def test_salutation_keeps_its_addressee_flush_left() -> None:
    pdf = render_pdf(_spec(Paragraph("此致\n深圳市坪山区司法局")))
    first, second = _body_words(pdf)
    assert abs(first.x0 - (BLOCK_LEFT + 2 * EM)) <= 0.5 and abs(second.x0 - BLOCK_LEFT) <= 0.5


def _pages_text(pdf: bytes) -> list[str]:
    return [squash(page) for page in pdftotext(pdf, "-layout").split("\f") if page.strip()]


def test_signatures_and_date_never_stand_alone_on_a_page() -> None:
    for filler in range(17, 22):  # paragraphs that end at or near the bottom of page 1
        blocks = [Paragraph("甲" * 26 + "乙" * 28 * 0) for _ in range(filler)]
        blocks.append(Paragraph("本协议一式三份，各方当事人各执一份，调解组织留存一份。" * 3))
        spec = _spec(
            *blocks,
            Signatures((Signatory("甲方"), Signatory("乙方"), Signatory("调解员"))),
            DateSeal("深圳市坪山区人民调解委员会", datetime.date(2026, 11, 29)),
        )
        pages = _pages_text(render_pdf(spec))
        last = pages[-1]
        assert "调解组织留存一份" in last, (filler, last)
        assert NO_TEXT_NOTE not in "".join(pages)


def test_a_signature_area_taller_than_a_page_marks_its_continuation_pages() -> None:
    people = tuple(Signatory("当事人{0}".format(i)) for i in range(1, 16))
    spec = _spec(
        Paragraph("各方当事人确认以上内容。"),
        Signatures(people),
        DateSeal("深圳市坪山区人民调解委员会", datetime.date(2026, 11, 29)),
    )
    pages = _pages_text(render_pdf(spec))
    assert len(pages) >= 2
    assert "确认以上内容" in pages[0] and NO_TEXT_NOTE not in pages[0]
    for page in pages[1:]:
        assert page.startswith(NO_TEXT_NOTE), page[:40]


def test_a_long_issuer_name_wraps_at_its_bracket_on_one_axis() -> None:
    spec = _spec(Paragraph("特此告知。"), DateSeal(LONG_ISSUER, datetime.date(2026, 11, 29)))
    lines = _body_words(render_pdf(spec))[1:]
    assert lines[0].text == "深圳市坪山区人民政府"
    assert squash("".join(w.text for w in lines[1:-1])) == LONG_ISSUER[len("深圳市坪山区人民政府") :]
    assert lines[-1].text == "2026年11月29日"
    centres = [(w.x0 + w.x1) / 2 for w in lines]
    assert max(centres) - min(centres) <= 0.6 * EM, centres
    for word in lines:
        assert word.x0 >= BLOCK_LEFT - 0.5 and word.x1 <= BLOCK_RIGHT - 2 * EM + 0.5, word
