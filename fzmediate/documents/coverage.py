"""Glyph coverage across a fallback chain: which face draws each character, and what no face can draw.

Rendering never falls back silently: ReportLab maps a character its font lacks to glyph 0 (a tofu box)
without a warning, so every text is checked here first and refused with `MissingGlyphError` naming the
character. `runs` splits a text into maximal runs drawn by one face each.
"""

from __future__ import annotations

from collections.abc import Sequence

from fzmediate.documents.errors import MissingGlyphError
from fzmediate.documents.fonts import BODY_CHAIN, register_fonts

#: Characters that are layout, not ink: a forced line break.
LAYOUT_CHARACTERS = frozenset("\n")

_choices: dict[tuple[str, ...], dict[str, str | None]] = {}


def face_for(char: str, chain: Sequence[str] = BODY_CHAIN) -> str | None:
    """The first face of `chain` that has `char`, or None."""
    key = tuple(chain)
    choices = _choices.get(key)
    if choices is None:
        choices = _choices.setdefault(key, {})
    try:
        return choices[char]
    except KeyError:
        pass
    faces = register_fonts()
    code = ord(char)
    found = next((name for name in key if code in faces[name]), None)
    choices[char] = found
    return found


def missing_glyphs(text: str, chain: Sequence[str] = BODY_CHAIN) -> list[str]:
    """Each character of `text` that no face of `chain` can draw, once, in order of first appearance."""
    missing: list[str] = []
    for char in dict.fromkeys(text):
        if char not in LAYOUT_CHARACTERS and face_for(char, chain) is None:
            missing.append(char)
    return missing


def require_glyphs(text: str, chain: Sequence[str] = BODY_CHAIN, *, field: str | None = None) -> None:
    """Raise `MissingGlyphError` unless every character of `text` can be drawn by `chain`."""
    missing = missing_glyphs(text, chain)
    if missing:
        raise MissingGlyphError(missing, field=field)


def runs(text: str, chain: Sequence[str] = BODY_CHAIN) -> list[tuple[str, str]]:
    """Split `text` into ``(face, text)`` runs, each drawn by one face; refuses a character no face has.

    Layout characters (the line break) stay in the run they interrupt.
    """
    require_glyphs(text, chain)
    result: list[tuple[str, str]] = []
    current: str | None = None
    buffer: list[str] = []
    for char in text:
        chosen = current if char in LAYOUT_CHARACTERS else face_for(char, chain)
        if chosen != current and buffer:
            result.append((current or chain[0], "".join(buffer)))
            buffer = []
        current = chosen
        buffer.append(char)
    if buffer:
        result.append((current or chain[0], "".join(buffer)))
    return result
