"""The character repertoires a printed document must support: GB 18030-2022 implementation levels 1 and 2.

GB 18030-2022 (mandatory since 2023-08-01) defines three implementation levels (Ken Lunde, "The GB 18030-2022
Standard"; see docs/documents.md):

* **Level 1** is the GB 18030-2005 mandatory repertoire, i.e. everything in the one- and two-byte parts plus
  CJK Extension A, plus the 66 URO ideographs U+9FA6–U+9FB3 and U+9FBC–U+9FEF.
* **Level 2** adds the 196 ideographs of 《通用规范汉字表》 (2013) that lie outside the BMP (Ext B–E).

This module computes those sets as data. The two-byte part comes from Python's ``gb18030`` codec, which
implements the 2005 mapping: its 24 private-use mappings are dropped, and the eight ideographs that the 2022
edition moved from the PUA to standard code points (U+9FB4–U+9FBB) are added back. Extension A is taken
whole (U+3400–U+4DBF, including the ten ideographs Unicode 13 added at U+4DB6–U+4DBF): including them costs
nothing and a name may use them. The Level 2 list is read from ``resources/fonts/gb18030-level2-supplement.txt``.

"Hanzi" here means a character with the Unicode property Ideographic: URO, Extension A and later, the CJK
compatibility ideographs, and 〇 (U+3007).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from fzmediate.resources import resource

#: Where the data files live (beside the fonts they describe).
LEVEL2_SUPPLEMENT_FILE: Final = ("fonts", "gb18030-level2-supplement.txt")
NAMES_SUPPLEMENT_FILE: Final = ("fonts", "names-supplement.txt")

EXT_A: Final = range(0x3400, 0x4DC0)
#: The 66 Unified Ideographs that GB 18030-2022 level 1 adds to the 2005 repertoire.
URO_ADDITIONS: Final = tuple(range(0x9FA6, 0x9FB4)) + tuple(range(0x9FBC, 0x9FF0))
#: Ideographs that the 2005 mapping sent to the PUA and GB 18030-2022 maps to standard code points.
URO_REMAPPED_2022: Final = tuple(range(0x9FB4, 0x9FBC))
#: Two-byte codes (FE51, FE52, FE53, FE6C, FE76, FE91) whose characters Unicode encodes in Extension B; the
#: standard still maps them to the PUA. Text typed on a modern system carries the Ext B code points, so the
#: fonts cover them as well (they are not counted in level 1).
PUA_CHARACTERS_IN_EXT_B: Final = (0x20087, 0x20089, 0x200CC, 0x215D7, 0x2298F, 0x241FE)


def is_hanzi(code: int) -> bool:
    """True for an ideograph (Unicode property Ideographic), the characters the repertoires count."""
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x323AF  # Extensions B–H
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
        or code == 0x3007
    )


def _is_pua(code: int) -> bool:
    return 0xE000 <= code <= 0xF8FF


@functools.cache
def two_byte_repertoire() -> frozenset[int]:
    """Every character of GB 18030's two-byte part (2005 mapping, PUA dropped), hanzi and symbols alike."""
    found: set[int] = set()
    trail = (*range(0x40, 0x7F), *range(0x80, 0xFF))
    for lead in range(0x81, 0xFF):
        for byte in trail:
            try:
                text = bytes((lead, byte)).decode("gb18030")
            except UnicodeDecodeError:
                continue
            if len(text) == 1 and not _is_pua(ord(text)):
                found.add(ord(text))
    return frozenset(found)


def single_byte_repertoire() -> frozenset[int]:
    """The printable one-byte part (ASCII)."""
    return frozenset(range(0x20, 0x7F))


@functools.cache
def level1_hanzi() -> frozenset[int]:
    """The ideographs of implementation level 1 (27,590 with the definition above)."""
    two_byte = {c for c in two_byte_repertoire() if is_hanzi(c)}
    return frozenset(two_byte | set(EXT_A) | set(URO_ADDITIONS) | set(URO_REMAPPED_2022))


@functools.cache
def level2_supplement() -> tuple[int, ...]:
    """The 196 《通用规范汉字表》 ideographs outside the BMP that level 2 adds, in code point order."""
    return read_codepoint_list(resource(*LEVEL2_SUPPLEMENT_FILE))


@functools.cache
def level2_hanzi() -> frozenset[int]:
    """Level 1 plus the level 2 supplement (27,786 ideographs)."""
    return level1_hanzi() | frozenset(level2_supplement())


@functools.cache
def names_supplement() -> tuple[int, ...]:
    """Ideographs beyond level 2 that the fonts carry because they occur in personal names (e.g. 𠮷)."""
    return read_codepoint_list(resource(*NAMES_SUPPLEMENT_FILE))


def printable_repertoire() -> frozenset[int]:
    """What the shipped fonts are built to cover: levels 1 and 2, every symbol of the one- and two-byte
    parts, the six Ext B ideographs behind GB 18030's remaining PUA codes, and the names supplement."""
    return (
        single_byte_repertoire()
        | two_byte_repertoire()
        | level2_hanzi()
        | frozenset(PUA_CHARACTERS_IN_EXT_B)
        | frozenset(names_supplement())
    )


def read_codepoint_list(path: Path) -> tuple[int, ...]:
    """Read a list of ``U+XXXX`` code points, one per line; ``#`` starts a comment.

    Each line may repeat the character after the code point (for people reading the file); the code point is
    what counts, and a repeated character that disagrees with it is an error, so the file cannot drift.
    """
    codes: list[int] = []
    for number, raw in enumerate(path.read_text("utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if not fields[0].upper().startswith("U+"):
            raise ValueError("{0}:{1}: expected U+XXXX, got {2!r}".format(path.name, number, fields[0]))
        code = int(fields[0][2:], 16)
        if len(fields) > 1 and fields[1] != chr(code):
            raise ValueError("{0}:{1}: {2} is not U+{3:04X}".format(path.name, number, fields[1], code))
        codes.append(code)
    if len(set(codes)) != len(codes):
        raise ValueError("{0}: a code point is listed twice".format(path.name))
    return tuple(sorted(codes))


def format_codepoint_list(codes: Iterable[int]) -> str:
    """The body of a code point list file: ``U+XXXX<TAB>char`` per line."""
    return "".join("U+{0:04X}\t{1}\n".format(c, chr(c)) for c in sorted(codes))
