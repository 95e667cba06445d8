"""The kiosk's building blocks: buttons whose words wrap (no word is ever cut off at the largest text size),
plain labels, a check row with a big box, and a scrolling page body.

Every control is named for screen readers (``setAccessibleName``) by whoever sets its text.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.kiosk.look import touch_px


def label(text: str = "", parent: QWidget | None = None, role: str = "") -> QLabel:
    """A plain-text label that wraps; ``role`` is the kiosk style role (title, heading, hint, message)."""
    widget = QLabel(text, parent)
    widget.setWordWrap(True)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    if role:
        widget.setProperty("kiosk", role)
    return widget


def clear_layout(layout: QLayout) -> None:
    """Remove and delete every widget (and nested layout) in ``layout``: nothing of what it showed remains."""
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        w = item.widget()
        if w is not None:
            w.hide()
            w.setParent(None)
            w.deleteLater()
        else:
            inner = item.layout()
            if inner is not None:
                clear_layout(inner)


class TouchButton(QPushButton):
    """A push button whose words wrap: a title and an optional hint line, both labels inside the button."""

    def __init__(
        self,
        title: str = "",
        hint: str = "",
        parent: QWidget | None = None,
        *,
        primary: bool = False,
        wrap: bool = True,
        font: QFont | None = None,
    ) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        side = touch_px(self.screen())
        self.setMinimumSize(side, side)
        if primary:
            self.setProperty("kiosk", "primary")
        box = QVBoxLayout(self)
        box.setContentsMargins(14, 8, 14, 8)
        box.setSpacing(2)
        # A button with a fixed font (the top bar's) takes no style-sheet font: that would resize it.
        self.title = label("", self, "button" if font is None else "")
        self.hint = label("", self, "hint")
        box.addStretch(1)
        for part in (self.title, self.hint):
            part.setWordWrap(wrap)
            if font is not None:
                part.setFont(font)
            part.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
            part.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            box.addWidget(part)
        box.addStretch(1)
        self.set_texts(title, hint)

    def set_texts(self, title: str, hint: str = "") -> None:
        self.title.setText(title)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        self.setAccessibleName(title)
        self.setAccessibleDescription(hint)
        self.updateGeometry()

    def text_of(self) -> str:
        return self.title.text()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        layout = self.layout()
        needed = layout.totalHeightForWidth(width) if layout is not None else 0
        return max(needed, self.minimumHeight())

    def sizeHint(self) -> QSize:
        layout = self.layout()
        hint = layout.totalSizeHint() if layout is not None else QSize()
        return hint.expandedTo(self.minimumSize())

    def minimumSizeHint(self) -> QSize:
        layout = self.layout()
        hint = layout.totalMinimumSize() if layout is not None else QSize()
        return hint.expandedTo(self.minimumSize())


class CheckRow(QWidget):
    """A big check box and its wrapping text (a material to bring); the box carries the text as its name."""

    toggled = Signal(bool)

    def __init__(self, text: str, hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 4, 0, 4)
        row.setSpacing(12)
        self.box = QCheckBox(self)
        side = touch_px(self.screen())
        self.box.setFixedSize(side, side)  # the indicator alone: the text is the label beside it
        self.box.setAccessibleName(text)
        self.box.setAccessibleDescription(hint)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        self.text = label(text, self)
        self.text.setBuddy(self.box)
        texts.addWidget(self.text)
        if hint:
            texts.addWidget(label(hint, self, "hint"))
        row.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(texts, 1)
        self.box.toggled.connect(self.toggled)

    def mousePressEvent(self, event: object) -> None:  # the whole row is the target, not only the box
        self.box.toggle()


class PageBody(QScrollArea):
    """A vertically scrolling page body: text never runs off the screen, it scrolls."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.inner = QWidget(self)
        self.column = QVBoxLayout(self.inner)
        self.column.setContentsMargins(24, 16, 24, 24)
        self.column.setSpacing(12)
        self.setWidget(self.inner)
        self.setAccessibleName("")

    def to_top(self) -> None:
        self.verticalScrollBar().setValue(0)
