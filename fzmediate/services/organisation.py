"""The desk's organisation unit and what follows from it: which matters it may handle, in whose name it issues.

The unit is chosen at set-up (``fzmediate init --unit CODE``) or later by an administrator (``fzmediate office unit
CODE``, Settings) from the units of the active signed catalogue; enrollment with the district server will confirm
it. It is kept in the encrypted store (``Meta`` ``desk_unit``); changing it is audited, and the office signing key
is retired when the issuing name changes so the next seal carries the new name.

A desk without a unit, or whose unit does not implement a matter, may still register an application and transfer
it (深圳经济特区矛盾纠纷多元化解条例 第四十五条: a dispute outside the body's remit is transferred within three
working days); every other act and document is refused with the reason and the competent bodies named.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fzmediate.catalogue.model import Bundle, Matter, OrgUnit
from fzmediate.catalogue.org import Issuer, acting_unit, competent_issuers, implementing_names, issuer_for, require_unit
from fzmediate.errors import NotFoundError, ValidationError
from fzmediate.i18n import _
from fzmediate.security.permissions import require
from fzmediate.store.models import Meta

if TYPE_CHECKING:
    from fzmediate.services.session import Session

DESK_UNIT_KEY = "desk_unit"
#: Acts a desk may record for a matter its unit does not implement: the way out to the competent body.
OUTSIDE_REMIT_ACTS = frozenset({"transfer", "withdraw"})
#: Document kinds issued in the desk's own name whatever the matter (it received the application or sends it on).
DESK_DOCUMENTS = frozenset({"receipt", "transfer_notice"})


class OrganisationService:
    """The desk's unit (see module docs)."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def _bundle(self) -> Bundle:
        return self._s.catalogue.active()

    def units(self) -> tuple[OrgUnit, ...]:
        """The units a desk can belong to, as the active catalogue lists them."""
        require(self._s, "organisation.units")
        return self._bundle().units

    def desk_unit_code(self) -> str:
        with self._s.read() as s:
            row = s.get(Meta, DESK_UNIT_KEY)
            return row.value if row is not None else ""

    def desk_unit(self) -> OrgUnit | None:
        """The desk's unit, or None when it is not set yet."""
        code = self.desk_unit_code()
        if not code:
            return None
        unit = self._bundle().unit(code)
        if unit is None:
            raise NotFoundError(
                _("This desk's unit {code} is not in the active catalogue; an administrator chooses another.").format(
                    code=code
                )
            )
        return unit

    def set_desk_unit(self, code: str) -> OrgUnit:
        """Choose the desk's unit (administrators); audited; the office key follows the new issuing name."""
        require(self._s, "organisation.unit")
        bundle = self._bundle()
        unit = require_unit(bundle, code)
        keys = self._s.documents.keys
        with self._s.write("organisation.unit", "meta", DESK_UNIT_KEY, {"unit": unit.code}) as s:
            row = s.get(Meta, DESK_UNIT_KEY)
            if row is None:
                s.add(Meta(key=DESK_UNIT_KEY, value=unit.code))
            else:
                row.value = unit.code
            keys.apply_office_name(s, acting_unit(bundle, unit).name)
        return unit

    # --- what the desk may do ----------------------------------------------------------------------
    def _require_unit(self) -> OrgUnit:
        unit = self.desk_unit()
        if unit is None:
            raise ValidationError(
                _(
                    "Unit: this desk's organisation unit is not set, so it cannot act or issue for a matter. "
                    "An administrator sets it (fzmediate office unit CODE)."
                ),
                field="unit",
            )
        return unit

    def issuer(self, matter: Matter) -> Issuer:
        """The body in whose name this desk issues ``matter``'s documents; refused when the desk may not."""
        bundle = self._bundle()
        current = bundle.matter(matter.code) or matter
        unit = self._require_unit()
        found = issuer_for(bundle, current, unit)
        if found is None:
            raise ValidationError(
                _(
                    "Unit: {unit} does not implement the matter {matter}; it is implemented by {bodies}. "
                    "Transfer the application to the competent body."
                ).format(
                    unit=unit.name,
                    matter=current.name,
                    bodies="、".join(implementing_names(bundle, current)) or "—",
                ),
                field="unit",
            )
        return found

    def desk_issuer(self) -> Issuer:
        """The desk's own issuing body (a community desk issues in its street office's name)."""
        return Issuer.of(acting_unit(self._bundle(), self._require_unit()))

    def require_may_act(self, matter_code: str, action: str) -> None:
        """Refuse an act on a matter outside the desk's remit, except the way out (transfer, withdrawal)."""
        if action in OUTSIDE_REMIT_ACTS:
            return
        matter = self._bundle().matter(matter_code)
        if matter is None:
            raise NotFoundError(_("The active catalogue has no matter {code}.").format(code=matter_code))
        self.issuer(matter)

    def competent(self, matter: Matter) -> tuple[Issuer, ...]:
        """Who is competent for ``matter`` (for the application's 此致 and transfer suggestions)."""
        bundle = self._bundle()
        return competent_issuers(bundle, bundle.matter(matter.code) or matter)
