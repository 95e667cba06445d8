"""The bar at the top of every kiosk screen: 简体 / 繁體 / English, larger text, high contrast, home, staff.

The language buttons name themselves in their own language (a visitor who cannot read the current one still
finds theirs). The bar only emits what was asked; the shell changes the look and retranslates every screen.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QButtonGroup, QFrame, QHBoxLayout, QWidget

from fzmediate.i18n import _
from ui.kiosk.look import BASE_POINT_SIZE
from ui.kiosk.widgets import TouchButton

#: (locale, its own name): never translated.
LANGUAGES = (("zh_CN", "简体中文"), ("zh_TW", "繁體中文"), ("en", "English"))


class TopBar(QFrame):
    language_chosen = Signal(str)
    larger_text = Signal()
    contrast_toggled = Signal(bool)
    home = Signal()
    staff = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("kiosk", "bar")
        # The bar keeps the base size when the visitor enlarges the text: it must stay one row on every screen.
        font = QFont()
        font.setPointSizeF(BASE_POINT_SIZE)
        self.setFont(font)
        self.bar_font = font
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 8, 16, 8)
        row.setSpacing(10)
        self.home_button = TouchButton(parent=self, wrap=False, font=font)
        self.home_button.clicked.connect(self.home)
        row.addWidget(self.home_button)
        row.addStretch(1)
        self.language_buttons: dict[str, TouchButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(True)
        for locale, name in LANGUAGES:
            button = TouchButton(name, parent=self, wrap=False, font=font)
            button.setCheckable(True)
            button.clicked.connect(lambda _c=False, loc=locale: self.language_chosen.emit(loc))
            group.addButton(button)
            row.addWidget(button)
            self.language_buttons[locale] = button
        self.larger_button = TouchButton(parent=self, wrap=False, font=font)
        self.larger_button.clicked.connect(self.larger_text)
        self.contrast_button = TouchButton(parent=self, wrap=False, font=font)
        self.contrast_button.setCheckable(True)
        self.contrast_button.toggled.connect(self.contrast_toggled)
        self.staff_button = TouchButton(parent=self, wrap=False, font=font)
        self.staff_button.clicked.connect(self.staff)
        for w in (self.larger_button, self.contrast_button, self.staff_button):
            row.addWidget(w)
        self.retranslate()

    def show_state(self, locale: str, high_contrast: bool) -> None:
        button = self.language_buttons.get(locale)
        if button is not None:
            button.setChecked(True)
        self.contrast_button.blockSignals(True)
        self.contrast_button.setChecked(high_contrast)
        self.contrast_button.blockSignals(False)

    def retranslate(self) -> None:
        self.home_button.set_texts(_("Home"))
        for locale, button in self.language_buttons.items():
            name = dict(LANGUAGES)[locale]
            button.set_texts(name)
            button.setAccessibleName(_("Language: {name}").format(name=name))
        self.larger_button.set_texts(_("Larger text"))
        self.contrast_button.set_texts(_("High contrast"))
        self.staff_button.set_texts(_("Staff only"))
