"""Names for the controls Qt builds inside other widgets, which screens never see being made.

A screen names its own controls; Qt adds some of its own: the line edit inside a spin box, date edit or
editable combo box, the corner button of a table (select all), the clear button of a line edit, the scroll
buttons of a tab bar, the overflow button of a tool bar. Screen readers announce them with no name.
:func:`name_qt_internals` gives each one that has none a name from its owner (or what it does); pages call
it when first shown (``DeskPage.showEvent``), dialogs after building.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QTableView, QWidget

from fzmediate.i18n import _


def _owner_name(widget: QWidget) -> str:
    parent = widget.parentWidget()
    return parent.accessibleName() if parent is not None else ""


def name_qt_internals(root: QWidget) -> int:
    """Name every unnamed Qt-internal control under ``root``; returns how many were named."""
    named = 0
    for w in root.findChildren(QWidget):
        if not isinstance(w, (QLineEdit, QAbstractButton)) or w.accessibleName():
            continue
        parent = w.parentWidget()
        name = ""
        if isinstance(w, QLineEdit) and isinstance(parent, (QAbstractSpinBox, QComboBox)):
            name = _owner_name(w) or parent.toolTip()
        elif isinstance(w, QAbstractButton) and isinstance(parent, QTableView):
            name = _("Select all rows")
        elif isinstance(w, QAbstractButton) and isinstance(parent, QLineEdit):
            name = _("Clear")
        elif w.objectName() == "ScrollLeftButton":
            name = _("Scroll tabs left")
        elif w.objectName() == "ScrollRightButton":
            name = _("Scroll tabs right")
        elif w.objectName() in ("qt_toolbar_ext_button", "qt_menubar_ext_button"):
            name = _("More commands")
        if name:
            w.setAccessibleName(name)
            named += 1
    return named
