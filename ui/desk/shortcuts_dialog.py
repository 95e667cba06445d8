"""The "Keyboard shortcuts" help window (Help menu, F1): every key of the desk, in the current language.

The window's own keys are read from its actions (so the list shows what this platform really binds: Quit is
Ctrl+Q on Linux, nothing on Windows, where Alt+F4 closes the window); the act keys come from
:data:`ui.desk.case_view.shortcuts.ACT_SHORTCUTS`; the keys of lists, dialogs and forms are listed as
written here. A tree, one branch per place, so a screen reader reads "keys — what they do" row by row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fzmediate.i18n import N_, _
from ui.a11y import name_qt_internals
from ui.desk.case_view.shortcuts import ACT_SHORTCUTS, native
from ui.style import set_role

#: Keys that are not actions of the window: (keys, what they do), per place (msgids).
_CASE_PAGE_KEYS = (("F5", N_("Read the case again")),)
_LIST_KEYS = (
    ("Down", N_("From the search field: go to the list of cases")),
    ("Return", N_("Open the selected case (or the only case found)")),
)
_DIALOG_KEYS = (
    ("Ctrl+Return", N_("Apply the act")),
    ("Esc", N_("Cancel or close the dialog (asks first when something was typed)")),
)
_FORM_KEYS = (
    ("Tab", N_("Go to the next control")),
    ("Shift+Tab", N_("Go to the previous control")),
    ("Space", N_("Press the button or tick the box that has the focus")),
)


@dataclass(frozen=True)
class Section:
    """One branch of the list: where the keys work, and (keys as shown, what they do) rows."""

    title: str
    rows: tuple[tuple[str, str], ...]


def _plain(text: str) -> str:
    """An action's text without its menu marks ("New case…" → "New case")."""
    return text.replace("&", "").rstrip("…").rstrip(".").strip()


def window_rows(actions: Iterable[QAction]) -> tuple[tuple[str, str], ...]:
    """(keys, what) for each action with a shortcut on this platform, in the given order, without repeats."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for action in actions:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and keys not in seen:
            seen.add(keys)
            rows.append((keys, _plain(action.text())))
    return tuple(rows)


def sections(actions: Iterable[QAction]) -> tuple[Section, ...]:
    """Every shortcut of the desk, grouped by where it works (translated now)."""

    def fixed(rows: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return tuple((native(keys), _(what)) for keys, what in rows)

    acts = tuple((native(s.keys), _(s.description)) for s in ACT_SHORTCUTS)
    return (
        Section(_("Everywhere in the main window"), window_rows(actions)),
        Section(_("On a case (when the act is available)"), acts + fixed(_CASE_PAGE_KEYS)),
        Section(_("In the list of cases"), fixed(_LIST_KEYS)),
        Section(_("In an act's dialog"), fixed(_DIALOG_KEYS)),
        Section(_("In every form"), fixed(_FORM_KEYS)),
    )


class ShortcutsDialog(QDialog):
    """Lists :func:`sections` for ``actions`` (the main window's); not modal: it may stay open beside the work."""

    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Keyboard shortcuts"))
        self.setAccessibleName(_("Keyboard shortcuts"))
        layout = QVBoxLayout(self)
        title = QLabel(_("Keyboard shortcuts"), self)
        title.setWordWrap(True)
        set_role(title, "title")
        layout.addWidget(title)
        hint = QLabel(
            _(
                "The keys are the same in every language. A key on an act that is not available now "
                "opens nothing: the status bar says why."
            ),
            self,
        )
        hint.setWordWrap(True)
        set_role(hint, "hint")
        layout.addWidget(hint)

        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName(_("Keyboard shortcuts"))
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([_("Keys"), _("What they do")])
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sections = sections(actions)
        for section in self.sections:
            branch = QTreeWidgetItem(self.tree, [section.title])
            branch.setFirstColumnSpanned(True)
            font = branch.font(0)
            font.setBold(True)
            branch.setFont(0, font)
            for keys, what in section.rows:
                item = QTreeWidgetItem(branch, [keys, what])
                item.setData(0, Qt.ItemDataRole.AccessibleTextRole, _("{keys}: {what}").format(keys=keys, what=what))
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, self.tree.columnWidth(0) + self.fontMetrics().averageCharWidth() * 3)
        layout.addWidget(self.tree, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        if close is not None:
            close.setAccessibleName(_("Close"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        name_qt_internals(self)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 90, metrics.height() * 32)
        self.tree.setFocus()

    def rows(self) -> list[tuple[str, str]]:
        """Every (keys, what) row shown, in order."""
        return [row for section in self.sections for row in section.rows]


def open_shortcuts(actions: Iterable[QAction], parent: QWidget | None = None) -> ShortcutsDialog:
    """Show the shortcuts help (deleted when closed); returns it."""
    dialog = ShortcutsDialog(actions, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.show()
    return dialog
