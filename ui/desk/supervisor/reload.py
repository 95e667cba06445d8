"""One load of a supervisor view at a time: a refresh asked for while one runs is remembered and runs once the
current one has finished (so a burst of ``on_changed`` broadcasts costs at most one more store call)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QAbstractButton


class SingleLoad:
    """Call :meth:`request` to load and :meth:`finished` from the load's success and failure callbacks.

    ``start`` queues the store call; ``button`` (the view's Refresh) is disabled while a load runs.
    """

    def __init__(self, start: Callable[[], None], button: QAbstractButton) -> None:
        self._start = start
        self._button = button
        self.running = False
        self._again = False

    def request(self) -> None:
        if self.running:
            self._again = True
            return
        self.running = True
        self._button.setEnabled(False)
        self._start()

    def finished(self) -> None:
        self.running = False
        self._button.setEnabled(True)
        if self._again:
            self._again = False
            self.request()
