"""The procedure as a timeline: what was done (✓, every event, late entries marked), what can be done next,
and what is due (each deadline, with "overdue" in words and an icon, not only colour)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fzmediate.desk.case_view import CaseScreen
from fzmediate.i18n import _, ngettext

WHAT, DETAILS = 1, 3


class _WrappedText(QStyledItemDelegate):
    """Measures the What and Details cells at their column's width, so long text wraps onto more lines instead
    of being cut with "…" (QTreeView measures rows without the column's width). ``natural``: measure on one
    line (while a column is fitted to its contents)."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree
        self.natural = False

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        if self.natural or index.column() not in (WHAT, DETAILS):
            return super().sizeHint(option, index)
        measured = QStyleOptionViewItem(option)
        # A new rectangle, not ``measured.rect.setWidth``: calling a method on the field's wrapper loses a
        # reference to None in PySide6 6.12 each time, and the process aborts after some thousands of rows.
        rect = QRect(option.rect)
        measured.rect = QRect(rect.x(), rect.y(), self.tree.columnWidth(index.column()), max(rect.height(), 1))
        return super().sizeHint(measured, index)


class TimelineView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName(_("Timeline of the case"))
        self.tree.setHeaderLabels([_("Date"), _("What"), _("By"), _("Details")])
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.delegate = _WrappedText(self.tree)
        self.tree.setItemDelegate(self.delegate)
        # Rows keep the height measured at the old column width: measure again after a resize.
        self.tree.header().sectionResized.connect(lambda *_args: self.tree.doItemsLayout())
        layout.addWidget(self.tree)
        self.done: QTreeWidgetItem | None = None
        self.next: QTreeWidgetItem | None = None
        self.due: QTreeWidgetItem | None = None

    def set_screen(self, screen: CaseScreen) -> None:
        self.tree.clear()
        self.done = QTreeWidgetItem(self.tree, ["", _("Done")])
        for e in screen.timeline:
            what = "✓ " + e.label
            if e.late:
                what += " " + _("(late entry)")
            item = QTreeWidgetItem(self.done, [e.on.isoformat(), what, e.actor, e.summary])
            item.setToolTip(3, e.summary)  # the column may cut a long summary
        self.next = QTreeWidgetItem(self.tree, ["", _("Next")])
        for a in screen.acts:
            if a.allowed:
                QTreeWidgetItem(self.next, ["", "→ " + a.label, "", ""])
        self.due = QTreeWidgetItem(self.tree, ["", _("Due")])
        warn = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for d in screen.deadlines:
            notes = [d.status_label]
            if d.provisional:
                notes.append(_("provisional"))
            if d.working_days_left is not None and d.working_days_left >= 0 and not d.overdue:
                notes.append(
                    ngettext("{n} working day left", "{n} working days left", d.working_days_left).format(
                        n=d.working_days_left
                    )
                )
            label = d.label
            if d.overdue:
                label = _("{deadline} — overdue").format(deadline=d.label)
            item = QTreeWidgetItem(self.due, [d.due.isoformat(), label, "", _("; ").join(notes)])
            if d.overdue:
                item.setIcon(1, warn)
        self.tree.expandAll()
        self._fit_columns()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Date, What and By as wide as their contents, unless What would leave Details less than a third of
        the width: then What gives way (its long labels wrap) and Details (the stretched last column) keeps it."""
        tree = self.tree
        self.delegate.natural = True
        try:
            for column in range(DETAILS):
                tree.resizeColumnToContents(column)
        finally:
            self.delegate.natural = False
        room = tree.viewport().width() - tree.columnWidth(0) - tree.columnWidth(2)
        if room > 0 and room - tree.columnWidth(WHAT) < room // 3:
            tree.setColumnWidth(WHAT, room - room // 3)
        tree.doItemsLayout()

    def rows(self, group: QTreeWidgetItem | None) -> list[str]:
        """The texts of a group's entries (What column), for tests and screen readers."""
        if group is None:
            return []
        return [item.text(1) for i in range(group.childCount()) if (item := group.child(i)) is not None]
