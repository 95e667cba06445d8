"""Registering an application (立案登记): choose the matter, then fill the form with the matter's guide beside it.

Step 1 lists the active catalogue's matters (searchable); a matter this desk does not implement carries a "not
ours" badge naming the competent body — it may still be registered, then transferred (深圳经济特区矛盾纠纷多元化解条例
第四十五条). Step 2 is the form: received date, summary, facts, claims, the parties (``party_editor``), the files
(``attachments_panel``), and the guide's checklists (``guide_panel``).

Fields are checked as the user types and again on "Register" by the intake rules themselves (pure functions of
``fzmediate.desk.intake``, no store); only a form without problems is sent. The store registers the case and its
files in one transaction; its refusals come back by field and are shown beside the field; a possible duplicate is
asked about, naming the similar cases, and registered only when confirmed. Closing with unsaved input asks first.
A kiosk application from the intake inbox (``application_id``) opens this same form, pre-filled.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from fzmediate.desk import intake as calls
from fzmediate.desk.intake import InboxApplication, MatterChoice, MatterInfo, Registered, check_form
from fzmediate.domain.case import PartyRole
from fzmediate.domain.intake import IntakeError, Problem
from fzmediate.errors import DuplicateWarning, FzError
from fzmediate.i18n import _, ngettext
from ui.desk.form_field import ErrorLine, FormField, fitting_size
from ui.desk.intake.attachments_panel import AttachmentsPanel
from ui.desk.intake.fields import TextAreaField
from ui.desk.intake.guide_panel import GuidePanel, not_ours_text
from ui.desk.intake.party_editor import PartiesEditor, rule_of
from ui.desk.page import DeskEnv
from ui.ops import log_failure, show_error
from ui.style import set_role

MATTER_ROLE = int(Qt.ItemDataRole.UserRole) + 1
SEARCH_ROLE = int(Qt.ItemDataRole.UserRole) + 2


def ask(parent: QWidget, title: str, text: str, yes: str) -> bool:
    """A yes/no question (window-modal); True for ``yes``. The one place this dialog asks something."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    no_button = box.addButton(_("Go back"), QMessageBox.ButtonRole.RejectRole)
    for button in (yes_button, no_button):
        button.setAccessibleName(button.text())
    box.setDefaultButton(no_button)
    box.exec()
    return box.clickedButton() is yes_button


def _label(text: str, parent: QWidget, role: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    if role:
        set_role(label, role)
    return label


class IntakeDialog(QDialog):
    """The intake form (see the module docstring). ``registered(case_id)`` once the case is stored."""

    registered = Signal(str)

    def __init__(self, env: DeskEnv, parent: QWidget | None = None, application_id: str | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.application_id = application_id
        self.choice: MatterChoice | None = None
        self.matter: MatterInfo | None = None
        self.result_case: Registered | None = None
        self._dirty = False
        self._busy = False
        self._pending: tuple[dict[str, Any], bool] | None = None
        # The form's parts, made with the form (step 2).
        self.guide: GuidePanel
        self.attachments: AttachmentsPanel
        self.parties: PartiesEditor
        self.setWindowTitle(_("Register an application"))
        self.setAccessibleName(_("Register an application"))
        self.resize(*fitting_size(self, 1180, 800, 62, 42))  # the form and the guide side by side
        layout = QVBoxLayout(self)
        self.status = _label(_("Loading the catalogue…"), self, "hint")
        layout.addWidget(self.status)
        self.error = ErrorLine(self)
        layout.addWidget(self.error)
        self.stack = QStackedWidget(self)
        layout.addWidget(self.stack, 1)
        self._build_chooser()
        self.form_page = QWidget(self)  # replaced by the form once a matter is chosen
        self.stack.addWidget(self.form_page)
        self.env.context.call(calls.matters, on_success=self._loaded, on_failure=self._load_failed, parent=self)

    # --- step 1: the matter ----------------------------------------------------------------------------
    def _build_chooser(self) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(_label(_("Which matter is the application about?"), page, "title"))
        self.search = QLineEdit(page)
        self.search.setPlaceholderText(_("Search by name, code or area"))
        self.search.setAccessibleName(_("Search matters"))
        layout.addWidget(self.search)
        self.matter_model = QStandardItemModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.matter_model)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.matter_list = QListView(page)
        self.matter_list.setModel(self.proxy)
        self.matter_list.setAccessibleName(_("Matters"))
        self.matter_list.setWordWrap(True)
        self.matter_list.setUniformItemSizes(False)
        self.matter_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.matter_list.setSpacing(2)
        layout.addWidget(self.matter_list, 1)
        self.matter_note = _label("", page)
        layout.addWidget(self.matter_note)
        row = QHBoxLayout()
        row.addStretch(1)
        self.continue_button = QPushButton(_("Continue"), page)
        self.cancel_button = QPushButton(_("Cancel"), page)
        for button in (self.continue_button, self.cancel_button):
            button.setAccessibleName(button.text())
            row.addWidget(button)
        layout.addLayout(row)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.matter_list.selectionModel().currentChanged.connect(lambda *_a: self._matter_selected())
        self.matter_list.doubleClicked.connect(lambda _i: self.continue_to_form())
        self.continue_button.clicked.connect(self.continue_to_form)
        self.cancel_button.clicked.connect(self.reject)
        self._matter_selected()
        self.stack.addWidget(page)

    def _loaded(self, choice: MatterChoice) -> None:
        self.choice = choice
        not_ours = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
        for m in choice.matters:
            lines = ["{0}（{1}）".format(m.name, m.code), "{0} · {1}".format(m.kind_label, m.area)]
            if not m.ours:
                lines.append(_("Not ours: competent is {bodies}").format(bodies="、".join(m.competent)))
            item = QStandardItem("\n".join(lines))
            item.setEditable(False)
            item.setData(m.code, MATTER_ROLE)
            item.setData(" ".join((m.name, m.code, m.area, m.kind_label)), SEARCH_ROLE)
            if not m.ours:
                item.setIcon(not_ours)
            self.matter_model.appendRow(item)
        self.status.setText(
            _("Desk: {unit}").format(unit=choice.desk_unit) if choice.desk_unit else _("This desk has no unit set.")
        )
        if self.application_id is not None:
            self.status.setText(_("Opening the kiosk application…"))
            self.env.context.call(
                calls.inbox_application,
                self.application_id,
                on_success=self._prefill,
                on_failure=self._load_failed,
                parent=self,
            )
        else:
            self.search.setFocus()

    def _load_failed(self, exc: BaseException) -> None:
        log_failure(exc)
        self.status.setText("")
        self.error.set_text(exc.message if isinstance(exc, FzError) else _("The catalogue could not be read."))

    def _matter_at(self, code: str) -> MatterInfo | None:
        if self.choice is None:
            return None
        return next((m for m in self.choice.matters if m.code == code), None)

    def _selected_matter(self) -> MatterInfo | None:
        index = self.matter_list.currentIndex()
        return self._matter_at(str(index.data(MATTER_ROLE))) if index.isValid() else None

    def _matter_selected(self) -> None:
        matter = self._selected_matter()
        reason = "" if matter is not None else _("Choose a matter in the list first.")
        self.continue_button.setEnabled(matter is not None)
        self.continue_button.setToolTip(reason)
        self.continue_button.setAccessibleDescription(reason)
        if matter is None:
            self.matter_note.setText("")
        elif matter.ours:
            self.matter_note.setText(_("Handled by this desk."))
        else:
            self.matter_note.setText(not_ours_text(matter))
        set_role(self.matter_note, "" if matter is None or matter.ours else "notice")
        self.matter_note.style().polish(self.matter_note)

    def select_matter(self, code: str) -> bool:
        """Select the matter ``code`` in the list (clearing the search); False when it is not listed."""
        self.search.clear()
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(MATTER_ROLE) == code:
                self.matter_list.setCurrentIndex(index)
                return True
        return False

    def continue_to_form(self) -> None:
        matter = self._selected_matter()
        if matter is None or self.choice is None:
            return
        self._build_form(matter, self.choice.today)
        self.stack.setCurrentWidget(self.form_page)

    # --- step 2: the form ------------------------------------------------------------------------------
    def _build_form(self, matter: MatterInfo, today: date) -> None:
        if self.matter is not None and self.matter.code == matter.code:
            return  # the same matter again: keep what was typed
        first = self.matter is None
        self.matter = matter
        if not first:
            self.guide.show_matter(matter)
            self.attachments.set_materials([m.name for m in matter.materials])
            self._show_matter_header(matter)
            return
        page = QWidget(self)
        outer = QVBoxLayout(page)
        header = QHBoxLayout()
        self.matter_title = _label("", page, "title")
        header.addWidget(self.matter_title, 1)
        self.change_matter_button = QPushButton(_("Change matter"), page)
        self.change_matter_button.setAccessibleName(_("Change matter"))
        self.change_matter_button.clicked.connect(lambda: self.stack.setCurrentIndex(0))
        header.addWidget(self.change_matter_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(header)
        self.not_ours = _label("", page, "notice")
        outer.addWidget(self.not_ours)

        splitter = QSplitter(Qt.Orientation.Horizontal, page)
        scroll = QScrollArea(splitter)
        scroll.setWidgetResizable(True)
        body = QWidget(scroll)
        form = QVBoxLayout(body)
        form.setSpacing(8)
        date_label = _label(_("Received on"), body)
        self.received_on = QDateEdit(body)
        self.received_on.setAccessibleName(_("Received on"))
        self.received_on.setCalendarPopup(True)
        self.received_on.setDisplayFormat("yyyy-MM-dd")
        self.received_on.setMaximumDate(QDate(today.year, today.month, today.day))
        self.received_on.setDate(QDate(today.year, today.month, today.day))
        date_label.setBuddy(self.received_on)
        self.received_error = ErrorLine(body)
        form.addWidget(date_label)
        form.addWidget(self.received_on, 0, Qt.AlignmentFlag.AlignLeft)
        form.addWidget(self.received_error)
        self.summary = FormField(_("Summary (one line)"), parent=body)
        self.facts = TextAreaField(_("Facts and reasons"), parent=body)
        self.claims = TextAreaField(_("Claims"), lines=3, parent=body)
        for w in (self.summary, self.facts, self.claims):
            form.addWidget(w)
        form.addWidget(_label(_("Parties"), body, "subtitle"))
        self.parties = PartiesEditor(today, body)
        form.addWidget(self.parties)
        self.parties_error = ErrorLine(body)
        form.addWidget(self.parties_error)
        form.addWidget(_label(_("Attachments"), body, "subtitle"))
        self.attachments = AttachmentsPanel(body)
        form.addWidget(self.attachments)
        form.addStretch(1)
        scroll.setWidget(body)
        self.guide = GuidePanel(splitter)
        splitter.addWidget(scroll)
        splitter.addWidget(self.guide)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        outer.addWidget(splitter, 1)

        row = QHBoxLayout()
        row.addStretch(1)
        self.register_button = QPushButton(_("Register"), page)
        self.register_button.setDefault(True)
        self.form_cancel_button = QPushButton(_("Cancel"), page)
        for button in (self.register_button, self.form_cancel_button):
            button.setAccessibleName(button.text())
            row.addWidget(button)
        outer.addLayout(row)
        self.register_button.clicked.connect(lambda: self.submit())
        self.form_cancel_button.clicked.connect(self.reject)

        self.guide.show_matter(matter)
        self.attachments.set_materials([m.name for m in matter.materials])
        self._show_matter_header(matter)
        for edit in (self.summary.edit,):
            edit.textChanged.connect(self._edited)
        for area in (self.facts.edit, self.claims.edit):
            area.textChanged.connect(self._edited)
        self.received_on.dateChanged.connect(self._edited)
        self.parties.edited.connect(self._edited)
        self.attachments.edited.connect(self._edited)
        self.stack.removeWidget(self.form_page)
        self.form_page.deleteLater()
        self.form_page = page
        self.stack.addWidget(page)
        if not self.parties.editors and self.application_id is None:
            self.parties.add_person(PartyRole.APPLICANT.value)
            self._dirty = False
        self.summary.edit.setFocus()

    def _show_matter_header(self, matter: MatterInfo) -> None:
        self.matter_title.setText("{0}（{1}）".format(matter.name, matter.code))
        self.not_ours.setText(not_ours_text(matter))
        self.not_ours.setVisible(not matter.ours)
        self.register_button.setText(_("Register") if matter.ours else _("Register for transfer"))
        self.register_button.setAccessibleName(self.register_button.text())

    def _edited(self, *_args: object) -> None:
        self._dirty = True

    def _prefill(self, app: InboxApplication) -> None:
        data: Mapping[str, Any] = app.data
        self.setWindowTitle(_("Register kiosk application {number}").format(number=app.number))
        self.status.setText(_("Kiosk application {number}, filed {at}").format(number=app.number, at=app.submitted_at))
        code = data.get("matter")
        if not isinstance(code, str) or not self.select_matter(code):
            self.error.set_text(_("The application's matter is not in the active catalogue; choose one."))
            return
        self.continue_to_form()

        def text(key: str) -> str:
            value = data.get(key)
            return value if isinstance(value, str) else ""

        self.summary.edit.setText(text("summary"))
        self.facts.set_text(text("facts"))
        self.claims.set_text(text("claims"))
        received = QDate.fromString(text("received_on"), "yyyy-MM-dd")
        if received.isValid():
            self.received_on.setDate(received)
        raw_parties = data.get("parties")
        self.parties.fill(raw_parties if isinstance(raw_parties, list) else [])
        self._dirty = False  # nothing typed here yet

    # --- submitting ------------------------------------------------------------------------------------
    def intake_data(self) -> dict[str, Any]:
        """The form as the intake format (``fzmediate.domain.intake``)."""
        assert self.matter is not None
        return {
            "matter": self.matter.code,
            "received_on": self.received_on.date().toString("yyyy-MM-dd"),
            "summary": self.summary.text(),
            "facts": self.facts.text(),
            "claims": self.claims.text(),
            "parties": self.parties.parties(),
        }

    def _clear_errors(self) -> None:
        self.error.set_text("")
        self.received_error.set_text("")
        self.parties_error.set_text("")
        for w in (self.summary, self.facts, self.claims):
            w.set_error("")
        for editor in self.parties.editors:
            for name in ("name", "phone", "address", "role", "legal_representative", "representative_title"):
                editor.show_problem(name, "")
            for name in ("represents", "authority", "authority_scope", "power_of_attorney"):
                editor.show_problem(name, "")
            if not editor.identity.problem():
                editor.identity.set_error("")

    def show_problems(self, problems: tuple[Problem, ...] | list[Problem]) -> None:
        """Each problem beside its field; what has no field of its own goes to the line at the top."""
        top: list[str] = []
        for problem in self.parties.show_problems(problems):
            target = {
                "summary": self.summary.set_error,
                "facts": self.facts.set_error,
                "claims": self.claims.set_error,
                "received_on": self.received_error.set_text,
                "parties": self.parties_error.set_text,
            }.get(problem.field)
            if target is not None:
                target(rule_of(problem))
            else:
                top.append(problem.message)
        self.error.set_text("\n".join(top))

    def submit(self, confirm_duplicate: bool = False) -> bool:
        """Check the form and send it; False when it was not sent (a problem, a question answered "go back")."""
        if self.matter is None or self._busy or self.choice is None:
            return False
        self._clear_errors()
        data = self.intake_data()
        problems = check_form(data, self.choice.today)
        if problems or self.parties.local_problems():
            self.show_problems(problems)
            if not self.error.text():
                self.error.set_text(_("Some fields need correcting; each says why beside it."))
            return False
        missing = self.guide.missing_required()
        if missing and not ask(
            self,
            _("Required materials"),
            ngettext(
                "{n} required material is not ticked as received. Register anyway? The applicant can be asked to "
                "supply it later.",
                "{n} required materials are not ticked as received. Register anyway? The applicant can be asked to "
                "supply them later.",
                missing,
            ).format(n=missing),
            _("Register anyway"),
        ):
            return False
        self._send(data, confirm_duplicate)
        return True

    def _send(self, data: dict[str, Any], confirm_duplicate: bool) -> None:
        self._busy = True
        self._pending = (data, confirm_duplicate)
        self.register_button.setEnabled(False)
        self.status.setText(_("Registering…"))
        self.env.context.call(
            calls.register,
            data,
            self.attachments.attachments(),
            confirm_duplicate,
            self.application_id,
            on_success=self._registered,
            on_failure=self._refused,
            parent=self,
        )

    def _registered(self, result: Registered) -> None:
        self._busy = False
        self._dirty = False
        self.result_case = result
        self.status.setText(_("Registered as case {number}.").format(number=result.number))
        self.registered.emit(result.case_id)
        opener = getattr(self.parent(), "open_case", None)
        if callable(opener):
            opener(result.case_id)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self._busy = False
        self.register_button.setEnabled(True)
        self.status.setText("")
        if isinstance(exc, DuplicateWarning) and self._pending is not None:
            data, _confirmed = self._pending
            if ask(
                self,
                _("Possible duplicate"),
                _(
                    "This application matches open case {numbers} (same matter and parties). Register it as a new "
                    "case anyway?"
                ).format(numbers=_(", ").join(exc.numbers)),
                _("Register as a new case"),
            ):
                self._send(data, True)
            return
        if isinstance(exc, IntakeError):
            self.show_problems(exc.problems)
        elif isinstance(exc, FzError) and (exc.field or "").startswith("attachments["):
            self.attachments.show_problem(exc.field or "", exc.message)
        elif isinstance(exc, FzError):
            self.error.set_text(exc.message)
        else:
            log_failure(exc)
            show_error(self, exc)

    # --- leaving -----------------------------------------------------------------------------------------
    def has_unsaved_input(self) -> bool:
        return self._dirty

    def reject(self) -> None:
        """Cancel, Esc and the window's close button: ask before dropping what was typed."""
        if self._busy:
            return  # the registration is on its way: its answer decides
        if self._dirty and not ask(
            self,
            _("Unsaved application"),
            _("The application has not been registered. Discard what was entered?"),
            _("Discard"),
        ):
            return
        self._dirty = False
        super().reject()


def open_intake(env: DeskEnv, parent: QWidget, application_id: str | None = None) -> IntakeDialog:
    """Open the intake form (window-modal; ``application_id``: a kiosk application of the inbox, pre-filled).
    Once registered, the new case opens in its tab when ``parent`` has ``open_case`` (the main window does)."""
    dialog = IntakeDialog(env, parent, application_id)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.show()
    return dialog
