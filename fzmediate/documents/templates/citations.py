"""The legal citations a case document prints, taken from the matter's citation table in the signed catalogue.

No template writes an article number of its own: ``cite(matter, "consent")`` returns what the catalogue of the
case's pinned version says (e.g. ``《深圳经济特区矛盾纠纷多元化解条例》第二十一条``), so the district corrects a
citation by re-signing the bundle. A purpose the document needs and the table lacks is refused with a message
naming the matter and the purpose — never replaced by a guess. Optional statements (a matter's own rules:
治安调解 penalties, the labour arbitration rule, the joint application of a traffic mediation) are printed only
when the table gives their purpose (`cited`).

行政调解 rests on 深圳经济特区矛盾纠纷多元化解条例, 深府规〔2024〕7号 and, for 司法确认, 民事诉讼法 第二百零五条; the
sources that govern 人民调解委员会 (`PEOPLES_MEDIATION_SOURCES`) are printed only where a matter's own table
names them.
"""

from __future__ import annotations

from typing import Final

from fzmediate.catalogue.model import Matter
from fzmediate.errors import ValidationError
from fzmediate.i18n import _

#: Sources of 人民调解 (by 人民调解委员会), not of 行政调解: a document prints them only when its matter's
#: citation table does.
PEOPLES_MEDIATION_SOURCES: Final[tuple[str, ...]] = (
    "人民调解法",
    "人民调解工作若干规定",
    "法释〔2011〕5号",
    "人民调解协议司法确认程序",
)


def cite(matter: Matter, purpose: str) -> str:
    """The provisions cited for ``purpose``; ValidationError naming matter and purpose when there are none."""
    found = matter.citation(purpose)
    if found is None:
        raise ValidationError(
            _(
                "The catalogue gives matter {code} no citation for “{purpose}”; publish a catalogue whose "
                "citation table has it before making this document."
            ).format(code=matter.code, purpose=purpose),
            field="citations",
        )
    return found


def cited(matter: Matter, purpose: str) -> str | None:
    """The provisions cited for an optional ``purpose``, or None: the statement is then left out."""
    return matter.citation(purpose)


def basis(text: str) -> str:
    """``（依据）`` for a citation placed after a sentence (empty text gives nothing)."""
    return "（{0}）".format(text) if text else ""
