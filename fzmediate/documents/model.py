"""A neutral model of a printed document: what it says, in order, without any layout decisions.

Templates (`fzmediate.documents.templates`) fill a `DocumentSpec` from case, catalogue and procedure data;
`fzmediate.documents.render` turns it into a PDF. Every text field is plain text (never markup). The spec
is immutable, so the same spec always renders to the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

#: The 签名 note under every place where a party signs (人民调解文书格式).
SIGN_NOTE = "（签名盖章或按指印）"


@dataclass(frozen=True)
class Heading:
    """A section heading such as ``一、当事人基本情况``, in the heavy face, kept with what follows."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    """Body text. `indent` indents the first line by two characters; `align` is for short lines."""

    text: str
    indent: bool = True
    align: Literal["justify", "left", "center", "right"] = "justify"


@dataclass(frozen=True)
class Clauses:
    """Numbered items (agreed terms, rights): each item is a paragraph starting with its number."""

    items: tuple[str, ...]
    numbering: Literal["一、", "（一）", "1.", "（1）"] = "1."

    def numbered(self) -> Iterator[str]:
        for index, item in enumerate(self.items, start=1):
            yield number_label(index, self.numbering) + item


@dataclass(frozen=True)
class PartyBlock:
    """One party: ``申请人：王某，男，汉族，……。`` The role, the name, then each detail as written."""

    role: str
    name: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyValues:
    """Labelled lines (``受理地点：……``), each on its own line with the label in front."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """A ruled table; `widths` are fractions of the text block width (they need not add up to 1)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()


@dataclass(frozen=True)
class Signatory:
    """One place to sign: the role (申请人, 调解员 …), the printed name if known, and the note under it."""

    role: str
    name: str = ""
    note: str = SIGN_NOTE


@dataclass(frozen=True)
class Signatures:
    """The signature area: each signatory gets a line to sign on (and a date line); kept on one page with
    the paragraph before it, so that a signature page never stands alone."""

    signatories: tuple[Signatory, ...]


@dataclass(frozen=True)
class DateSeal:
    """The issuing body's name and the date, right-aligned (右空四字), where the seal is pressed. Without a
    date, a blank ``年　月　日`` is printed to be filled in by hand on the day of signing."""

    issuer: str
    date: dt.date | None
    hanzi_year: bool = False


@dataclass(frozen=True)
class Blank:
    """Empty lines on the grid."""

    lines: int = 1


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


Block = Heading | Paragraph | Clauses | PartyBlock | KeyValues | Table | Signatures | DateSeal | Blank | PageBreak


@dataclass(frozen=True)
class DocumentMeta:
    """What identifies an issued document (carried by its seal and its PDF metadata)."""

    document_id: str
    issue_date: dt.date
    case_number: str = ""
    issuer: str = ""
    #: The moment of issue, used as the signing time so that re-rendering gives the same bytes.
    issued_at: dt.datetime | None = None
    #: PDF metadata subject / keywords (not printed).
    subject: str = ""


@dataclass(frozen=True)
class DocumentSpec:
    """A whole document: its kind (``mediation_agreement``, ``guide`` …), title, number and blocks."""

    kind: str
    title: str
    blocks: tuple[Block, ...]
    meta: DocumentMeta
    number: str = ""


_CHINESE_NUMERALS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 99 → 九十九 (for clause numbering up to 99)."""
    if not 0 < n < 100:
        raise ValueError("clause numbers run from 1 to 99")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CHINESE_NUMERALS[tens] + "十")
    return head + (_CHINESE_NUMERALS[ones] if ones else "")


def number_label(index: int, numbering: str) -> str:
    """The label of item `index` in a numbering style: 一、 （一） 1. （1）.

    The Arabic styles use the full-width full stop (``1．``) as GB/T 9704 §7.3.3 writes it.
    """
    if numbering == "一、":
        return chinese_numeral(index) + "、"
    if numbering == "（一）":
        return "（" + chinese_numeral(index) + "）"
    if numbering == "（1）":
        return "（{0}）".format(index)
    return "{0}．".format(index)
