"""Small form pieces of the intake form that ``ui.desk.form_field`` does not have: a multi-line text with its
error line, and a labelled combo box with one."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ui.desk.form_field import ErrorLine


class TextAreaField(QWidget):
    """A label, a plain-text editor (line breaks kept exactly) and an error line under it."""

    def __init__(self, label: str, *, lines: int = 4, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.label = QLabel(label, self)
        self.label.setWordWrap(True)
        self.edit = QPlainTextEdit(self)
        self.edit.setAccessibleName(label)
        self.edit.setTabChangesFocus(True)
        line = self.edit.fontMetrics().lineSpacing()
        self.edit.setMinimumHeight(line * lines + 12)
        self.edit.setMaximumHeight(line * (lines * 2) + 12)  # grows with the text size, not with the window
        self.label.setBuddy(self.edit)
        self.error = ErrorLine(self)
        layout.addWidget(self.label)
        layout.addWidget(self.edit)
        layout.addWidget(self.error)
        self.edit.textChanged.connect(lambda: self.set_error(""))

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        self.edit.setPlainText(text)

    def set_error(self, message: str) -> None:
        self.error.set_text(message)
        self.edit.setAccessibleDescription(message)

    def error_text(self) -> str:
        return self.error.text()


class ComboField(QWidget):
    """A label, a combo box and an error line under it."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.label = QLabel(label, self)
        self.label.setWordWrap(True)
        self.combo = QComboBox(self)
        self.combo.setAccessibleName(label)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(10)
        self.label.setBuddy(self.combo)
        self.error = ErrorLine(self)
        layout.addWidget(self.label)
        layout.addWidget(self.combo)
        layout.addWidget(self.error)
        self.combo.currentIndexChanged.connect(lambda _i: self.set_error(""))

    def value(self) -> object:
        return self.combo.currentData()

    def set_value(self, value: object) -> None:
        index = self.combo.findData(value)
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def set_error(self, message: str) -> None:
        self.error.set_text(message)
        self.combo.setAccessibleDescription(message)

    def error_text(self) -> str:
        return self.error.text()
