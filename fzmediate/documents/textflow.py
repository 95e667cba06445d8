"""A Chinese text paragraph for ReportLab: grid line pitch, 避头尾, justification, font fallback, no markup.

ReportLab's own `Paragraph` parses its text as markup, lets a forbidden punctuation mark hang past the text
block, cannot justify a line without spaces and has no character spacing. Legal text needs all four, so the
body of every document goes through `TextBlock` instead:

* The text is plain text, never markup: ``<b>``, ``&nbsp;`` or ``<font size=40>`` in a name are printed as
  they are, by construction (there is no parser to reach).
* Lines sit on a fixed pitch (GB/T 9704: 22 lines in the 225 mm text block), the em box of each line starting
  at the top of its slot, so every page has the same grid whatever the faces on it.
* With ``chars_per_line`` the tracking is tightened so that many ideographs fill the measure exactly (GB/T 9704:
  28 per line; 28 at a true 16 pt would be 158 mm, 2 mm wider than the block).
* Line breaking: between any two ideographs, at spaces, never inside a Latin word or number (unless it is
  longer than a line) nor inside ——/……; a line never starts with ，。、；：？！”’）》 etc. nor ends with
  “‘（《 etc. (`reportlab_fixes.CANNOT_START/END`). A forbidden mark is squeezed onto the line when it
  overflows by at most half an em (推入), otherwise the character before it moves down with it (推出).
* 标点挤压 (punctuation compression, W3C clreq §3.1.6 / JIS X 4051 §4.1): a full-width mark whose glyph leaves
  half of its em blank loses that half where it meets another such mark (``）。``, ``。”``, ``，“``, ``（“``), and
  an opening bracket that starts a continuation line (or any line of a block without first-line indent) is
  not pushed in by its blank half. A mark squeezed onto a full line (推入) gives up its blank half first.
* A Latin word or number longer than the room left on a line (an 18-digit ID number, a URL) is broken when
  keeping it whole would leave more than `_MAX_SPREAD_EMS` to spread; a line that would still need gaps
  wider than a quarter em keeps its normal spacing instead of being justified.
* A typed line break (``\n``) starts a new paragraph: the next line gets the first-line indent again.
* Full lines are justified by character spacing, so the right edge is flush and nothing leaves the block.
* Each character is drawn by the first face of the style's chain that has it; a character that no face has
  raises `MissingGlyphError` before anything is drawn.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from reportlab.pdfbase import pdfmetrics
from reportlab.platypus.flowables import Flowable

from fzmediate.documents.coverage import face_for, require_glyphs
from fzmediate.documents.fonts import BODY_CHAIN, HALF_WIDTH, OPENING_MARKS, face, half_width_marks
from fzmediate.documents.reportlab_fixes import CANNOT_END, CANNOT_START

Align = Literal["justify", "left", "center", "right"]

#: Floating-point slack when comparing widths and heights (points).
_EPS = 1e-6
#: Characters that form one unbreakable unit when repeated (破折号 ——, 省略号 ……).
_INSEPARABLE = frozenset("—…")
#: A word is split rather than leaving more than this many ems to spread over the line it would not fit on.
_MAX_SPREAD_EMS = 3.0
#: Shortest word (in characters) that may be split to avoid such a spread.
_MIN_SPLIT_WORD = 8
#: Widest extra gap (in ems) justification may open between two characters; wider stays unjustified.
_MAX_JUSTIFY_GAP = 0.25


@dataclass(frozen=True)
class TextStyle:
    """How a block of text is set. Lengths in points; indents in characters of this style's size."""

    size: float
    pitch: float
    chain: tuple[str, ...] = BODY_CHAIN
    align: Align = "justify"
    first_indent: float = 0.0
    indent: float = 0.0
    right_indent: float = 0.0
    #: If set, tighten the tracking so that this many ideographs fill the full measure exactly.
    chars_per_line: int | None = None
    space_before: float = 0.0
    space_after: float = 0.0
    keep_with_next: bool = False

    def but(self, **changes: Any) -> TextStyle:
        """A copy with some fields changed."""
        return replace(self, **changes)


@dataclass
class _Unit:
    """The smallest piece line breaking handles: one ideograph, one Latin word, one space, or a break.

    `advance` is the natural width (with tracking); `blank_left`/`blank_right` how much of a full-width mark's
    em is blank on that side, and `trim_left`/`trim_right` how much of it compression removes.
    """

    text: str
    advance: float
    kind: Literal["glyph", "word", "space", "break"]
    blank_left: float = 0.0
    blank_right: float = 0.0
    trim_left: float = 0.0
    trim_right: float = 0.0

    @property
    def width(self) -> float:
        return self.advance - self.trim_left - self.trim_right

    @property
    def no_start(self) -> bool:
        return self.kind != "space" and self.text[:1] in CANNOT_START

    @property
    def no_end(self) -> bool:
        return self.kind != "space" and self.text[-1:] in CANNOT_END


@dataclass
class _Line:
    """One laid-out line. `lead_trim` is the blank half of an opening mark that starts the line and is not
    drawn."""

    units: list[_Unit]
    indent: float
    available: float
    justify: bool
    lead_trim: float = 0.0
    text: str = field(init=False)
    width: float = field(init=False)

    def __post_init__(self) -> None:
        while self.units and self.units[-1].kind == "space":
            self.units.pop()
        self.text = "".join(u.text for u in self.units)
        self.width = sum(u.width for u in self.units) - self.lead_trim


class TextBlock(Flowable):  # type: ignore[misc]
    """A paragraph of plain Chinese (or mixed) text laid out on a line grid; splits across pages by lines."""

    def __init__(self, text: str, style: TextStyle, *, _lines: list[_Line] | None = None, _first: bool = True):
        super().__init__()
        self.text = normalize_text(text)
        self.style = style
        self._first = _first
        self._lines = _lines
        self._lines_width: float | None = None if _lines is None else -1.0
        self.spaceBefore = style.space_before if _first else 0.0
        self.spaceAfter = style.space_after
        self.keepWithNext = style.keep_with_next
        if _lines is None:
            require_glyphs(self.text, style.chain)

    # --- metrics --------------------------------------------------------------------------------------
    def _tracking(self, width: float) -> float:
        count = self.style.chars_per_line
        if not count:
            return 0.0
        return width / count - self.style.size

    def _char_width(self, char: str, tracking: float) -> float:
        name = face_for(char, self.style.chain) or self.style.chain[0]
        font = pdfmetrics.getFont(name)
        return float(font.face.getCharWidth(ord(char))) * self.style.size / 1000.0 + tracking

    # --- line breaking ---------------------------------------------------------------------------------
    def _units(self, tracking: float) -> list[_Unit]:
        units: list[_Unit] = []
        text = self.text
        i, n = 0, len(text)
        while i < n:
            char = text[i]
            if char == "\n":
                units.append(_Unit(char, 0.0, "break"))
                i += 1
            elif char == " ":
                units.append(_Unit(char, self._char_width(char, tracking), "space"))
                i += 1
            elif _is_word_char(char):
                j = i
                while j < n and _is_word_char(text[j]):
                    j += 1
                word = text[i:j]
                units.append(_Unit(word, sum(self._char_width(c, tracking) for c in word), "word"))
                i = j
            elif char in _INSEPARABLE:
                j = i
                while j < n and text[j] == char:
                    j += 1
                run = text[i:j]
                units.append(_Unit(run, sum(self._char_width(c, tracking) for c in run), "glyph"))
                i = j
            else:
                units.append(self._glyph_unit(char, tracking))
                i += 1
        _compress(units)
        return units

    def _glyph_unit(self, char: str, tracking: float) -> _Unit:
        """One character as a unit; a full-width mark whose face has its half-width form (the face leaves that
        half blank) records the blank half compression may remove."""
        unit = _Unit(char, self._char_width(char, tracking), "glyph")
        if char in HALF_WIDTH:
            name = face_for(char, self.style.chain) or self.style.chain[0]
            if char in half_width_marks(name):
                alias = HALF_WIDTH[char]
                half = float(pdfmetrics.getFont(name).face.getCharWidth(ord(alias))) * self.style.size / 1000.0
                blank = unit.advance - tracking - half
                if char in OPENING_MARKS:
                    unit.blank_left = blank
                else:
                    unit.blank_right = blank
        return unit

    def _break(self, width: float) -> list[_Line]:
        style = self.style
        tracking = self._tracking(width)
        em = style.size + tracking
        narrowest = width - (style.indent + max(style.first_indent, 0.0) + style.right_indent) * em
        units = self._split_long_words(self._units(tracking), narrowest, tracking)
        lines: list[_Line] = []
        i, n = 0, len(units)
        first = self._first
        while i < n or not lines:
            first_indent = style.first_indent if first else 0.0
            indent = (style.indent + first_indent) * em
            available = width - indent - style.right_indent * em
            while i < n and units[i].kind == "space":
                i += 1
            # An opening mark at the start of a line is not pushed in by its blank half, except after the
            # first-line indent, where the mark fills the third character cell as written.
            lead = units[i].blank_left - units[i].trim_left if i < n and first_indent <= 0 else 0.0
            j, used = i, -lead
            while j < n and units[j].kind != "break" and used + units[j].width <= available + _EPS:
                used += units[j].width
                j += 1
            if j < n and units[j].kind == "word" and j > i:
                units[j : j + 1] = self._split_word(units[j], available - used, em, tracking)
                n = len(units)
                if units[j].width <= available - used + _EPS:
                    used += units[j].width
                    j += 1
            forced = j < n and units[j].kind == "break"
            if j < n and not forced:
                j = max(j, i + 1)
                j = self._kinsoku(units, i, j, used, available, style.size)
            justify = style.align == "justify" and j < n and not forced
            lines.append(_Line(units[i:j], indent, available, justify, lead))
            i = j + 1 if forced else j
            # A typed line break starts a new paragraph, with the first-line indent again.
            first = forced
            if i >= n and forced:
                indent = (style.indent + style.first_indent) * em
                lines.append(_Line([], indent, width - indent - style.right_indent * em, False))
        return lines

    def _split_word(self, unit: _Unit, room: float, em: float, tracking: float) -> list[_Unit]:
        """A long word that does not fit in `room` at the end of a line, split where the line is full (so the
        line need not be spread), or left whole when keeping it whole costs little."""
        if room <= _MAX_SPREAD_EMS * em + _EPS or len(unit.text) < _MIN_SPLIT_WORD:
            return [unit]
        widths = [self._char_width(c, tracking) for c in unit.text]
        cut, used = 0, 0.0
        while cut < len(widths) and used + widths[cut] <= room + _EPS:
            used += widths[cut]
            cut += 1
        # Keep two characters on each side, and do not start the rest with a mark that may not start a line.
        cut = min(cut, len(unit.text) - 2)
        while cut >= 2 and (unit.text[cut] in CANNOT_START or unit.text[cut - 1] in CANNOT_END):
            cut -= 1
        if cut < 2:
            return [unit]
        head, tail = unit.text[:cut], unit.text[cut:]
        return [_Unit(head, sum(widths[:cut]), "word"), _Unit(tail, sum(widths[cut:]), "word")]

    @staticmethod
    def _kinsoku(units: list[_Unit], i: int, j: int, used: float, available: float, size: float) -> int:
        """Move the break `j` so that no line starts with a CANNOT_START mark or ends with a CANNOT_END one.

        Spaces at the break are skipped when looking at what starts the next line and ends this one, since
        they vanish there.
        """
        n = len(units)

        def next_start(k: int) -> int:
            while k < n and units[k].kind == "space":
                k += 1
            return k

        def line_end(k: int) -> int:
            k -= 1
            while k > i and units[k].kind == "space":
                k -= 1
            return k

        start = next_start(j)
        if start < n and units[start].kind == "glyph" and units[start].no_start and len(units[start].text) == 1:
            overflow = used + sum(u.width for u in units[j : start + 1]) - available
            after = next_start(start + 1)
            if overflow <= size / 2 + _EPS and not (after < n and units[after].no_start):
                return start + 1  # 推入: squeeze the mark onto this line
        # 推出: carry units down until the next line starts legally (never emptying this line).
        k = j
        while k > i + 1:
            start = next_start(k)
            if start >= n or not (units[start].no_start or units[line_end(k)].no_end):
                break
            k -= 1
        return k

    def _split_long_words(self, units: list[_Unit], available: float, tracking: float) -> list[_Unit]:
        """A word longer than a line is broken into its characters (a long number or address code)."""
        if all(u.width <= available + _EPS for u in units if u.kind == "word"):
            return units
        result: list[_Unit] = []
        for unit in units:
            if unit.kind == "word" and unit.width > available + _EPS:
                result.extend(self._glyph_unit(c, tracking) for c in unit.text)
            else:
                result.append(unit)
        return result

    # --- Flowable protocol -------------------------------------------------------------------------------
    def lines(self, width: float) -> list[_Line]:
        if self._lines is None or (self._lines_width != -1.0 and self._lines_width != width):
            self._lines = self._break(width)
            self._lines_width = width
        return self._lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = len(self.lines(availWidth)) * self.style.pitch
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        lines = self.lines(availWidth)
        fit = math.floor((availHeight + _EPS) / self.style.pitch)
        if fit >= len(lines):
            return [self]
        if fit <= 0 or (fit == 1 and len(lines) > 1):
            return []  # no orphan: a single first line moves to the next page with the rest
        if len(lines) - fit == 1 and fit > 2:
            fit -= 1  # no widow: leave at least two lines for the next page
        head = TextBlock(self.text, self.style, _lines=lines[:fit], _first=self._first)
        tail = TextBlock(self.text, self.style, _lines=lines[fit:], _first=False)
        head.spaceAfter = 0.0
        return [head, tail]

    def draw(self) -> None:
        canvas = self.canv
        style = self.style
        lines = self.lines(self.width)
        top_em = face(style.chain[0]).em_top * style.size
        for number, line in enumerate(lines):
            if not line.units:
                continue
            y = self.height - number * style.pitch - top_em
            x, spacing = self._placement(line)
            text = canvas.beginText(x, y)
            text.setCharSpace(spacing)
            current = None
            for name, run in self._segments(line):
                if name != current:
                    text.setFont(name, style.size)
                    current = name
                text.textOut(run)
            canvas.drawText(text)

    def _segments(self, line: _Line) -> list[tuple[str, str]]:
        """``(face, text)`` runs of a line as drawn.

        A compressed mark is drawn as its half-width form (`fonts.HALF_WIDTH`), whose advance is half an em:
        so glyph boxes never overlap (poppler takes an overlapping glyph for the start of a new word) and the
        text extracted is still the mark itself (ToUnicode maps the form back).
        """
        pieces: list[tuple[str, str]] = []
        for index, unit in enumerate(line.units):
            compressed = bool(unit.trim_left or unit.trim_right or (index == 0 and line.lead_trim))
            for char in unit.text:
                name = face_for(char, self.style.chain) or self.style.chain[0]
                drawn = HALF_WIDTH[char] if compressed else char
                if pieces and pieces[-1][0] == name:
                    pieces[-1] = (name, pieces[-1][1] + drawn)
                else:
                    pieces.append((name, drawn))
        return pieces

    def _placement(self, line: _Line) -> tuple[float, float]:
        """Left x of the line and the character spacing (tracking plus justification) to draw it with."""
        style = self.style
        tracking = self._tracking(self.width)
        glyphs = len(line.text)
        slack = line.available - line.width
        spacing = tracking
        # Justify a full line (unless that would open gaps wider than a quarter em: a line cut short before
        # an unbreakable run keeps its normal spacing), and always take back an overflow from a squeezed-in
        # punctuation mark.
        if glyphs > 1 and (slack < 0 or (line.justify and slack <= style.size * _MAX_JUSTIFY_GAP * (glyphs - 1))):
            spacing += slack / (glyphs - 1)
            slack = 0.0
        if style.align == "center":
            return line.indent + slack / 2, spacing
        if style.align == "right":
            return line.indent + slack, spacing
        return line.indent, spacing

    def split_last(self, count: int, width: float) -> tuple[TextBlock, TextBlock] | None:
        """This block as two: all but its last `count` lines at `width`, and those lines (None when it has
        no more than `count` lines). Used to keep the end of a paragraph with what must follow it."""
        lines = self.lines(width)
        if len(lines) <= count:
            return None
        head = TextBlock(self.text, self.style, _lines=lines[:-count], _first=self._first)
        tail = TextBlock(self.text, self.style, _lines=lines[-count:], _first=False)
        head.spaceAfter = 0.0
        head.keepWithNext = False
        return head, tail

    def line_texts(self, width: float) -> list[str]:
        """The text of each line at `width` (for tests and for checking 避头尾)."""
        return [line.text for line in self.lines(width)]


def _compress(units: list[_Unit]) -> None:
    """标点挤压 between adjacent full-width marks: where two blank halves meet, one goes (clreq §3.1.6.1).

    A closing mark followed by another mark loses its right half (``）。`` ``。”`` ``，（``); an opening mark
    after an opening mark loses its left half (``（“``). Two inks facing away (``（）``) keep both halves.
    """
    for left, right in itertools.pairwise(units):
        if left.kind != "glyph" or right.kind != "glyph":
            continue
        if left.blank_right and (right.blank_left or right.blank_right):
            left.trim_right = left.blank_right
        elif left.blank_left and right.blank_left:
            right.trim_left = right.blank_left


def _is_word_char(char: str) -> bool:
    """Latin letters, digits and their punctuation: kept together on a line (ideographs break anywhere)."""
    code = ord(char)
    return 0x21 <= code < 0x2000 and char != "·"


def normalize_text(text: str) -> str:
    """Line breaks to ``\\n``; tabs, no-break and other Unicode spaces to one plain space; zero-width marks out.

    Nothing else is changed: no Unicode normalization, which would turn a CJK compatibility ideograph in a
    name into its unified twin.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for char in text:
        if char in "\t\u00a0\u2002\u2003\u2009\u202f\u205f":
            out.append(" ")
        elif char in "\u200b\u200c\u200d\u2060\ufeff":
            continue
        else:
            out.append(char)
    return "".join(out)
