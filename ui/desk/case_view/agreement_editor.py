"""The terms of a mediation agreement: who owes what to whom, how, where and by when.

Each term is a card (obligor, obligee, content, amount in yuan with its 大写 shown live beside it, performance
manner, place, deadline); terms are added, removed and moved up or down. ``value()`` gives the list of term
objects the act's payload takes (``fzmediate.procedure.payload``: amounts as decimal text, dates YYYY-MM-DD).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fzmediate.i18n import _
from fzmediate.procedure.form_types import Choice
from ui.style import set_role


def amount_in_words(text: str) -> str:
    """大写 of an amount in yuan (壹仟贰佰元整), "" when the text is not an amount."""
    import cn2an

    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        return ""
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return ""
    try:
        return str(cn2an.an2cn(str(amount), "rmb"))
    except (ValueError, KeyError):
        return ""


class TermCard(QGroupBox):
    changed = Signal()

    def __init__(self, parties: tuple[Choice, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.obligor = self._party_combo(parties)
        self.obligee = self._party_combo(parties)
        self.content = QLineEdit(self)
        self.amount = QLineEdit(self)
        self.amount.setPlaceholderText("1200.00")
        self.words = QLabel(self)
        self.words.setWordWrap(True)
        set_role(self.words, "hint")
        self.manner = QLineEdit(self)
        self.place = QLineEdit(self)
        self.deadline = QDateEdit(self)
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.deadline.setMinimumDate(QDate(2000, 1, 1))
        self.deadline.setSpecialValueText(_("(not set)"))
        self.deadline.setDate(self.deadline.minimumDate())
        amount_row = QWidget(self)
        row = QHBoxLayout(amount_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.amount, 1)
        row.addWidget(self.words, 2)
        rows = (
            (_("Obligor"), self.obligor),
            (_("Obligee"), self.obligee),
            (_("What is owed"), self.content),
            (_("Amount (yuan)"), amount_row),
            (_("Manner of performance"), self.manner),
            (_("Place of performance"), self.place),
            (_("Deadline"), self.deadline),
        )
        for label, widget in rows:
            form.addRow(label, widget)
            if widget is not amount_row:
                widget.setAccessibleName(label)
        self.amount.setAccessibleName(_("Amount (yuan)"))
        buttons = QHBoxLayout()
        self.up = QPushButton(_("Move up"), self)
        self.down = QPushButton(_("Move down"), self)
        self.remove = QPushButton(_("Remove term"), self)
        for b in (self.up, self.down, self.remove):
            b.setAccessibleName(b.text())
            buttons.addWidget(b)
        buttons.addStretch(1)
        form.addRow(buttons)
        self.amount.textChanged.connect(self._amount_changed)
        for edit in (self.content, self.manner, self.place):
            edit.textChanged.connect(self.changed)
        self.deadline.dateChanged.connect(self.changed)
        self.obligor.currentIndexChanged.connect(self.changed)
        self.obligee.currentIndexChanged.connect(self.changed)

    def _party_combo(self, parties: tuple[Choice, ...]) -> QComboBox:
        combo = QComboBox(self)
        combo.addItem(_("(choose)"), "")
        for p in parties:
            combo.addItem(p.label, p.value)
        return combo

    def _amount_changed(self, text: str) -> None:
        words = amount_in_words(text) if text.strip() else ""
        self.words.setText(words)
        self.amount.setAccessibleDescription(words)
        self.changed.emit()

    def set_number(self, n: int) -> None:
        self.setTitle(_("Term {n}").format(n=n))

    def value(self) -> dict[str, str]:
        day = self.deadline.date()
        return {
            "obligor": str(self.obligor.currentData() or ""),
            "obligee": str(self.obligee.currentData() or ""),
            "content": self.content.text(),
            "amount": self.amount.text().strip(),
            "manner": self.manner.text(),
            "place": self.place.text(),
            "deadline": "" if day == self.deadline.minimumDate() else str(day.toString("yyyy-MM-dd")),
        }


class TermsEditor(QWidget):
    """The list of term cards with "Add term"."""

    changed = Signal()

    def __init__(self, parties: tuple[Choice, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.parties = parties
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.cards_box = QVBoxLayout()
        layout.addLayout(self.cards_box)
        self.add = QPushButton(_("Add term"), self)
        self.add.setAccessibleName(_("Add term"))
        self.add.clicked.connect(self.add_term)
        layout.addWidget(self.add)
        self.cards: list[TermCard] = []

    def add_term(self) -> TermCard:
        card = TermCard(self.parties, self)
        card.changed.connect(self.changed)
        card.remove.clicked.connect(lambda: self._remove(card))
        card.up.clicked.connect(lambda: self._move(card, -1))
        card.down.clicked.connect(lambda: self._move(card, 1))
        self.cards.append(card)
        self._relayout()
        card.obligor.setFocus()
        self.changed.emit()
        return card

    def _remove(self, card: TermCard) -> None:
        self.cards.remove(card)
        card.setParent(None)
        card.deleteLater()
        self._relayout()
        self.add.setFocus()
        self.changed.emit()

    def _move(self, card: TermCard, step: int) -> None:
        i = self.cards.index(card)
        j = i + step
        if 0 <= j < len(self.cards):
            self.cards[i], self.cards[j] = self.cards[j], self.cards[i]
            self._relayout()
            self.changed.emit()

    def _relayout(self) -> None:
        for card in self.cards:
            self.cards_box.removeWidget(card)
        for n, card in enumerate(self.cards, 1):
            self.cards_box.addWidget(card)
            card.set_number(n)
            card.up.setEnabled(n > 1)
            card.down.setEnabled(n < len(self.cards))

    def value(self) -> list[dict[str, str]]:
        return [c.value() for c in self.cards]
