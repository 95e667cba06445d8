"""A read-only table model over rows of prepared cells, and the table view the supervisor's tabs share.

Rows arrive as DTOs from the store; the tab turns each into display cells once (text, a sort key, a tooltip)
and keeps the DTO as the row's payload, so ``data()`` never computes or touches the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from fzmediate.i18n import _

#: The role a cell's sort key is under (numbers and dates sort as such, not as text).
SORT_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Cell:
    text: str
    sort: Any = None
    tooltip: str = ""
    numeric: bool = False


class RowsModel(QAbstractTableModel):
    def __init__(self, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: list[Sequence[Cell]] = []
        self._payloads: list[object] = []

    def set_rows(
        self, rows: Sequence[Sequence[Cell]], payloads: Sequence[object], headers: Sequence[str] | None = None
    ) -> None:
        self.beginResetModel()
        if headers is not None:
            self._headers = list(headers)
        self._rows = list(rows)
        self._payloads = list(payloads)
        self.endResetModel()

    def payload(self, row: int) -> object:
        return self._payloads[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        cell = self._rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return cell.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell.tooltip or None
        if role == SORT_ROLE:
            return cell.sort if cell.sort is not None else cell.text
        if role == Qt.ItemDataRole.TextAlignmentRole and cell.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None


class RowsTable(QTableView):
    """A sortable, single-row-selection table over a :class:`RowsModel`, named for screen readers."""

    def __init__(self, headers: Sequence[str], name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = RowsModel(headers, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.rows)
        self.proxy.setSortRole(SORT_ROLE)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.horizontalHeader()
        # Every column as wide as its heading and its widest cell: nothing is cut off at any text size.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # The store's order (e.g. oldest first) until the user clicks a heading.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setAccessibleName(name)
        self.horizontalHeader().setAccessibleName(_("Column headings: click one to sort"))

    def set_rows(
        self, rows: Sequence[Sequence[Cell]], payloads: Sequence[object], headers: Sequence[str] | None = None
    ) -> None:
        self.rows.set_rows(rows, payloads, headers)

    def current_payload(self) -> object | None:
        """The DTO of the selected row, or None."""
        selected = self.selectionModel().selectedRows()
        if not selected:
            return None
        return self.rows.payload(self.proxy.mapToSource(selected[0]).row())

    def select_payload(self, match: Any) -> bool:
        """Select the first row whose payload satisfies ``match(payload)``; False when none does."""
        for row in range(self.proxy.rowCount()):
            source = self.proxy.mapToSource(self.proxy.index(row, 0)).row()
            if match(self.rows.payload(source)):
                self.selectRow(row)
                return True
        return False
