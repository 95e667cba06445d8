"""What the desk does before anyone is signed in: read the units for set-up, set up the store, reset a password
with the recovery code. Like the other desk calls these run where the store lives — in the store process in
production (``("gate", …)`` requests of :mod:`fzmediate.desk.store_host`), so the keys they create or open
never exist in the GUI process — but they take the :class:`~fzmediate.services.workspace.Workspace` (nothing
is unlocked yet) instead of a session: ``fn(workspace, *args)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fzmediate.services.dto import SetupResult
    from fzmediate.services.workspace import Workspace


def units(workspace: Workspace) -> tuple[tuple[str, str], ...]:
    """(code, name) of every organisation unit in the catalogue that ships with the app, in its order."""
    from fzmediate.catalogue.bundle import load_shipped_bundle

    return tuple((u.code, u.name) for u in load_shipped_bundle().bundle.units)


def initialize(workspace: Workspace, login: str, password: str, full_name: str, unit: str) -> SetupResult:
    """Create the encrypted store and its first administrator (see ``Workspace.initialize``)."""
    return workspace.initialize(login, password, full_name=full_name, unit=unit)


def recover(workspace: Workspace, code: str, login: str, password: str) -> str:
    """A new password for ``login`` with the recovery code; the NEW recovery code (``Workspace.recover``)."""
    return workspace.recover(code, login, password)
