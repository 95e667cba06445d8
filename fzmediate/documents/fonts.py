"""The document fonts: which faces ship in resources/fonts, in which fallback order, registered with ReportLab.

Every face is a TrueType (glyf) subset built by ``resources/fonts/build_subsets.py`` and is always embedded
and subset in the PDF. Body text uses a 仿宋 face (GB/T 9704: 3号仿宋) with the Song/Ming face and three more
fallbacks behind it, so that every ideograph of GB 18030-2022 levels 1 and 2 prints (see
`fzmediate.documents.charsets`); titles use a heavy Song face and fall back to the body chain for a character
outside GB 2312. Page numbers are set in the Song face (GB/T 9704 §7.5: 4号半角宋体阿拉伯数字).

Registration happens once per process, on first use, and is thread-safe. Reading the faces costs about
0.3 s, so a UI may call `register_fonts` from a background thread at start-up.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from fzmediate.resources import resource

#: The body face (仿宋): the first face of `BODY_CHAIN`.
BODY: Final = "DocFangsong"
#: The Song/Ming face: the body's first fallback, and the page numbers.
SONG: Final = "DocSong"
TITLE: Final = "DocTitle"


@dataclass(frozen=True)
class Face:
    """One shipped font file: the name documents use for it, its file, and what it is for."""

    name: str
    file: str
    role: str
    #: Nominal top of the ideographic em box above the baseline, as a fraction of the font size. The layout
    #: places lines by the em box rather than by each font's ascent, so mixed faces share one baseline grid.
    em_top: float = 0.88


FACES: Final = (
    Face(BODY, "docfangsong-zhuque.ttf", "body: Fangsong (朱雀仿宋, renamed subset)"),
    Face(SONG, "docsong-uming-cn.ttf", "body fallback and page numbers: Song/Ming (AR PL UMing CN)"),
    Face(TITLE, "doctitle-serif-sc-bold.ttf", "titles and headings: heavy Song (Noto Serif CJK SC Bold)"),
    Face("DocHanaMinA", "docfallback-hanamina.ttf", "fallback: HanaMinA (Ext A, rare BMP, level 2 supplement)"),
    Face("DocHanaMinB", "docfallback-hanaminb.ttf", "fallback: HanaMinB (Ext B names)"),
    Face("DocBabelStone", "docfallback-babelstonehan.ttf", "fallback: BabelStone Han (newest URO and Ext A)"),
)

#: Fallback order for body text: the first face that has a character draws it.
BODY_CHAIN: Final = (BODY, SONG, "DocHanaMinA", "DocHanaMinB", "DocBabelStone")
#: Fallback order for titles and headings.
TITLE_CHAIN: Final = (TITLE, *BODY_CHAIN)

#: Full-width marks that 标点挤压 may set half-width: opening marks lose their blank left half, the others
#: their blank right half. The body face carries a half-width form of each (its glyph on a half-em advance,
#: built by ``build_subsets.py``) at the private-use code point ``HALF_WIDTH_BASE + index``; the PDF maps it
#: back to the mark itself (ToUnicode, `reportlab_fixes`), so text extraction sees the real character and
#: no two glyph boxes overlap. Private-use code points are never accepted from text (not in `coverage`).
OPENING_MARKS: Final = "（《“‘【〔「『〈〖｛［"
CLOSING_MARKS: Final = "）》”’】〕」』〉〗｝］，。、；：！？"
HALF_WIDTH_BASE: Final = 0xE000
HALF_WIDTH: Final = {mark: chr(HALF_WIDTH_BASE + i) for i, mark in enumerate(OPENING_MARKS + CLOSING_MARKS)}
#: Private-use alias → the mark it stands for (for ToUnicode).
HALF_WIDTH_SOURCE: Final = {ord(alias): ord(mark) for mark, alias in HALF_WIDTH.items()}

_lock = threading.Lock()
_register_lock = threading.Lock()
_coverage: dict[str, frozenset[int]] = {}
_aliases: dict[str, frozenset[str]] = {}


def half_width_marks(name: str) -> frozenset[str]:
    """The marks face `name` has a half-width form of (see `HALF_WIDTH`)."""
    register_fonts()
    return _aliases[name]


def font_path(face: Face) -> Path:
    return resource("fonts", face.file)


def face(name: str) -> Face:
    """The shipped face called `name` (KeyError for an unknown name)."""
    for candidate in FACES:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def register_fonts() -> Mapping[str, frozenset[int]]:
    """Register every face with ReportLab (once) and return each face's character coverage."""
    if len(_coverage) == len(FACES):
        return _coverage
    with _register_lock:
        if len(_coverage) == len(FACES):
            return _coverage
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        from fzmediate.documents.reportlab_fixes import apply_fixes

        apply_fixes()
        registered = set(pdfmetrics.getRegisteredFontNames())
        for spec in FACES:
            if spec.name in registered:
                font = pdfmetrics.getFont(spec.name)
            else:
                font = TTFont(spec.name, str(font_path(spec)))
                pdfmetrics.registerFont(font)
            # Code point 0 maps to .notdef in some cmaps; it is never a printable character. The private-use
            # half-width forms are drawn by the layout only, never taken from text.
            codes = font.face.charToGlyph
            _aliases[spec.name] = frozenset(m for m, a in HALF_WIDTH.items() if ord(a) in codes)
            _coverage[spec.name] = frozenset(c for c in codes if c > 0 and c not in HALF_WIDTH_SOURCE)
    return _coverage


def coverage(name: str) -> frozenset[int]:
    """The code points face `name` can draw."""
    return register_fonts()[name]
