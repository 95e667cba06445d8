"""The read-aloud control of a kiosk screen: a button, and a large message when nothing can be read.

The platform voice is called on the operation helper's network worker (listing voices and starting a
speech-dispatcher or SAPI child take a moment); the answer comes back on the GUI thread. Where no voice for
the text's language exists the message says so on screen — never silence.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QVBoxLayout, QWidget

from fzmediate.i18n import _
from fzmediate.kiosk.speech import ReadAloud, Spoken
from ui.kiosk.widgets import TouchButton, label
from ui.ops import Ops


class ReadAloudBar(QWidget):
    """ "Read aloud" for one screen; ``text`` gives what the screen shows, as it is shown now."""

    def __init__(self, ops: Ops, reader: ReadAloud, text: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._reader = reader
        self._text = text
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.button = TouchButton(parent=self)
        self.button.clicked.connect(self.read)
        #: The screen places the message where it has room (a row of its own, above its actions).
        self.message = label("", parent, "message")
        self.message.hide()
        box.addWidget(self.button)
        #: The last outcome (what the screen told the visitor), for tests and the idle reset.
        self.last: Spoken | None = None
        self.retranslate()

    def read(self) -> None:
        text = self._text()
        if not text.strip():
            return
        reader = self._reader
        self.message.hide()
        self._ops.run_net(lambda _token: reader.read(text), on_success=self._done, parent=self)

    def _done(self, outcome: Spoken) -> None:
        self.last = outcome
        if outcome.spoken:
            self.message.hide()
            return
        self.message.setText(outcome.message)
        self.message.setAccessibleName(outcome.message)
        self.message.show()

    def stop(self) -> None:
        reader = self._reader
        self._ops.run_net(lambda _token: reader.stop(), parent=self)

    def reset_visit(self) -> None:
        if self.last is not None and self.last.spoken:
            self.stop()
        self.last = None
        self.message.clear()
        self.message.hide()

    def retranslate(self) -> None:
        self.button.set_texts(_("Read aloud"))
        self.button.setAccessibleDescription(_("The kiosk reads this page out loud"))
        if self.last is not None and not self.last.spoken:
            self._done(self.last)
