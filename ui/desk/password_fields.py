"""Pieces the screens that create accounts or passwords share (set-up, recovery, "add a user", "change your
password"): the user-name field, the password advice shown while typing, the busy bar, and a dialog's
accept/cancel row."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QProgressBar, QPushButton, QWidget

from fzmediate.i18n import _
from fzmediate.security.roles import Role
from fzmediate.services.validation import password_problem
from ui.desk.form_field import FormField


def login_field(parent: QWidget) -> FormField:
    """The user-name field with the rule for user names as its hint."""
    return FormField(
        _("User name"),
        hint=_(
            "2–32 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter, "
            "for example wangli; a login name, not your real name."
        ),
        parent=parent,
    )


def password_advice(password: str, *, role: Role | str | None = None, user_inputs: Iterable[str] = ()) -> str:
    """Why ``password`` is too easy to guess, or the all-clear: what a ``LiveHint`` shows under the field."""
    return password_problem(password, role=role, user_inputs=user_inputs) or _("Hard enough to guess.")


def busy_bar(parent: QWidget, *, thin: bool = False) -> QProgressBar:
    """A hidden, indeterminate progress bar shown while the store works (``thin`` on full-window screens)."""
    bar = QProgressBar(parent)
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    if thin:
        bar.setFixedHeight(6)
    bar.setAccessibleName(_("Working"))
    bar.setVisible(False)
    return bar


def accept_buttons(dialog: QDialog, text: str, on_accept: Callable[[], None]) -> tuple[QDialogButtonBox, QPushButton]:
    """Cancel plus a default button labelled ``text`` that calls ``on_accept`` (the dialog accepts itself
    once the work has succeeded, so the button does not close it)."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, dialog)
    ok = QPushButton(text, dialog)
    ok.setAccessibleName(text)
    ok.setDefault(True)
    buttons.addButton(ok, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(_("Cancel"))
    buttons.rejected.connect(dialog.reject)
    ok.clicked.connect(on_accept)
    return buttons, ok
