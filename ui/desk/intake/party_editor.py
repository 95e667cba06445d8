"""The parties of an application: people, organisations (with 法定代表人 / 负责人) and agents (with whom they act
for, their authority and power of attorney), each in a card with its fields checked as the user types.

``PartiesEditor.parties()`` gives the ``parties`` list of the intake format (``fzmediate.domain.intake``);
``show_problems`` puts each ``parties[i].field`` problem beside its field. Names are taken exactly as typed
(rare characters such as 𠮷 are fine).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from fzmediate.desk.intake import phone_problem
from fzmediate.domain.case import REPRESENTATIVE_TITLES, Authority, PartyKind, PartyRole
from fzmediate.domain.intake import Problem
from fzmediate.i18n import N_, _
from ui.desk.form_field import FormField
from ui.desk.intake.fields import ComboField, TextAreaField
from ui.desk.intake.identity_field import IdentityField
from ui.style import set_role

ROLE_LABELS = {
    PartyRole.APPLICANT.value: N_("Applicant"),
    PartyRole.RESPONDENT.value: N_("Respondent"),
    PartyRole.THIRD_PARTY.value: N_("Third party"),
    PartyRole.AGENT.value: N_("Agent"),
}
AUTHORITY_LABELS = {
    Authority.GENERAL.value: N_("General authority (attends and speaks for the party)"),
    Authority.SPECIAL.value: N_("Special authority (may also consent and sign for the party)"),
}


def rule_of(problem: Problem) -> str:
    """The problem's message without its leading field path (the field it is shown beside already says it)."""
    message = problem.message
    if message.startswith(problem.field):
        return message[len(problem.field) :].lstrip(":： ")
    return message


class PartyEditor(QFrame):
    """One party's card."""

    remove_requested = Signal(object)
    #: Something that other cards show changed (the name, the role): agents' "acts for" lists follow it.
    identity_changed = Signal()
    edited = Signal()

    def __init__(self, kind: str, role: str, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "card")
        self.kind = kind
        self.is_agent = role == PartyRole.AGENT.value
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        header = QHBoxLayout()
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        set_role(self.title, "subtitle")
        header.addWidget(self.title, 1)
        self.remove_button = QPushButton(_("Remove party"), self)
        self.remove_button.setAccessibleName(_("Remove party"))
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        header.addWidget(self.remove_button)
        layout.addLayout(header)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        self.role = ComboField(_("Role"), self)
        roles = [PartyRole.AGENT.value] if self.is_agent else [r for r in ROLE_LABELS if r != PartyRole.AGENT.value]
        for value in roles:
            self.role.combo.addItem(_(ROLE_LABELS[value]), value)
        self.role.set_value(role)
        self.role.setEnabled(not self.is_agent)
        organisation = kind == PartyKind.ORGANIZATION.value
        self.name = FormField(_("Name of the organisation") if organisation else _("Name"), parent=self)
        self.identity = IdentityField(kind, today, required=self._files(), parent=self)
        self.phone = FormField(_("Phone"), parent=self)
        self.address = FormField(_("Address"), parent=self)
        grid.addWidget(self.role, 0, 0)
        grid.addWidget(self.name, 0, 1)
        grid.addWidget(self.identity, 1, 0, 1, 2)
        grid.addWidget(self.phone, 2, 0)
        grid.addWidget(self.address, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 2)
        layout.addLayout(grid)

        self.representative: FormField | None = None
        self.representative_title: ComboField | None = None
        if organisation:
            row = QHBoxLayout()
            self.representative = FormField(_("Legal representative or person in charge"), parent=self)
            self.representative_title = ComboField(_("Title"), self)
            for title in REPRESENTATIVE_TITLES:  # data: printed as such on the documents
                self.representative_title.combo.addItem(title, title)
            row.addWidget(self.representative, 2)
            row.addWidget(self.representative_title, 1)
            layout.addLayout(row)

        self.represents: ComboField | None = None
        self.authority: ComboField | None = None
        self.scope: TextAreaField | None = None
        self.power_of_attorney: TextAreaField | None = None
        if self.is_agent:
            row = QHBoxLayout()
            self.represents = ComboField(_("Acts for"), self)
            self.authority = ComboField(_("Authority"), self)
            for value, label in AUTHORITY_LABELS.items():
                self.authority.combo.addItem(_(label), value)
            row.addWidget(self.represents, 1)
            row.addWidget(self.authority, 1)
            layout.addLayout(row)
            self.scope = TextAreaField(_("Powers granted (special authority)"), lines=2, parent=self)
            self.power_of_attorney = TextAreaField(_("Power of attorney"), lines=2, parent=self)
            layout.addWidget(self.scope)
            layout.addWidget(self.power_of_attorney)
            self.authority.combo.currentIndexChanged.connect(self._authority_changed)
            self._authority_changed()

        self._retitle()
        self.role.combo.currentIndexChanged.connect(self._role_changed)
        self.name.edit.textChanged.connect(self._name_changed)
        self.phone.edit.textChanged.connect(self._phone_changed)
        for edit in (self.address.edit, self.identity.number):
            edit.textChanged.connect(self.edited)

    # --- state ---------------------------------------------------------------------------------------
    def role_value(self) -> str:
        return str(self.role.value())

    def _files(self) -> bool:
        """Applicants and agents file and receive notices: their document number and phone are required."""
        return self.role_value() in (PartyRole.APPLICANT.value, PartyRole.AGENT.value)

    def label(self) -> str:
        """How other cards name this party: its role and name."""
        name = self.name.text().strip() or _("(no name yet)")
        return _("{role}: {name}").format(role=_(ROLE_LABELS[self.role_value()]), name=name)

    def _retitle(self) -> None:
        kind = _("organisation") if self.kind == PartyKind.ORGANIZATION.value else _("person")
        self.title.setText(_("{role} ({kind})").format(role=_(ROLE_LABELS[self.role_value()]), kind=kind))

    def _role_changed(self) -> None:
        self.identity.required = self._files()
        self._retitle()
        self.identity_changed.emit()
        self.edited.emit()

    def _name_changed(self) -> None:
        self.name.clear_error()
        self.identity_changed.emit()
        self.edited.emit()

    def _phone_changed(self) -> None:
        text = self.phone.text()
        self.phone.set_error(phone_problem(text) if text.strip() else "")
        self.edited.emit()

    def _authority_changed(self) -> None:
        if self.scope is not None and self.authority is not None:
            self.scope.setVisible(self.authority.value() == Authority.SPECIAL.value)
        self.edited.emit()

    def set_principals(self, principals: Sequence[PartyEditor]) -> None:
        """The parties an agent may act for (never another agent); keeps the current choice when it remains."""
        if self.represents is None:
            return
        combo = self.represents.combo
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for editor in principals:
            combo.addItem(editor.label(), id(editor))
        index = combo.findData(current)
        combo.setCurrentIndex(index if index >= 0 else (0 if principals else -1))
        combo.blockSignals(False)

    def represented_key(self) -> int | None:
        if self.represents is None or self.represents.combo.currentIndex() < 0:
            return None
        return int(self.represents.combo.currentData())

    def local_problem(self) -> bool:
        """True while a field shows a rule broken as typed (the form is not sent then)."""
        return bool(self.identity.problem() or (self.phone.text().strip() and phone_problem(self.phone.text())))

    # --- to and from the intake format ---------------------------------------------------------------
    def to_dict(self, index_of: Callable[[int], int | None]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "role": self.role_value(),
            "kind": self.kind,
            "name": self.name.text(),
            "id_type": self.identity.id_type(),
        }
        optional = {"id_number": self.identity.text(), "phone": self.phone.text(), "address": self.address.text()}
        data.update({k: v for k, v in optional.items() if v.strip()})
        known = self.representative is not None and (
            self.representative.text().strip() or self.role_value() == PartyRole.APPLICANT.value
        )
        if known and self.representative is not None and self.representative_title is not None:
            data["legal_representative"] = self.representative.text()
            data["representative_title"] = self.representative_title.value()
        if self.is_agent and self.authority is not None and self.scope is not None:
            key = self.represented_key()
            data["represents"] = index_of(key) if key is not None else None
            data["authority"] = self.authority.value()
            if self.authority.value() == Authority.SPECIAL.value:
                data["authority_scope"] = self.scope.text()
            assert self.power_of_attorney is not None
            data["power_of_attorney"] = self.power_of_attorney.text()
        return data

    def fill(self, raw: Mapping[str, Any]) -> None:
        """Pre-fill from an intake party (a kiosk application); unknown or odd values are left for the check."""

        def text(key: str) -> str:
            value = raw.get(key)
            return value if isinstance(value, str) else ""

        self.name.edit.setText(text("name"))
        if text("id_type"):
            self.identity.set_id_type(text("id_type"))
        self.identity.set_text(text("id_number"))
        self.phone.edit.setText(text("phone"))
        self.address.edit.setText(text("address"))
        if self.representative is not None and self.representative_title is not None:
            self.representative.edit.setText(text("legal_representative"))
            self.representative_title.set_value(text("representative_title"))
        if self.authority is not None and self.scope is not None and self.power_of_attorney is not None:
            self.authority.set_value(text("authority") or Authority.GENERAL.value)
            self.scope.set_text(text("authority_scope"))
            self.power_of_attorney.set_text(text("power_of_attorney"))

    # --- errors --------------------------------------------------------------------------------------
    def show_problem(self, name: str, message: str) -> bool:
        """Show ``message`` beside the field called ``name`` (intake format); False when there is no such field."""
        setters: dict[str, Callable[[str], None]] = {
            "name": self.name.set_error,
            "id_number": self.identity.set_error,
            "id_type": self.identity.set_error,
            "phone": self.phone.set_error,
            "address": self.address.set_error,
            "role": self.role.set_error,
        }
        if self.representative is not None and self.representative_title is not None:
            setters["legal_representative"] = self.representative.set_error
            setters["representative_title"] = self.representative_title.set_error
        if self.represents is not None and self.authority is not None:
            assert self.scope is not None and self.power_of_attorney is not None
            setters["represents"] = self.represents.set_error
            setters["authority"] = self.authority.set_error
            setters["authority_scope"] = self.scope.set_error
            setters["power_of_attorney"] = self.power_of_attorney.set_error
        setter = setters.get(name)
        if setter is None:
            return False
        setter(message)
        return True


class PartiesEditor(QWidget):
    """The list of party cards with the buttons that add them."""

    edited = Signal()

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._today = today
        self.editors: list[PartyEditor] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.cards = QVBoxLayout()
        self.cards.setSpacing(8)
        layout.addLayout(self.cards)
        buttons = QHBoxLayout()
        self.add_person_button = QPushButton(_("Add person"), self)
        self.add_organisation_button = QPushButton(_("Add organisation"), self)
        self.add_agent_button = QPushButton(_("Add agent"), self)
        for button in (self.add_person_button, self.add_organisation_button, self.add_agent_button):
            button.setAccessibleName(button.text())
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.add_person_button.clicked.connect(lambda: self.add_person())
        self.add_organisation_button.clicked.connect(lambda: self.add_organisation())
        self.add_agent_button.clicked.connect(lambda: self.add_agent())

    def add_person(self, role: str = PartyRole.APPLICANT.value) -> PartyEditor:
        return self._add(PartyKind.PERSON.value, role)

    def add_organisation(self, role: str = PartyRole.RESPONDENT.value) -> PartyEditor:
        return self._add(PartyKind.ORGANIZATION.value, role)

    def add_agent(self, acts_for: PartyEditor | None = None) -> PartyEditor:
        editor = self._add(PartyKind.PERSON.value, PartyRole.AGENT.value)
        if acts_for is not None and editor.represents is not None:
            editor.represents.set_value(id(acts_for))
        return editor

    def _add(self, kind: str, role: str) -> PartyEditor:
        editor = PartyEditor(kind, role, self._today, self)
        editor.remove_requested.connect(self.remove)
        editor.identity_changed.connect(self._refresh_principals)
        editor.edited.connect(self.edited)
        self.editors.append(editor)
        self.cards.addWidget(editor)
        self._refresh_principals()
        self.edited.emit()
        editor.name.edit.setFocus()
        return editor

    def remove(self, editor: PartyEditor) -> None:
        if editor in self.editors:
            self.editors.remove(editor)
            self.cards.removeWidget(editor)
            editor.deleteLater()
            self._refresh_principals()
            self.edited.emit()

    def _refresh_principals(self) -> None:
        principals = [e for e in self.editors if not e.is_agent]
        for editor in self.editors:
            editor.set_principals(principals)

    def parties(self) -> list[dict[str, Any]]:
        keys = {id(e): i for i, e in enumerate(self.editors)}
        return [e.to_dict(keys.get) for e in self.editors]

    def fill(self, parties: Sequence[object]) -> None:
        """Cards for an intake's parties (agents after the parties they act for are known)."""
        made: list[tuple[PartyEditor, Mapping[str, Any]]] = []
        for raw in parties:
            if not isinstance(raw, Mapping):
                continue
            kind, role = raw.get("kind"), raw.get("role")
            if role == PartyRole.AGENT.value:
                editor = self.add_agent()
            elif kind == PartyKind.ORGANIZATION.value:
                editor = self.add_organisation(role if role in ROLE_LABELS else PartyRole.RESPONDENT.value)
            else:
                editor = self.add_person(role if role in ROLE_LABELS else PartyRole.APPLICANT.value)
            editor.fill(raw)
            made.append((editor, raw))
        self._refresh_principals()
        for editor, raw in made:
            target = raw.get("represents")
            if editor.represents is not None and isinstance(target, int) and 0 <= target < len(made):
                editor.represents.set_value(id(made[target][0]))

    def local_problems(self) -> bool:
        return any(e.local_problem() for e in self.editors)

    def show_problems(self, problems: Sequence[Problem]) -> list[Problem]:
        """Put each ``parties[i].field`` problem beside its field; return those not shown (for the form's line)."""
        left: list[Problem] = []
        for problem in problems:
            shown = False
            head, _dot, name = problem.field.partition("].")
            if head.startswith("parties[") and name:
                try:
                    index = int(head[len("parties[") :])
                except ValueError:
                    index = -1
                if 0 <= index < len(self.editors):
                    shown = self.editors[index].show_problem(name, rule_of(problem))
            if not shown:
                left.append(problem)
        return left
