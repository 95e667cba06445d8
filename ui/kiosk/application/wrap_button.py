"""A large button whose text wraps: document names such as "Mainland travel permit for Hong Kong and Macao
residents" do not fit one line at large text sizes, and a plain QPushButton cuts them off."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

_PAD_X, _PAD_Y = 18, 12


class WrapButton(QPushButton):
    """A checkable-capable push button showing its text in a word-wrapped label (``label``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(_PAD_X, _PAD_Y, _PAD_X, _PAD_Y)
        layout.addWidget(self.label)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_label(self, text: str) -> None:
        self.label.setText(text)
        self.setAccessibleName(text)
        self.updateGeometry()

    def label_text(self) -> str:
        return self.label.text()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.label.heightForWidth(max(1, width - 2 * _PAD_X)) + 2 * _PAD_Y

    def sizeHint(self) -> QSize:
        width = max(200, self.width())
        return QSize(width, max(self.minimumHeight(), self.heightForWidth(width)))

    def minimumSizeHint(self) -> QSize:
        return QSize(200, self.heightForWidth(max(200, self.width())))
