"""What every screen of the desk's main window shares: its environment and the page contract.

A page is a plain ``QWidget`` built from a :class:`DeskEnv`. It reads and writes through
``env.context.call(fzmediate.desk.<module>.<fn>, …)`` only, and refreshes from the one broadcast of what
changed (:meth:`DeskPage.on_changed`, wired by the main window to ``Ops.changed``), never from another page.
It asks to open a case with :attr:`DeskPage.open_case_requested` (the main window owns the case tabs).

Language and text size change at run time by rebuilding the pages (the main window keeps which page and
which cases were open), so a page builds all its text in ``__init__`` and needs no retranslation code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from fzmediate.security.permissions import Role
from fzmediate.settings import Settings
from ui.a11y import name_qt_internals

if TYPE_CHECKING:
    from fzmediate.services.session import Actor
    from fzmediate.store.changes import OpChanges
    from ui.ops import Ops
    from ui.session_context import SessionContext


@dataclass
class DeskEnv:
    """What a page may use: the session context (store calls), the op helper, settings and who is signed in."""

    context: SessionContext
    settings: Settings

    @property
    def ops(self) -> Ops:
        return self.context.ops

    @property
    def actor(self) -> Actor:
        return self.context.actor

    @property
    def is_supervisor(self) -> bool:
        return self.actor.role in (Role.SUPERVISOR, Role.ADMIN)


class DeskPage(QWidget):
    """Base of the main window's pages (Today, Cases, Supervisor, Settings) and of the case view."""

    #: A case id (UUID) the user wants to open.
    open_case_requested = Signal(str)
    #: The user wants the kiosk applications waiting at this desk.
    open_inbox_requested = Signal()

    def __init__(self, env: DeskEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env

    def page_title(self) -> str:
        """The page's name in the navigation (translated)."""
        raise NotImplementedError

    def on_changed(self, changes: OpChanges, initiator: object) -> None:
        """What a write changed (from any page or dialog): refresh what this page shows of it."""

    def activated(self) -> None:
        """The page became visible: load or refresh what is stale."""

    def showEvent(self, event: QShowEvent) -> None:
        # Qt's own inner controls (spin box editors, table corner buttons) get names once they exist.
        name_qt_internals(self)
        super().showEvent(event)
