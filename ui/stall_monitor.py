"""How long the GUI thread was unable to run its event loop: the stalls a user feels.

A timer asks to run every ``interval_ms``; when it runs late, the GUI thread was busy (a callback, a layout,
a paint) for that long. ``longest`` and ``stalls`` (each lateness above ``threshold_ms``) are what the
benchmarks report against the issue's "no GUI-thread stall over 50 ms". Measurement only: the app never
starts one.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer


class StallMonitor(QObject):
    def __init__(self, interval_ms: int = 5, threshold_ms: float = 50.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval = interval_ms / 1000
        self.threshold = threshold_ms / 1000
        #: Seconds by which the timer ran late, every time it was later than ``threshold``.
        self.stalls: list[float] = []
        self.longest = 0.0
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.stalls.clear()
        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._tick()

    def _tick(self) -> None:
        now = time.perf_counter()
        late = now - self._last - self.interval
        self._last = now
        if late > self.longest:
            self.longest = late
        if late > self.threshold:
            self.stalls.append(late)
