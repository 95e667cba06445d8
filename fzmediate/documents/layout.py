"""Page geometry and text styles after GB/T 9704-2012 《党政机关公文格式》.

* A4 (210 × 297 mm); 天头 (top margin) 37 mm, 订口 (binding/left margin) 28 mm; 版心 (text block) 156 × 225 mm,
  which leaves 26 mm on the right and 35 mm at the bottom.
* Body 3号 (16 pt) Song, 22 lines of 28 characters: the line pitch is 225 mm / 22 = 28.99 pt and the tracking is
  tightened by 0.21 pt so that 28 ideographs fill 156 mm (see `textflow`). First line indented 2 characters
  (左空二字, 回行顶格).
* Title 2号 (22 pt) in the heavy face, centred, followed by one empty line.
* Page numbers (§7.5): 4号 (14 pt) half-width digits between two 一字线, ``— 1 —``, the top of the number 7 mm
  below the text block; odd pages right-aligned with one character of space, even pages left-aligned with one.
* The date line (§7.3.5): 右空四字 (four characters from the right edge).

Lengths are in PDF points (1/72 inch) unless the name says ``_MM``.
"""

from __future__ import annotations

from typing import Final

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from fzmediate.documents.fonts import BODY_CHAIN, SONG, TITLE_CHAIN, face
from fzmediate.documents.textflow import TextStyle

MM: Final = 72.0 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = A4
TOP_MARGIN_MM: Final = 37.0
LEFT_MARGIN_MM: Final = 28.0
BLOCK_WIDTH_MM: Final = 156.0
BLOCK_HEIGHT_MM: Final = 225.0
LINES_PER_PAGE: Final = 22
CHARS_PER_LINE: Final = 28

BLOCK_LEFT: Final = LEFT_MARGIN_MM * MM
BLOCK_WIDTH: Final = BLOCK_WIDTH_MM * MM
BLOCK_HEIGHT: Final = BLOCK_HEIGHT_MM * MM
BLOCK_TOP: Final = PAGE_HEIGHT - TOP_MARGIN_MM * MM  # y of the block's top edge (PDF y grows upwards)
BLOCK_BOTTOM: Final = BLOCK_TOP - BLOCK_HEIGHT
BLOCK_RIGHT: Final = BLOCK_LEFT + BLOCK_WIDTH
PITCH: Final = BLOCK_HEIGHT / LINES_PER_PAGE

# 字号 (Chinese type sizes) in points.
SIZE_2HAO: Final = 22.0
SIZE_3HAO: Final = 16.0
SIZE_4HAO: Final = 14.0
SIZE_XIAO4: Final = 12.0

PAGE_NUMBER_GAP_MM: Final = 7.0
DASH: Final = "—"  # 一字线

BODY_STYLE: Final = TextStyle(
    size=SIZE_3HAO, pitch=PITCH, chain=BODY_CHAIN, first_indent=2, chars_per_line=CHARS_PER_LINE
)
TITLE_STYLE: Final = TextStyle(size=SIZE_2HAO, pitch=PITCH, chain=TITLE_CHAIN, align="center", space_after=PITCH)
#: Headings (一、……) in the heavy face: the 黑体 of GB/T 9704 is replaced by the heavy Song we ship.
HEADING_STYLE: Final = BODY_STYLE.but(chain=TITLE_CHAIN)
#: A line without first-line indent (party details after the first line, signature lines).
FLUSH_STYLE: Final = BODY_STYLE.but(first_indent=0)
NUMBER_STYLE: Final = BODY_STYLE.but(first_indent=0, align="right", space_after=0)
DATE_STYLE: Final = BODY_STYLE.but(first_indent=0, align="right", right_indent=4)
CENTER_STYLE: Final = BODY_STYLE.but(first_indent=0, align="center")
#: Table cells: 小四 (12 pt) on a 1.5-line pitch, no grid tracking.
CELL_STYLE: Final = TextStyle(size=SIZE_XIAO4, pitch=SIZE_XIAO4 * 1.5, chain=BODY_CHAIN, align="left")
CELL_HEAD_STYLE: Final = CELL_STYLE.but(chain=TITLE_CHAIN, align="center")


def page_number_text(number: int) -> str:
    """``— 7 —``: half-width digits between two 一字线, one half-width space on each side."""
    return "{0} {1} {0}".format(DASH, number)


def draw_page_number(canvas: Canvas, number: int) -> None:
    """Draw the page number of page `number` (1-based) where GB/T 9704 §7.5 puts it."""
    text = page_number_text(number)
    size = SIZE_4HAO
    width = canvas.stringWidth(text, SONG, size)
    top = BLOCK_BOTTOM - PAGE_NUMBER_GAP_MM * MM
    baseline = top - face(SONG).em_top * size
    one_char = SIZE_3HAO  # "one character" of space is one body character (3号)
    x = BLOCK_RIGHT - one_char - width if number % 2 == 1 else BLOCK_LEFT + one_char
    canvas.setFont(SONG, size)
    canvas.drawString(x, baseline, text)


def text_ems(text: str, chain: tuple[str, ...] = BODY_CHAIN) -> float:
    """Width of `text` in ems (characters of its size), each character measured in the face that draws it."""
    from reportlab.pdfbase import pdfmetrics

    from fzmediate.documents.coverage import face_for

    total = 0.0
    for char in text:
        name = face_for(char, chain) or chain[0]
        total += float(pdfmetrics.getFont(name).face.getCharWidth(ord(char))) / 1000.0
    return total
