"""Driving the desk's real windows in flow tests: find the dialog that opened, fill an act dialog's fields by
their form names, press buttons by their accessible names — as a user would, without calling services.

Typical use::

    QTest.mouseClick(page.acts_panel.buttons["accept"], Qt.MouseButton.LeftButton)  # the act's own button
    dialog = wait_window(qtbot, ActDialog)               # the act dialog that opened (or a QMessageBox, …)
    fill(dialog, "note", "当事人到场")                    # by the form's field name
    fill(dialog, "party", party_label("respondent", 1))  # a party by its on-screen label (or its id)
    press(qtbot, dialog, _("Apply the act"))             # by accessible name (else by visible text)
    wait_closed(qtbot, dialog)
    click_item(documents.kinds, "调解协议书")             # a row of a list or table view, by its text
    press(qtbot, documents, _("Issue…"))                 # a trailing "…" is ignored in the comparison
    box = wait_window(qtbot, QMessageBox, name=_("Confirm issuing"))
    press(qtbot, box, _("Issue"))                        # a message box's button, by its text

Every helper works on what is on screen: labels are compared with ``_()`` of the English msgid, never with
hard-coded Chinese. Chinese *data* is typed with ``setText`` (``QTest.keyClicks`` cannot type it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from fzmediate.i18n import _
from ui.desk.case_view.act_dialog import ActDialog
from ui.desk.case_view.form_widgets import (
    BoolEditor,
    ChoiceEditor,
    DateEditor,
    IntEditor,
    PartiesEditor,
    TermsField,
    TextEditor,
    TextListEditor,
)

WAIT_MS = 20_000

W = TypeVar("W", bound=QWidget)


# --- finding windows ---------------------------------------------------------------------------------
def open_windows(cls: type[W] = QWidget) -> list[W]:  # type: ignore[assignment]
    """Every visible window (top-level widget, parented dialogs included) of type ``cls``, newest last."""
    found: list[W] = []
    for w in QApplication.topLevelWidgets():
        if isValid(w) and isinstance(w, cls) and w.isVisible():
            found.append(w)
    return found


def find_window(
    cls: type[W] = QDialog,  # type: ignore[assignment]
    *,
    title: str | None = None,
    name: str | None = None,
    exclude: Iterable[QWidget] = (),
) -> W | None:
    """A visible window of type ``cls`` (the active modal one first), optionally with this window ``title``
    or accessible ``name``, and not one of ``exclude`` (dialogs seen before). None when there is none."""
    skip = {id(w) for w in exclude}
    candidates = open_windows(cls)
    modal = QApplication.activeModalWidget()
    if isinstance(modal, cls) and modal in candidates:
        candidates.remove(modal)
        candidates.insert(0, modal)
    for w in candidates:
        if id(w) in skip:
            continue
        if title is not None and w.windowTitle() != title:
            continue
        if name is not None and w.accessibleName() != name:
            continue
        return w
    return None


def wait_window(
    qtbot: QtBot,
    cls: type[W] = QDialog,  # type: ignore[assignment]
    *,
    title: str | None = None,
    name: str | None = None,
    exclude: Iterable[QWidget] = (),
    timeout: int = WAIT_MS,
) -> W:
    """Wait until a window as :func:`find_window` describes is shown; return it."""
    skip = list(exclude)
    out: list[W] = []

    def shown() -> bool:
        found = find_window(cls, title=title, name=name, exclude=skip)
        if found is not None:
            out.append(found)
        return found is not None

    qtbot.waitUntil(shown, timeout=timeout)
    return out[0]


def wait_closed(qtbot: QtBot, window: QWidget, timeout: int = WAIT_MS) -> None:
    """Wait until ``window`` is hidden or deleted (e.g. an act dialog after the store applied the act)."""
    qtbot.waitUntil(lambda: not isValid(window) or not window.isVisible(), timeout=timeout)


# --- buttons -------------------------------------------------------------------------------------------
def _plain(text: str) -> str:
    return text.replace("&", "").rstrip("…").strip()


def find_button(root: QWidget, name: str) -> QAbstractButton | None:
    """The visible button under ``root`` whose accessible name is ``name`` (else whose text is, ignoring "&"
    and a trailing "…"). None when there is none."""
    buttons = [b for b in root.findChildren(QAbstractButton) if b.isVisibleTo(root) or not root.isVisible()]
    for b in buttons:
        if b.accessibleName() == name:
            return b
    for b in buttons:
        if _plain(b.text()) == _plain(name):
            return b
    return None


def press(qtbot: QtBot, root: QWidget, name: str) -> QAbstractButton:
    """Click the enabled button named ``name`` under ``root`` with the mouse (asserts it exists and is enabled:
    a disabled button's reason is in the assertion message)."""
    button = find_button(root, name)
    assert button is not None, "no button {0!r} in {1!r}".format(name, root.windowTitle() or root)
    assert button.isEnabled(), "button {0!r} is disabled: {1}".format(name, button.toolTip())
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    return button


def click_item(view: QAbstractItemView, text: str, column: int = 0) -> QModelIndex:
    """Click (with the mouse) the first row of an item view (list, table, tree top level) whose text in
    ``column`` contains ``text``; returns its index. Asserts there is one."""
    model = view.model()
    rows = [model.index(r, column) for r in range(model.rowCount())]
    index = next((i for i in rows if text in str(i.data() or "")), None)
    assert index is not None, "{0!r} is not in {1}".format(text, [str(i.data()) for i in rows])
    view.scrollTo(index)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    return index


# --- act dialogs ---------------------------------------------------------------------------------------
def party_label(role: str, n: int = 1) -> str:
    """A party's label as the act forms show it, without its masked name: "被申请人 1" for ("respondent", 1)."""
    return _("{role} {n}").format(role=_(role), n=n)


def _pick(pairs: Sequence[tuple[str, str]], wanted: str) -> str:
    """The value among (value, label) ``pairs`` that ``wanted`` names: the value itself, the label, or the
    label's beginning (party labels end with the masked name)."""
    for value, _label in pairs:
        if value == wanted:
            return value
    for value, label in pairs:
        if label == wanted:
            return value
    for value, label in pairs:
        if label.startswith(wanted):
            return value
    raise AssertionError("{0!r} is not among {1!r}".format(wanted, [label for _v, label in pairs]))


def _combo_pairs(combo: Any) -> list[tuple[str, str]]:
    return [(str(combo.itemData(i) or ""), combo.itemText(i)) for i in range(combo.count())]


def _set_combo(combo: Any, wanted: str) -> None:
    combo.setCurrentIndex(combo.findData(_pick(_combo_pairs(combo), wanted)))


def _qdate(value: date | str) -> QDate:
    d = value if isinstance(value, date) else date.fromisoformat(value)
    return QDate(d.year, d.month, d.day)


def fill(dialog: ActDialog, field: str, value: Any) -> None:
    """Set the field ``field`` (the act form's field name) of an act dialog as a user would.

    ``value`` by the field's type: text → str; boolean → bool; choice / party → the value, its label, or the
    label's beginning (e.g. :func:`party_label`); parties → a list of those, or ``"all"``; date → ``date`` or
    "YYYY-MM-DD"; integer → int; text_list → list of str; terms → a list of term mappings with the keys
    obligor, obligee (as for a party), content, amount, manner, place, deadline (all optional).
    """
    assert field in dialog.editors, "{0!r} has no field {1!r} (it has {2})".format(
        dialog.windowTitle(), field, ", ".join(dialog.editors)
    )
    editor = dialog.editors[field]
    if isinstance(editor, TextEditor):
        editor.set_text(str(value))
    elif isinstance(editor, BoolEditor):
        editor.box.setChecked(bool(value))
    elif isinstance(editor, ChoiceEditor):
        _set_combo(editor.combo, str(value))
    elif isinstance(editor, PartiesEditor):
        items = [editor.list.item(i) for i in range(editor.list.count())]
        pairs = [(str(it.data(Qt.ItemDataRole.UserRole)), it.text()) for it in items]
        wanted = [v for v, _label in pairs] if value == "all" else [_pick(pairs, str(v)) for v in value]
        editor.check(wanted)
    elif isinstance(editor, DateEditor):
        editor.date.setDate(_qdate(value))
    elif isinstance(editor, IntEditor):
        editor.spin.setValue(int(value))
    elif isinstance(editor, TextListEditor):
        for text in value:
            editor.add_entry(str(text))
    elif isinstance(editor, TermsField):
        for term in value:
            _fill_term(editor.terms.add_term(), term)
    else:
        raise AssertionError("no way to fill a field of type {0!r}".format(editor.field.type))


def _fill_term(card: Any, term: Mapping[str, Any]) -> None:
    if "obligor" in term:
        _set_combo(card.obligor, str(term["obligor"]))
    if "obligee" in term:
        _set_combo(card.obligee, str(term["obligee"]))
    for key in ("content", "amount", "manner", "place"):
        if key in term:
            getattr(card, key).setText(str(term[key]))
    if term.get("deadline"):
        card.deadline.setDate(_qdate(term["deadline"]))


def field_errors(dialog: ActDialog) -> dict[str, str]:
    """The messages an act dialog shows now, by field name (fields without one left out); the form-wide message
    under "form", the date's under "occurred_on"."""
    out = {name: e.error_text() for name, e in dialog.editors.items() if e.error_text()}
    for key in ("occurred_on", "late_reason"):
        if dialog.field_error(key):
            out[key] = dialog.field_error(key)
    general = dialog.form_error.text()
    if general:
        out["form"] = general
    return out
