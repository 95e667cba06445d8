"""A case's documents: what can be drafted or issued now (and why not), the versions, printing and its log.

One reading (:func:`fzmediate.desk.documents.panel`) fills three tables: the kinds of document for the case with
their state, the issued versions of the selected kind, and the print log. Everything runs on the DB worker
through ``env.context.call``; the panel holds only the DTOs. Actions:

* Preview draft — the draft (草稿（未签发） on every page) in the QtPdf preview (`ui.desk.document_preview`);
* Print draft… / Print version… — the print dialog (`print_dialog`: a CUPS printer, copies preset to one per
  party plus one for the file), then the PDF itself goes to CUPS on the DB worker; the print is logged;
* Issue… — confirmed first, because sealing is final; only a kind never issued (a correction is a re-issue);
* Re-issue… — the reason is required (`reissue_dialog`); the new version supersedes the last;
* View version — any version of the history, as stored (sealed) bytes.

A disabled button says why in its tooltip and accessible description; why the selected kind may not be issued
is also written under the buttons. The case page calls :meth:`DocumentsPanel.reload` after changes to the case;
the panel reloads itself after its own writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from fzmediate.desk import documents
from fzmediate.desk.documents import DocumentPdf, DocumentsPanelData, KindInfo, PrinterChoices, VersionInfo
from fzmediate.i18n import _
from ui.desk.case_view.print_dialog import PrintChoice, PrintDialog, ask_printer
from ui.desk.case_view.reissue_dialog import ReissueDialog
from ui.desk.document_preview import DocumentPreview, show_document
from ui.desk.form_field import ErrorLine
from ui.desk.page import DeskEnv
from ui.ops import error_message, log_failure
from ui.style import set_role

_Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """A read-only table of display strings with one object per row (the DTO it shows)."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: list[tuple[str, ...]] = []
        self._objects: list[Any] = []
        self._tips: list[str] = []

    def set_rows(self, rows: Sequence[tuple[Any, tuple[str, ...], str]]) -> None:
        """``rows``: (object, cells, tooltip) each."""
        self.beginResetModel()
        self._objects = [r[0] for r in rows]
        self._rows = [r[1] for r in rows]
        self._tips = [r[2] for r in rows]
        self.endResetModel()

    def object(self, row: int) -> Any:
        return self._objects[row] if 0 <= row < len(self._objects) else None

    def cell(self, row: int, column: int) -> str:
        return self._rows[row][column]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's own default)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tips[index.row()] or self._rows[index.row()][index.column()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None


def _table(parent: QWidget, model: RowsModel, name: str, stretch: int) -> QTableView:
    """A read-only, row-selecting table; column ``stretch`` takes the spare width, the others fit their text."""
    view = QTableView(parent)
    view.setModel(model)
    view.setAccessibleName(name)
    view.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it): no keyboard trap
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(True)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def _button(parent: QWidget, text: str) -> QPushButton:
    button = QPushButton(text, parent)
    button.setAccessibleName(text.rstrip("…"))
    return button


def _enable(button: QPushButton, allowed: bool, reason: str = "") -> None:
    """Enable ``button``, or disable it saying why (tooltip and accessible description)."""
    button.setEnabled(allowed)
    why = "" if allowed else reason
    button.setToolTip(why)
    button.setAccessibleDescription(why)


def _version_count(kind: KindInfo) -> str:
    """How many versions were issued ("—" for none: a count of 0 read as "version 0")."""
    return str(len(kind.versions)) if kind.versions else "—"


def kind_status(kind: KindInfo) -> str:
    """The state column of a kind: issued (which version), may be issued, or draft only and why."""
    current = kind.current
    if current is not None:
        return _("Issued, version {version} ({date})").format(version=current.version, date=current.issued_on)
    if kind.may_issue:
        return _("Not issued yet; may be issued")
    if kind.can_draft:
        return _("Draft only: may not be issued yet")
    return _("Cannot be made yet")


class DocumentsPanel(QWidget):
    """The documents of one case: drafts, issued versions, printing. ``reload()`` after a change."""

    #: A preview window was opened (a :class:`~ui.desk.document_preview.DocumentPreview`).
    preview_opened = Signal(object)
    #: Finished loading (the panel's data is current).
    loaded = Signal()

    def __init__(self, env: DeskEnv, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.case_id = case_id
        self.data: DocumentsPanelData | None = None
        self._loading = False
        self._again = False
        self._busy = False
        #: The dialogs open now (for the tests and to close them with the panel).
        self.print_dialog: PrintDialog | None = None
        self.reissue_dialog: ReissueDialog | None = None
        self.confirm_box: QMessageBox | None = None

        self.heading = QLabel(_("Documents"), self)
        set_role(self.heading, "subtitle")
        self.kinds_model = RowsModel([_("Document"), _("State"), _("Versions")], self)
        self.kinds = _table(self, self.kinds_model, _("Documents of the case"), 1)
        self.preview_button = _button(self, _("Preview draft"))
        self.print_draft_button = _button(self, _("Print draft…"))
        self.issue_button = _button(self, _("Issue…"))
        self.reissue_button = _button(self, _("Re-issue…"))
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.reason.setAccessibleName(_("Why it may not be issued"))
        set_role(self.reason, "hint")

        self.history_heading = QLabel(_("Versions"), self)
        set_role(self.history_heading, "subtitle")
        self.history_model = RowsModel(
            [_("Version"), _("Issued on"), _("Issued by"), _("Reason"), _("Pages"), _("SHA-256"), _("Status")], self
        )
        self.history = _table(self, self.history_model, _("Issued versions"), 3)
        self.view_button = _button(self, _("View version"))
        self.print_version_button = _button(self, _("Print version…"))

        self.log_heading = QLabel(_("Print log"), self)
        set_role(self.log_heading, "subtitle")
        self.log_model = RowsModel(
            [_("When"), _("By"), _("Document"), _("Version"), _("Copies"), _("Printer"), _("Job")], self
        )
        self.log = _table(self, self.log_model, _("Print log"), 2)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: no known end
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName(_("Working"))
        self.progress.hide()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setAccessibleName(_("Documents status"))
        set_role(self.status, "notice")
        self.status.hide()
        self.error = ErrorLine(self)

        kind_buttons = QHBoxLayout()
        for button in (self.preview_button, self.print_draft_button, self.issue_button, self.reissue_button):
            kind_buttons.addWidget(button)
        kind_buttons.addStretch(1)
        version_buttons = QHBoxLayout()
        version_buttons.addWidget(self.view_button)
        version_buttons.addWidget(self.print_version_button)
        version_buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.kinds, 3)
        layout.addLayout(kind_buttons)
        layout.addWidget(self.reason)
        layout.addWidget(self.history_heading)
        layout.addWidget(self.history, 2)
        layout.addLayout(version_buttons)
        layout.addWidget(self.log_heading)
        layout.addWidget(self.log, 2)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.error)

        self.kinds.selectionModel().currentRowChanged.connect(self._kind_changed)
        self.history.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        self.preview_button.clicked.connect(self.preview_draft)
        self.print_draft_button.clicked.connect(self.print_draft)
        self.issue_button.clicked.connect(self.ask_issue)
        self.reissue_button.clicked.connect(self.ask_reissue)
        self.view_button.clicked.connect(self.view_version)
        self.print_version_button.clicked.connect(self.print_version)
        self._update_buttons()
        self.reload()

    # --- reading -----------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the case's documents again (called by the case page after a change to the case)."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        self.env.context.call(
            documents.panel, self.case_id, on_success=self._show, on_failure=self._load_failed, parent=self
        )

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = False
        log_failure(exc)
        self.error.set_text(error_message(exc))
        self._again = False

    def _show(self, data: DocumentsPanelData) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.reload()
            return
        keep_kind = self.selected_kind()
        keep_version = self.selected_version()
        if keep_kind is not None:
            now = data.kind(keep_kind.kind)
            if now is not None and len(now.versions) != len(keep_kind.versions):
                keep_version = None  # a new version: show the one now in force
        self.data = data
        self.kinds_model.set_rows(
            [
                (k, (k.title, kind_status(k), str(len(k.versions)) if k.versions else "—"), self._kind_tip(k))
                for k in data.kinds
            ]
        )
        self.log_model.set_rows([(e, self._log_cells(e), "") for e in data.print_log])
        names = [k.kind for k in data.kinds]
        if keep_kind is not None and keep_kind.kind in names:
            self.select_kind(keep_kind.kind)
        elif names:
            self.kinds.selectRow(0)
        self._fill_history(keep_version.document_id if keep_version is not None else None)
        self._update_buttons()
        self.loaded.emit()

    @staticmethod
    def _kind_tip(kind: KindInfo) -> str:
        if not kind.can_draft:
            return kind.draft_reason
        return "" if kind.may_issue else (kind.issue_reasons[0] if kind.issue_reasons else "")

    @staticmethod
    def _log_cells(entry: documents.PrintEntry) -> tuple[str, ...]:
        when = entry.when.strftime("%Y-%m-%d %H:%M") if entry.when is not None else ""
        version = _("draft") if entry.version is None else str(entry.version)
        return (when, entry.actor, entry.title, version, str(entry.copies), entry.printer, entry.job_id)

    def _fill_history(self, keep: str | None = None) -> None:
        kind = self.selected_kind()
        versions = list(kind.versions) if kind is not None else []
        title = kind.title if kind is not None else ""
        self.history_heading.setText(_("Versions of {document}").format(document=title) if title else _("Versions"))
        rows = []
        for v in reversed(versions):  # the version in force first
            state = _("superseded") if v.superseded else _("in force")
            cells = (str(v.version), str(v.issued_on), v.issued_by, v.reason, str(v.pages), v.sha256_short, state)
            rows.append((v, cells, v.reason))
        self.history_model.set_rows(rows)
        ids = [v.document_id for v in reversed(versions)]
        if keep in ids:
            self.history.selectRow(ids.index(keep))
        elif ids:
            self.history.selectRow(0)

    def _kind_changed(self, *_args: object) -> None:
        self._fill_history()
        self._update_buttons()

    # --- selection ---------------------------------------------------------------------------------
    def selected_kind(self) -> KindInfo | None:
        index = self.kinds.selectionModel().currentIndex()
        found = self.kinds_model.object(index.row()) if index.isValid() else None
        return found if isinstance(found, KindInfo) else None

    def selected_version(self) -> VersionInfo | None:
        index = self.history.selectionModel().currentIndex()
        found = self.history_model.object(index.row()) if index.isValid() else None
        return found if isinstance(found, VersionInfo) else None

    def select_kind(self, kind: str) -> None:
        for row in range(self.kinds_model.rowCount()):
            found = self.kinds_model.object(row)
            if isinstance(found, KindInfo) and found.kind == kind:
                self.kinds.selectRow(row)
                return

    def select_version(self, version: int) -> None:
        for row in range(self.history_model.rowCount()):
            found = self.history_model.object(row)
            if isinstance(found, VersionInfo) and found.version == version:
                self.history.selectRow(row)
                return

    def _update_buttons(self) -> None:
        kind = self.selected_kind()
        busy = _("Wait until the current operation has finished.")
        if kind is None:
            none = _("Choose a document in the list first.")
            for button in (self.preview_button, self.print_draft_button, self.issue_button, self.reissue_button):
                _enable(button, False, none)
            self.reason.hide()
        else:
            _enable(self.preview_button, kind.can_draft, kind.draft_reason)
            _enable(self.print_draft_button, kind.can_draft and not self._busy, kind.draft_reason or busy)
            first_reason = kind.issue_reasons[0] if kind.issue_reasons else ""
            if kind.versions:
                issue_ok, issue_why = False, _("Already issued: to correct it, re-issue it with a reason.")
                reissue_ok, reissue_why = kind.may_issue, first_reason
            else:
                issue_ok, issue_why = kind.may_issue, first_reason
                reissue_ok, reissue_why = False, _("Not issued yet: there is no version to replace.")
            _enable(self.issue_button, issue_ok and not self._busy, issue_why or busy)
            _enable(self.reissue_button, reissue_ok and not self._busy, reissue_why or busy)
            why = "" if kind.may_issue else first_reason
            self.reason.setText(why)
            self.reason.setAccessibleDescription(why)
            self.reason.setVisible(bool(why))
        version = self.selected_version()
        none_version = _("Choose a version in the history first.")
        _enable(self.view_button, version is not None, none_version)
        _enable(
            self.print_version_button, version is not None and not self._busy, none_version if version is None else busy
        )

    # --- feedback ----------------------------------------------------------------------------------
    def _set_busy(self, text: str) -> None:
        self._busy = bool(text)
        self.progress.setVisible(self._busy)
        if text:
            self._say(text)
        self._update_buttons()

    def _say(self, text: str) -> None:
        self.error.set_text("")
        self.status.setText(text)
        self.status.setAccessibleDescription(text)
        self.status.setVisible(bool(text))

    def _failed(self, exc: BaseException) -> None:
        log_failure(exc)
        self._set_busy("")
        self.status.hide()
        self.error.set_text(error_message(exc))

    # --- previews ----------------------------------------------------------------------------------
    def _opened(self, preview: DocumentPreview) -> None:
        self.preview_opened.emit(preview)

    def _show_pdf(self, found: DocumentPdf) -> None:
        self._set_busy("")
        self.status.hide()
        show_document(found, self.env.context, self, self._opened)

    def preview_draft(self) -> None:
        kind = self.selected_kind()
        if kind is None or not kind.can_draft:
            return
        self._set_busy(_("Preparing the draft of {document}…").format(document=kind.title))
        self.env.context.call(
            documents.render_draft,
            self.case_id,
            kind.kind,
            on_success=self._show_pdf,
            on_failure=self._failed,
            parent=self,
        )

    def view_version(self) -> None:
        version = self.selected_version()
        if version is None:
            return
        self.env.context.call(
            documents.issued_document,
            self.case_id,
            version.document_id,
            on_success=self._show_pdf,
            on_failure=self._failed,
            parent=self,
        )

    # --- issuing -----------------------------------------------------------------------------------
    def ask_issue(self) -> None:
        """Confirm first: sealing is final (a correction is a new version)."""
        kind = self.selected_kind()
        if kind is None or not self.issue_button.isEnabled():
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Issue"),
            _("Issue {document}?").format(document=kind.title),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setInformativeText(
            _(
                "Issuing seals the document with the office's signature and stores it for good: it cannot be "
                "changed afterwards. A correction is a new version, issued with a reason."
            )
        )
        yes = box.addButton(_("Issue"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(yes)
        box.setAccessibleName(_("Confirm issuing"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.confirm_box = box

        def answered(_result: int) -> None:
            self.confirm_box = None
            if box.clickedButton() is yes:
                self.issue(kind.kind)

        box.finished.connect(answered)
        box.open()

    def issue(self, kind: str) -> None:
        """Issue the first version of ``kind`` (after the confirmation)."""
        title = self._title(kind)
        self._set_busy(_("Issuing {document}…").format(document=title))

        def done(version: VersionInfo) -> None:
            self._set_busy("")
            self._say(_("{document} issued: version {version}.").format(document=title, version=version.version))
            self.reload()

        self.env.context.call(
            documents.issue, self.case_id, kind, on_success=done, on_failure=self._failed, parent=self
        )

    def ask_reissue(self) -> None:
        kind = self.selected_kind()
        if kind is None or kind.current is None or not self.reissue_button.isEnabled():
            return
        dialog = ReissueDialog(kind.title, kind.current.version, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.reason_given.connect(lambda reason: self._reissue(dialog, kind.kind, reason))
        dialog.finished.connect(lambda _r: setattr(self, "reissue_dialog", None))
        self.reissue_dialog = dialog
        dialog.open()

    def _reissue(self, dialog: ReissueDialog, kind: str, reason: str) -> None:
        title = self._title(kind)
        self._set_busy(_("Issuing {document}…").format(document=title))

        def done(version: VersionInfo) -> None:
            self._set_busy("")
            self._say(_("{document} issued: version {version}.").format(document=title, version=version.version))
            if isValid(dialog):  # the user may have closed it meanwhile
                dialog.accept()
            self.reload()

        def failed(exc: BaseException) -> None:
            log_failure(exc)
            self._set_busy("")
            self.status.hide()
            if isValid(dialog) and dialog.isVisible():
                dialog.refused(error_message(exc), getattr(exc, "field", None))
            else:
                self.error.set_text(error_message(exc))

        self.env.context.call(
            documents.reissue, self.case_id, kind, reason, on_success=done, on_failure=failed, parent=self
        )

    def _title(self, kind: str) -> str:
        found = self.data.kind(kind) if self.data is not None else None
        return found.title if found is not None else kind

    # --- printing ----------------------------------------------------------------------------------
    def print_draft(self) -> None:
        kind = self.selected_kind()
        if kind is not None and kind.can_draft:
            self._print(kind.kind, _("{document} (draft)").format(document=kind.title))

    def print_version(self) -> None:
        kind, version = self.selected_kind(), self.selected_version()
        if kind is not None and version is not None:
            title = _("{title} (version {version})").format(title=kind.title, version=version.version)
            self._print(version.document_id, title)

    def _print(self, document: str, title: str) -> None:
        """Read the printers (DB worker), ask where and how many, then send the PDF (DB worker)."""
        copies = self.data.default_copies if self.data is not None else 1
        self._set_busy(_("Reading the printers…"))

        def choose(choices: PrinterChoices) -> None:
            self._set_busy("")
            self.status.hide()
            self.print_dialog = ask_printer(title, choices, copies, self, lambda choice: self._send(document, choice))
            self.print_dialog.finished.connect(lambda _r: setattr(self, "print_dialog", None))

        self.env.context.call(documents.printers, on_success=choose, on_failure=self._failed, parent=self)

    def _send(self, document: str, choice: PrintChoice) -> None:
        self._set_busy(_("Sending to {printer}…").format(printer=choice.printer))

        def done(job: Any) -> None:
            self._set_busy("")
            self._say(
                _("Sent to {printer}: job {job}, {copies} copies of {pages} pages.").format(
                    printer=job.printer, job=job.job_id, copies=job.copies, pages=job.pages
                )
            )
            self.reload()

        self.env.context.call(
            documents.print_document,
            self.case_id,
            document,
            choice.printer,
            choice.copies,
            on_success=done,
            on_failure=self._failed,
            parent=self,
        )
