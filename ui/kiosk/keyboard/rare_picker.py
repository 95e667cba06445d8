"""The rare-character picker: names with characters no pinyin list offers early (𠮷, 䶮, 𫖮), found by touch.

It opens on the characters best known from names; typing the reading (``ji`` for 𠮷 — the keyboard's letters
go to the picker while it is open) lists the rare characters with that reading, largest first on screen, a
page at a time. Only characters the screen's font can draw are offered (the index lists only those the
documents can print).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from fzmediate.i18n import _, current_locale
from ui.fonts import ui_draws
from ui.kiosk.application.look import set_kiosk_role, sized

ROWS, COLUMNS = 2, 8


class RarePicker(QFrame):
    """Pick one character; ``chosen`` carries it, ``closed`` says the visitor left the picker."""

    chosen = Signal(str)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._all: tuple[str, ...] = ()
        self._page = 0
        self._query = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        head = QHBoxLayout()
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        head.addWidget(self.title, 1)
        self.query = QLabel(self)
        set_kiosk_role(self.query, "number")
        head.addWidget(self.query)
        self.previous = QPushButton("◀", self)
        self.next = QPushButton("▶", self)
        self.close_button = QPushButton(self)
        for button in (self.previous, self.next, self.close_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            head.addWidget(sized(button))
        self.previous.clicked.connect(lambda: self._turn(-1))
        self.next.clicked.connect(lambda: self._turn(1))
        self.close_button.clicked.connect(self.closed.emit)
        layout.addLayout(head)
        grid = QGridLayout()
        grid.setSpacing(4)
        self.cells: list[QPushButton] = []
        for i in range(ROWS * COLUMNS):
            cell = QPushButton(self)
            cell.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            set_kiosk_role(cell, "candidate")
            cell.clicked.connect(lambda _checked=False, i=i: self._pick(i))
            grid.addWidget(sized(cell), i // COLUMNS, i % COLUMNS)
            self.cells.append(cell)
        layout.addLayout(grid)
        self.empty = QLabel(self)
        self.empty.setWordWrap(True)
        set_kiosk_role(self.empty, "hint")
        layout.addWidget(self.empty)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(_("Rare characters: type the reading (pinyin) on the keys below, then tap the character."))
        self.previous.setAccessibleName(_("Previous characters"))
        self.next.setAccessibleName(_("More characters"))
        self.close_button.setText(_("Close"))
        self.close_button.setAccessibleName(_("Close the rare-character picker"))
        self.query.setAccessibleName(_("Reading typed"))
        self.empty.setText(_("No rare character has this reading. Check the letters or delete one."))
        self._fill()

    def query_text(self) -> str:
        return self._query

    def set_characters(self, query: str, characters: Sequence[str]) -> None:
        self._query = query
        self.query.setText(query)
        self._all = tuple(c for c in characters if self._drawable(c))
        self._page = 0
        self._fill()

    def visible_characters(self) -> list[str]:
        return [c.text() for c in self.cells if c.text()]

    def clear(self) -> None:
        self.set_characters("", ())

    def _drawable(self, char: str) -> bool:
        """Whether the UI's faces draw ``char`` (the UI face or a document face behind it: ui/fonts.py)."""
        return ui_draws(char, current_locale())

    def _fill(self) -> None:
        start = self._page * len(self.cells)
        page = self._all[start : start + len(self.cells)]
        for i, cell in enumerate(self.cells):
            char = page[i] if i < len(page) else ""
            cell.setText(char)
            cell.setVisible(bool(char))
            cell.setAccessibleName(
                _("Character {char} (U+{code:04X})").format(char=char, code=ord(char)) if char else ""
            )
        self.previous.setEnabled(self._page > 0)
        self.next.setEnabled(start + len(self.cells) < len(self._all))
        self.empty.setVisible(bool(self._query) and not self._all)

    def _turn(self, delta: int) -> None:
        self._page = max(0, self._page + delta)
        self._fill()

    def _pick(self, i: int) -> None:
        char = self.cells[i].text()
        if char:
            self.chosen.emit(char)
