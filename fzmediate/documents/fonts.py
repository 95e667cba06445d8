"""The document fonts: which faces ship in resources/fonts, in which fallback order, registered with ReportLab.

Every face is a TrueType (glyf) subset built by ``resources/fonts/build_subsets.py`` and is always embedded
and subset in the PDF. Body text uses the Song/Ming face with three fallbacks behind it, so that every
ideograph of GB 18030-2022 levels 1 and 2 prints (see `fzmediate.documents.charsets`); titles use a heavy
Song face and fall back to the body chain for a character outside GB 2312.

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

BODY: Final = "DocSong"
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
    Face(BODY, "docsong-uming-cn.ttf", "body: Song/Ming (AR PL UMing CN)"),
    Face(TITLE, "doctitle-serif-sc-bold.ttf", "titles and headings: heavy Song (Noto Serif CJK SC Bold)"),
    Face("DocHanaMinA", "docfallback-hanamina.ttf", "fallback: HanaMinA (Ext A, rare BMP, level 2 supplement)"),
    Face("DocHanaMinB", "docfallback-hanaminb.ttf", "fallback: HanaMinB (Ext B names)"),
    Face("DocBabelStone", "docfallback-babelstonehan.ttf", "fallback: BabelStone Han (newest URO and Ext A)"),
)

#: Fallback order for body text: the first face that has a character draws it.
BODY_CHAIN: Final = (BODY, "DocHanaMinA", "DocHanaMinB", "DocBabelStone")
#: Fallback order for titles and headings.
TITLE_CHAIN: Final = (TITLE, *BODY_CHAIN)

_lock = threading.Lock()
_coverage: dict[str, frozenset[int]] = {}


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
    with _lock:
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
            # Code point 0 maps to .notdef in some cmaps; it is never a printable character.
            _coverage[spec.name] = frozenset(c for c in font.face.charToGlyph if c > 0)
    return _coverage


def coverage(name: str) -> frozenset[int]:
    """The code points face `name` can draw."""
    return register_fonts()[name]
