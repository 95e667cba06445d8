"""A matter's guide in plain words, for the kiosk's screen and its read-aloud: what the screen lists, no law.

Built from the signed catalogue entry (``Matter``) alone. The kiosk's words (headings, "within 5 working
days") follow the screen language; the catalogue's own text is returned as published and shown through
``fzmediate.catalogue.localize.localized`` (the printed guide, ``fzmediate.kiosk.printouts``, keeps the
district's Simplified wording whatever the language).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fzmediate.i18n import _, ngettext

if TYPE_CHECKING:
    from fzmediate.catalogue.model import Material, Matter, TimeLimit


@dataclass(frozen=True)
class MaterialLine:
    name: str
    form: str
    required: bool
    notes: str


@dataclass(frozen=True)
class GuideView:
    code: str
    name: str
    summary: str
    conditions: tuple[str, ...]
    materials: tuple[MaterialLine, ...]
    #: Each time limit as one plain sentence (already in the screen language around the catalogue's label).
    time_limits: tuple[str, ...]
    steps: tuple[str, ...]
    place: str
    hours: str
    phone: str
    fee: str
    visits: int


def amount_words(amount: int, unit: str) -> str:
    """``5 working days``, ``1 month`` … in the screen language."""
    if unit == "working_days":
        return ngettext("{n} working day", "{n} working days", amount).format(n=amount)
    if unit == "calendar_days":
        return ngettext("{n} day", "{n} days", amount).format(n=amount)
    if unit == "months":
        return ngettext("{n} month", "{n} months", amount).format(n=amount)
    return ngettext("{n} year", "{n} years", amount).format(n=amount)


def plain_time_limit(limit: TimeLimit) -> str:
    """One time limit as a plain sentence: whose clock it is, how long, from when."""
    span = amount_words(limit.amount, limit.unit)
    if limit.applies_to == "party":
        text = _("{label}: you have {span}, counted from {start}.")
    elif limit.applies_to == "court":
        text = _("{label}: the court has {span}, counted from {start}.")
    else:
        text = _("{label}: the office has {span}, counted from {start}.")
    return text.format(label=limit.label, span=span, start=limit.starts_from)


def form_words(material: Material) -> str:
    return {
        "original": _("original"),
        "copy": _("copy"),
        "original_and_copy": _("original and a copy"),
        "original_or_copy": _("original or a copy"),
    }[material.form]


def guide_view(matter: Matter) -> GuideView:
    materials = tuple(MaterialLine(m.name, form_words(m), m.required, m.notes) for m in matter.materials)
    fee = matter.fee.text if not matter.fee.free else _("Free of charge ({text})").format(text=matter.fee.text)
    return GuideView(
        code=matter.code,
        name=matter.name,
        summary=matter.guide.summary,
        conditions=tuple(matter.conditions),
        materials=materials,
        time_limits=tuple(plain_time_limit(t) for t in matter.time_limits),
        steps=tuple(matter.guide.steps),
        place=matter.place,
        hours=matter.hours,
        phone=matter.consult_phone,
        fee=fee,
        visits=matter.visits,
    )
