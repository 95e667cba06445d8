"""The cancel token every desk call receives, as this package sees it (it imports no Qt).

``ui.ops.CancelToken`` (in-process) and the store process's token both have this shape.
"""

from __future__ import annotations

from typing import Protocol


class CancelToken(Protocol):
    @property
    def cancelled(self) -> bool: ...

    def check(self) -> None:
        """Raise ``Cancelled`` once the operation was cancelled (call it between steps)."""

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        """Report progress (delivered on the GUI thread)."""
