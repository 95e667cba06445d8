"""The row above the keys in pinyin mode: the letters typed so far and the characters they may stand for."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from fzmediate.i18n import _
from ui.kiosk.application.look import set_kiosk_role, sized

#: Candidates shown at once (the arrows page through the rest).
PAGE = 8


class CandidateBar(QWidget):
    """Shows ``letters`` and a page of ``candidates``; ``chosen`` carries the character tapped."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._candidates: tuple[str, ...] = ()
        self._page = 0
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.letters = QLabel(self)
        self.letters.setMinimumWidth(120)
        set_kiosk_role(self.letters, "hint")
        row.addWidget(self.letters)
        self.previous = QPushButton("◀", self)
        self.previous.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.previous.clicked.connect(lambda: self._turn(-1))
        row.addWidget(sized(self.previous))
        self.buttons: list[QPushButton] = []
        for i in range(PAGE):
            button = QPushButton(self)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            set_kiosk_role(button, "candidate")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _checked=False, i=i: self._pick(i))
            row.addWidget(sized(button), 1)
            self.buttons.append(button)
        self.next = QPushButton("▶", self)
        self.next.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.next.clicked.connect(lambda: self._turn(1))
        row.addWidget(sized(self.next))
        self.retranslate()
        self.show_candidates("", ())

    def retranslate(self) -> None:
        self.previous.setAccessibleName(_("Previous candidates"))
        self.next.setAccessibleName(_("More candidates"))
        self._fill()

    def show_candidates(self, letters: str, candidates: Sequence[str]) -> None:
        self._candidates = tuple(candidates)
        self._page = 0
        self.letters.setText(letters)
        self.letters.setAccessibleName(_("Letters typed: {letters}").format(letters=letters) if letters else "")
        self._fill()

    def visible_candidates(self) -> list[str]:
        return [b.text() for b in self.buttons if b.text()]

    def clear(self) -> None:
        self.show_candidates("", ())

    def _fill(self) -> None:
        start = self._page * PAGE
        page = self._candidates[start : start + PAGE]
        for i, button in enumerate(self.buttons):
            char = page[i] if i < len(page) else ""
            button.setText(char)
            button.setEnabled(bool(char))
            button.setAccessibleName(_("Candidate {number}: {char}").format(number=i + 1, char=char) if char else
                                     _("Candidate {number}").format(number=i + 1))  # fmt: skip
        self.previous.setEnabled(self._page > 0)
        self.next.setEnabled(start + PAGE < len(self._candidates))

    def _turn(self, delta: int) -> None:
        self._page = max(0, self._page + delta)
        self._fill()

    def _pick(self, i: int) -> None:
        char = self.buttons[i].text()
        if char:
            self.chosen.emit(char)
