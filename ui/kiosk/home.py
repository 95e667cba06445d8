"""The kiosk's home screen: "What happened to you?" and one big answer per area, plus "not sure".

The answers come from the self-help tree (``fzmediate.kiosk.self_help``), catalogue wording shown in the
screen's script (``localized``). Nothing the visitor does here is kept: the screen only emits where to go.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from fzmediate.catalogue.localize import localized
from fzmediate.i18n import _
from fzmediate.kiosk.self_help import SelfHelpTree
from ui.kiosk.widgets import PageBody, TouchButton, clear_layout, label

COLUMNS = 2


class HomeScreen(QWidget):
    area_chosen = Signal(str)
    unsure = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree: SelfHelpTree | None = None
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.body = PageBody(self)
        box.addWidget(self.body, 1)
        column = self.body.column
        self.title = label("", self, "title")
        self.subtitle = label("", self, "hint")
        self.grid = QGridLayout()
        self.grid.setSpacing(14)
        for column_index in range(COLUMNS):
            self.grid.setColumnStretch(column_index, 1)
        self.unsure_button = TouchButton(parent=self)
        self.unsure_button.clicked.connect(self.unsure)
        column.addWidget(self.title)
        column.addWidget(self.subtitle)
        column.addLayout(self.grid)
        column.addWidget(self.unsure_button)
        column.addStretch(1)
        self.area_buttons: list[TouchButton] = []
        self.retranslate()

    def set_tree(self, tree: SelfHelpTree) -> None:
        self.tree = tree
        self._fill()

    def _fill(self) -> None:
        clear_layout(self.grid)
        self.area_buttons = []
        if self.tree is None:
            return
        for index, area in enumerate(self.tree.areas):
            button = TouchButton(localized(area.label), localized(area.hint), self)
            button.setObjectName("area:" + area.key)
            button.clicked.connect(lambda _checked=False, key=area.key: self.area_chosen.emit(key))
            self.grid.addWidget(button, index // COLUMNS, index % COLUMNS)
            self.area_buttons.append(button)

    def reset_visit(self) -> None:
        self.body.to_top()

    def retranslate(self) -> None:
        question = self.tree.question if self.tree is not None else ""
        self.title.setText(localized(question) if question else _("What happened to you?"))
        self.subtitle.setText(_("Touch what is closest to your problem. You can always go back."))
        self.unsure_button.set_texts(_("None of these / I am not sure"), _("We show you who can help, where and when"))
        self._fill()
