"""What every kiosk screen shares, and what each screen that holds a visitor's input promises.

The kiosk's store (``fzmediate.services.kiosk.KioskService``: catalogue, the office's public intake key, the
outbox of sealed applications) is opened by staff when the kiosk starts and is reached only through the one
background-operation helper (``ui.ops.Ops``), never from the GUI thread. The kiosk holds no case store and no key
that opens a case or an application.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from fzmediate.services.kiosk import KioskService
    from ui.ops import OpHandle, Ops

T = TypeVar("T")


@dataclass
class KioskEnv:
    ops: Ops
    service: KioskService

    def call(self, fn: Callable[..., T], *args: Any, **callbacks: Any) -> OpHandle[T]:
        """Run ``fn(service, *args)`` on the DB worker; ``on_success``, ``on_failure``, ``parent`` as for
        ``Ops.run_db`` (callbacks arrive on the GUI thread)."""
        service = self.service
        return self.ops.run_db(lambda _token: fn(service, *args), **callbacks)


@runtime_checkable
class VisitScreen(Protocol):
    """A kiosk screen. The shell calls ``reset_visit`` on every screen when a visit ends (the visitor pressed
    "finish", or the idle timer ran out): the screen forgets everything the visitor typed, chose or was shown
    (fields, selections, previews, input-method memory) and returns to its first state. ``retranslate`` shows
    every text in the language just chosen (简体 / 繁體 / English), without losing what is on the screen."""

    def reset_visit(self) -> None: ...

    def retranslate(self) -> None: ...
