"""Who may handle a matter and in whose name its documents are issued (pure functions of the catalogue).

A desk belongs to one organisation unit of the signed catalogue (`Bundle.units`). A matter lists the units that
implement it (`Matter.implementing_units`); a desk may accept, handle and issue only for matters its unit
implements — a community desk works for its street office — and the documents carry the matter's issuing body
for that unit, which is not always the desk's own unit (land title disputes are handled by the planning bureau's
branch for the district government). Everything else goes out by a transfer notice in the desk's own name.

Organisation data is current data: a case pinned to an older catalogue version that had no units is resolved
against the units and matter entry of the active catalogue (same matter code).
"""

from __future__ import annotations

from dataclasses import dataclass

from fzmediate.catalogue.model import Bundle, Matter, MatterUnit, OrgUnit
from fzmediate.errors import ValidationError
from fzmediate.i18n import _


@dataclass(frozen=True)
class Issuer:
    """The body in whose name a document is issued, with the remedy facts that follow from it."""

    code: str
    name: str
    #: 行政复议机关 for its acts and the basis (行政复议法 2023 Art.24).
    review_body: str
    review_basis: str
    #: Court of first instance for 行政诉讼 against its acts and the basis.
    court: str
    court_basis: str

    @classmethod
    def of(cls, unit: OrgUnit) -> Issuer:
        return cls(unit.code, unit.name, unit.review_body, unit.review_basis, unit.court, unit.court_basis)


def require_unit(bundle: Bundle, code: str) -> OrgUnit:
    """The unit called ``code`` (surrounding blanks ignored); ValidationError on the field ``unit`` otherwise."""
    found = bundle.unit(code.strip())
    if found is None:
        raise ValidationError(
            _("Unit: {code} is not a unit of the catalogue (see fzmediate office units).").format(code=code.strip()),
            field="unit",
        )
    return found


def acting_unit(bundle: Bundle, unit: OrgUnit) -> OrgUnit:
    """The unit a desk acts as: a community acts for its street office (it issues nothing in its own name)."""
    if unit.issues or unit.parent is None:
        return unit
    parent = bundle.unit(unit.parent)
    return parent if parent is not None else unit


def handling(bundle: Bundle, matter: Matter, desk_unit: OrgUnit) -> MatterUnit | None:
    """The matter's entry for the desk's unit (or the street office a community desk works for), or None."""
    acting = acting_unit(bundle, desk_unit)
    for entry in matter.implementing_units:
        if entry.unit in (desk_unit.code, acting.code):
            return entry
    return None


def issuer_for(bundle: Bundle, matter: Matter, desk_unit: OrgUnit) -> Issuer | None:
    """The issuing body of ``matter`` when the desk's unit handles it, or None when it does not."""
    entry = handling(bundle, matter, desk_unit)
    if entry is None:
        return None
    unit = bundle.unit(entry.issuing_unit)
    return Issuer.of(unit) if unit is not None else None


def competent_issuers(bundle: Bundle, matter: Matter) -> tuple[Issuer, ...]:
    """Every distinct body in whose name the matter's documents may be issued, in catalogue order."""
    seen: dict[str, Issuer] = {}
    for entry in matter.implementing_units:
        unit = bundle.unit(entry.issuing_unit)
        if unit is not None and unit.code not in seen:
            seen[unit.code] = Issuer.of(unit)
    return tuple(seen.values())


def implementing_names(bundle: Bundle, matter: Matter) -> tuple[str, ...]:
    """The names of the units that implement the matter (what a refusal names as competent)."""
    names: list[str] = []
    for entry in matter.implementing_units:
        unit = bundle.unit(entry.unit)
        if unit is not None and unit.name not in names:
            names.append(unit.name)
    return tuple(names)
