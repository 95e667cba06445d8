"""The end of a visit nobody finished: after a quiet spell a warning with a countdown and "More time"; when the
countdown runs out the shell resets the visit (every screen forgets, the clipboard is cleared).

No time pressure without warning (WCAG 2.2.1): the warning gives ``warning_seconds`` and one big button to
continue. The quiet spell is measured by the desk's idle watcher (``ui.idle_watch``: every touch, key or
input-method event counts) on an injected monotonic clock, so tests move time by hand.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from fzmediate.i18n import _, ngettext
from fzmediate.security.idle import IdleLock
from ui.idle_watch import IdleWatcher
from ui.kiosk.widgets import TouchButton, label

Clock = Callable[[], float]


class IdleWarning(QFrame):
    """The warning, over the whole window: "Are you still there?", the seconds left, "More time"."""

    more_time = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("idleWarning")
        self.setAutoFillBackground(True)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.card = QFrame(self)
        self.card.setProperty("kiosk", "overlay")
        box = QVBoxLayout(self.card)
        box.setContentsMargins(32, 28, 32, 28)
        box.setSpacing(18)
        self.title = label("", self.card, "title")
        self.countdown = label("", self.card, "countdown")
        self.countdown.setAccessibleName("")
        self.button = TouchButton(parent=self.card, primary=True)
        self.button.clicked.connect(self.more_time)
        for w in (self.title, self.countdown, self.button):
            box.addWidget(w)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.card, 3)
        row.addStretch(1)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.seconds = 0
        self.hide()
        self.retranslate()

    def set_seconds(self, seconds: int) -> None:
        self.seconds = seconds
        text = ngettext(
            "To protect your privacy, the screen will be cleared in {n} second.",
            "To protect your privacy, the screen will be cleared in {n} seconds.",
            seconds,
        ).format(n=seconds)
        self.countdown.setText(text)
        self.countdown.setAccessibleName(text)

    def retranslate(self) -> None:
        self.title.setText(_("Are you still there?"))
        self.button.set_texts(_("More time"), _("Touch here to continue"))
        self.set_seconds(self.seconds)


class VisitTimer(QObject):
    """Watches for a quiet spell, shows the warning, counts down, then emits ``expired``."""

    warned = Signal()
    expired = Signal()

    def __init__(
        self,
        warning: IdleWarning,
        *,
        idle_seconds: float,
        warning_seconds: float,
        tick_ms: int = 1000,
        clock: Clock = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.warning = warning
        self.clock = clock
        self.warning_seconds = warning_seconds
        self.watcher = IdleWatcher(IdleLock(idle_seconds, clock), tick_ms=tick_ms, parent=self)
        self.watcher.idle.connect(self._warn)
        self._countdown = QTimer(self)
        self._countdown.setInterval(tick_ms)
        self._countdown.timeout.connect(self._tick)
        self._deadline = 0.0
        warning.more_time.connect(self.more_time)

    @property
    def warning_shown(self) -> bool:
        return self._countdown.isActive()

    def start(self) -> None:
        self._countdown.stop()
        self.warning.hide()
        self.watcher.start()

    def stop(self) -> None:
        self.watcher.stop()
        self._countdown.stop()
        self.warning.hide()

    def more_time(self) -> None:
        self.start()

    def _warn(self) -> None:
        self._deadline = self.clock() + self.warning_seconds
        self.warning.set_seconds(math.ceil(self.warning_seconds))
        parent = self.warning.parentWidget()
        if parent is not None:
            self.warning.setGeometry(parent.rect())
        self.warning.show()
        self.warning.raise_()
        self.warning.button.setFocus()
        self._countdown.start()
        self.warned.emit()

    def _tick(self) -> None:
        left = self._deadline - self.clock()
        if left <= 0:
            self._countdown.stop()
            self.warning.hide()
            self.expired.emit()
            return
        self.warning.set_seconds(math.ceil(left))
