"""One editor per payload field type of an act form, each with its label, hint and error line beside it.

:func:`editor_for` maps a :class:`fzmediate.procedure.forms.FormField` to a widget: text → line or larger text
editor, boolean → check box, choice → combo with the district's labels, party → combo of the case's qualifying
parties (masked), parties → checkable list, date → date editor, integer → spin box, list of texts → editable
list, terms → the agreement editor. ``value()`` gives what the form's ``validate`` reads; "" or [] is "not given".
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fzmediate.i18n import _
from fzmediate.procedure.form_types import Choice, FormField
from ui.desk.form_field import ErrorLine
from ui.style import set_role

#: Fields whose text is long (reasons, facts, minutes; the paragraphs of an adjudication's contested points and
#: decision, whose items are its lines): a larger editor.
LONG_TEXT: tuple[str, ...] = (
    "summary", "reasons", "facts", "facts_and_disputes", "responsibilities", "remaining_disputes", "opinion",
    "finding", "reasoning", "conclusion", "claims", "applicant_facts_and_reasons", "respondent_facts_and_reasons",
    "third_party_statement", "facts_found", "decision_text",
)  # fmt: skip


class FieldEditor(QWidget):
    """A labelled input of one form field: ``value()``, ``set_error()``, ``edited`` once changed."""

    changed = Signal()

    def __init__(self, field: FormField, parent: QWidget | None = None, parties: tuple[Choice, ...] = ()) -> None:
        super().__init__(parent)
        self.field = field
        #: The case's principal parties (masked): what the terms of an agreement choose from.
        self.parties = parties
        self.edited = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        text = field.display + (" *" if field.required else "")
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self.input = self.build()
        self.label.setBuddy(self.input)
        self.input.setAccessibleName(field.display)
        self.input.setAccessibleDescription(field.help)
        layout.addWidget(self.input)
        self.hint = QLabel(field.help, self)
        self.hint.setWordWrap(True)
        set_role(self.hint, "hint")
        # "text" under a text box or "yes or no" under a tick box tells nobody anything (it stays the
        # accessible description): shown only when it adds something.
        self.hint.setHidden(field.help in (_("text"), _("yes or no")))
        layout.addWidget(self.hint)
        self.error = ErrorLine(self)
        layout.addWidget(self.error)

    def build(self) -> QWidget:
        raise NotImplementedError

    def value(self) -> Any:
        raise NotImplementedError

    def _mark(self, *_args: object) -> None:
        self.edited = True
        self.changed.emit()

    def set_error(self, message: str) -> None:
        self.error.set_text(message)
        self.input.setAccessibleDescription(message or self.field.help)

    def error_text(self) -> str:
        return self.error.text()


class TextEditor(FieldEditor):
    def build(self) -> QWidget:
        if self.field.name in LONG_TEXT:
            self.area: QPlainTextEdit | None = QPlainTextEdit(self)
            self.area.setTabChangesFocus(True)
            self.area.setMinimumHeight(self.fontMetrics().height() * 5)
            self.area.textChanged.connect(self._mark)
            return self.area
        self.area = None
        self.line = QLineEdit(self)
        self.line.textChanged.connect(self._mark)
        return self.line

    def set_text(self, text: str) -> None:
        if self.area is not None:
            self.area.setPlainText(text)
        else:
            self.line.setText(text)

    def value(self) -> str:
        return self.area.toPlainText() if self.area is not None else self.line.text()


class BoolEditor(FieldEditor):
    def build(self) -> QWidget:
        self.box = QCheckBox(_("Yes"), self)
        self.box.toggled.connect(self._mark)
        return self.box

    def value(self) -> bool:
        return self.box.isChecked()


class ChoiceEditor(FieldEditor):
    """A choice, a time limit or one party: a combo with the labels, "" while nothing is chosen."""

    def build(self) -> QWidget:
        self.combo = QComboBox(self)
        self.combo.addItem(_("(choose)"), "")
        for choice in self.field.choices:
            self.combo.addItem(choice.label, choice.value)
        self.combo.currentIndexChanged.connect(self._mark)
        return self.combo

    def choose(self, value: str) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(value)))

    def value(self) -> str:
        return str(self.combo.currentData() or "")


class PartiesEditor(FieldEditor):
    """Several parties: a checkable list of the case's qualifying parties (masked)."""

    def build(self) -> QWidget:
        self.list = QListWidget(self)
        for choice in self.field.choices:
            item = QListWidgetItem(choice.label, self.list)
            item.setData(Qt.ItemDataRole.UserRole, choice.value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        rows = max(2, min(6, len(self.field.choices)))
        self.list.ensurePolished()  # the text size's font: else the rows are measured too short at 175 %
        self.list.setMaximumHeight(self.list.sizeHintForRow(0) * rows + 8 if self.field.choices else 60)
        self.list.itemChanged.connect(self._mark)
        return self.list

    def check(self, values: list[str]) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in values
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def value(self) -> list[str]:
        return [
            str(self.list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]


class DateEditor(FieldEditor):
    """A date; an optional one can be left unset (the first, blank entry)."""

    def build(self) -> QWidget:
        self.date = QDateEdit(self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMinimumDate(QDate(2000, 1, 1))
        if not self.field.required:
            self.date.setSpecialValueText(_("(not set)"))
            self.date.setDate(self.date.minimumDate())
        else:
            self.date.setDate(QDate.currentDate())
        self.date.dateChanged.connect(self._mark)
        return self.date

    def value(self) -> str:
        if not self.field.required and self.date.date() == self.date.minimumDate():
            return ""
        return str(self.date.date().toString("yyyy-MM-dd"))


class IntEditor(FieldEditor):
    def build(self) -> QWidget:
        self.spin = QSpinBox(self)
        self.spin.setRange(self.field.minimum if self.field.minimum is not None else 0, 1_000_000)
        self.spin.valueChanged.connect(self._mark)
        return self.spin

    def value(self) -> int:
        return int(self.spin.value())


class TextListEditor(FieldEditor):
    """A list of texts (e.g. the agents present): add, edit in place, remove."""

    def build(self) -> QWidget:
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget(box)
        self.list.setAccessibleName(self.field.display)
        self.list.setMaximumHeight(self.fontMetrics().height() * 6)
        self.list.itemChanged.connect(self._mark)
        row.addWidget(self.list, 1)
        buttons = QVBoxLayout()
        self.add = QPushButton(_("Add"), box)
        self.add.setAccessibleName(_("Add an entry to {field}").format(field=self.field.display))
        self.add.clicked.connect(self.add_entry)
        self.remove = QPushButton(_("Remove"), box)
        self.remove.setAccessibleName(_("Remove the entry from {field}").format(field=self.field.display))
        self.remove.clicked.connect(self._remove)
        buttons.addWidget(self.add)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        row.addLayout(buttons)
        return box

    def add_entry(self, text: str = "") -> None:
        item = QListWidgetItem(text if isinstance(text, str) else "", self.list)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.list.setCurrentItem(item)
        if not item.text():
            self.list.editItem(item)
        self._mark()

    def _remove(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
            self._mark()

    def value(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count()) if self.list.item(i).text().strip()]


class TermsField(FieldEditor):
    """The terms of an agreement (the agreement editor)."""

    def build(self) -> QWidget:
        from ui.desk.case_view.agreement_editor import TermsEditor

        self.terms = TermsEditor(self.parties, self)
        self.terms.changed.connect(self._mark)
        return self.terms

    def value(self) -> list[dict[str, str]]:
        return self.terms.value()


_EDITORS: dict[str, type[FieldEditor]] = {
    "text": TextEditor,
    "login": TextEditor,
    "decimal": TextEditor,
    "boolean": BoolEditor,
    "choice": ChoiceEditor,
    "time_limit": ChoiceEditor,
    "party": ChoiceEditor,
    "parties": PartiesEditor,
    "date": DateEditor,
    "integer": IntEditor,
    "text_list": TextListEditor,
    "terms": TermsField,
}


def editor_for(field: FormField, parent: QWidget | None = None, parties: tuple[Choice, ...] = ()) -> FieldEditor:
    """The editor of ``field``'s type (a line editor for a type this desk does not know yet); ``parties``: the
    case's principal parties, for the terms of an agreement."""
    return _EDITORS.get(field.type, TextEditor)(field, parent, parties)
