"""Small form pieces of the intake form that ``ui.desk.form_field`` does not have: a multi-line text with its
error line, and a labelled combo box with one."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ui.desk.form_field import ErrorLine


class _LabelledField(QWidget):
    """A label over a control with an error line under it; typing or choosing again clears the error."""

    def __init__(self, label: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self.label = QLabel(label, self)
        self.label.setWordWrap(True)

    def _place(self, control: QWidget) -> None:
        """Called by the subclass once it has made its control (so the control follows the label)."""
        self._control = control
        control.setAccessibleName(self.label.text())
        self.label.setBuddy(control)
        self.error = ErrorLine(self)
        self._layout.addWidget(self.label)
        self._layout.addWidget(control)
        self._layout.addWidget(self.error)

    def set_error(self, message: str) -> None:
        self.error.set_text(message)
        self._control.setAccessibleDescription(message)

    def error_text(self) -> str:
        return self.error.text()


class TextAreaField(_LabelledField):
    """A label, a plain-text editor (line breaks kept exactly) and an error line under it."""

    def __init__(self, label: str, *, lines: int = 4, parent: QWidget | None = None) -> None:
        super().__init__(label, parent)
        self.edit = QPlainTextEdit(self)
        self.edit.setTabChangesFocus(True)
        line = self.edit.fontMetrics().lineSpacing()
        self.edit.setMinimumHeight(line * lines + 12)
        self.edit.setMaximumHeight(line * (lines * 2) + 12)  # grows with the text size, not with the window
        self._place(self.edit)
        self.edit.textChanged.connect(lambda: self.set_error(""))

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        self.edit.setPlainText(text)


class ComboField(_LabelledField):
    """A label, a combo box and an error line under it."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(label, parent)
        self.combo = QComboBox(self)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(10)
        self._place(self.combo)
        self.combo.currentIndexChanged.connect(lambda _i: self.set_error(""))

    def value(self) -> object:
        return self.combo.currentData()

    def set_value(self, value: object) -> None:
        index = self.combo.findData(value)
        if index >= 0:
            self.combo.setCurrentIndex(index)
