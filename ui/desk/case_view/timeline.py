"""The procedure as a timeline: what was done (✓, every event, late entries marked), what can be done next,
and what is due (each deadline, with "overdue" in words and an icon, not only colour)."""

from __future__ import annotations

from PySide6.QtWidgets import QStyle, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from fzmediate.desk.case_view import CaseScreen
from fzmediate.i18n import _, ngettext


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
        for column in range(3):
            self.tree.resizeColumnToContents(column)

    def rows(self, group: QTreeWidgetItem | None) -> list[str]:
        """The texts of a group's entries (What column), for tests and screen readers."""
        if group is None:
            return []
        return [item.text(1) for i in range(group.childCount()) if (item := group.child(i)) is not None]
