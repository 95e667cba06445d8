"""The procedure engine for one case: built from the case's PINNED bundle version, never the newest.

``ProcedureEngine(definition, matter, calendar)`` gets the matter and the procedure definition of the bundle
version the case started under, and a ``WorkCalendar`` that includes that bundle's holiday tables. Engines
are cached per (bundle, version, matter) for the life of the session.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session as OrmSession

from fzmediate.errors import FzError
from fzmediate.i18n import _
from fzmediate.procedure.definition import ProcedureDefinition
from fzmediate.procedure.engine import ProcedureEngine, load_definitions, standard_definitions

if TYPE_CHECKING:
    from fzmediate.services.catalogue import CatalogueService

log = logging.getLogger(__name__)


def definitions_for(procedures: Sequence[Mapping[str, Any]]) -> dict[str, ProcedureDefinition]:
    """The procedure definitions a bundle carries.

    Every bundle that carries definitions (the shipped Pingshan bundle does) runs its own, so its cases never
    see a later change. A bundle that carries none (``procedures`` is optional in the format) runs the
    engine's built-in standard definitions.
    """
    if not procedures:
        log.info("the bundle carries no procedure definitions: using the standard ones")
        procedures = standard_definitions()
    return load_definitions(procedures)


class CaseEngines:
    def __init__(self, catalogue: CatalogueService) -> None:
        self._catalogue = catalogue
        self._engines: dict[tuple[str, int, str], ProcedureEngine] = {}
        self._definitions: dict[tuple[str, int], dict[str, ProcedureDefinition]] = {}

    def for_case(
        self, bundle_id: str, bundle_version: int, matter_code: str, procedure_id: str, s: OrmSession | None = None
    ) -> ProcedureEngine:
        """``s``: the unit of work the caller is in, if any (the pinned bundle may have to be read)."""
        key = (bundle_id, bundle_version, matter_code)
        engine = self._engines.get(key)
        if engine is not None:
            return engine
        bundle = self._catalogue.bundle(bundle_id, bundle_version, s)
        matter = bundle.matter(matter_code)
        if matter is None:
            raise FzError(
                _("Catalogue {bundle} version {version} has no matter {code}.").format(
                    bundle=bundle_id, version=bundle_version, code=matter_code
                )
            )
        defs = self._definitions.get((bundle_id, bundle_version))
        if defs is None:
            defs = self._definitions[(bundle_id, bundle_version)] = definitions_for(bundle.procedures)
        definition = defs.get(procedure_id)
        if definition is None:
            raise FzError(
                _("Catalogue {bundle} version {version} does not define the procedure {procedure}.").format(
                    bundle=bundle_id, version=bundle_version, procedure=procedure_id
                )
            )
        engine = ProcedureEngine(definition, matter, self._catalogue.calendar(bundle_id, bundle_version, s))
        self._engines[key] = engine
        return engine
