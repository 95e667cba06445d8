"""The cancel token every desk call receives, as this package sees it (it imports no Qt).

``ui.ops.CancelToken`` (in-process) and the store process's token both have this shape; both build on
:class:`EventToken`, which holds the cancellation they share.
"""

from __future__ import annotations

import threading
from typing import ClassVar, Protocol


class Cancelled(Exception):
    """Raised inside an operation by ``token.check()`` once the operation has been cancelled."""


class CancelToken(Protocol):
    @property
    def cancelled(self) -> bool: ...

    def check(self) -> None:
        """Raise ``Cancelled`` once the operation was cancelled (call it between steps)."""

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        """Report progress (delivered on the GUI thread)."""


class EventToken:
    """Cooperative cancellation through a ``threading.Event``; subclasses say where progress reports go."""

    #: What ``check()`` raises once cancelled.
    cancelled_error: ClassVar[type[Exception]] = Cancelled

    def __init__(self, event: threading.Event | None = None) -> None:
        self._event = event if event is not None else threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise :attr:`cancelled_error` if the operation was cancelled (call it between steps)."""
        if self._event.is_set():
            raise self.cancelled_error()

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        """Report progress (this base class drops it)."""
