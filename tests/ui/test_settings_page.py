"""The settings and administration page on a real encrypted store: appearance at run time, password change,
users, backup and check, the desk's unit, catalogue import, what each role sees, and no clipped text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QListWidget,
    QSlider,
    QTableWidget,
    QWidget,
)

from fzmediate.desk.admin import PERMILLE
from fzmediate.i18n import _, current_locale, set_locale
from fzmediate.services.workspace import Workspace
from fzmediate.settings import Settings
from tests.documents import case_lifecycles as life
from tests.support import ADMIN_PW, NEW_PW, OTHER_PW
from tests.ui.desk_support import WAIT_MS, close, sign_in
from tests.ui.fit import clipped_texts, text_size
from ui.app import prepare_application
from ui.desk.page import DeskEnv
from ui.desk.settings import common
from ui.desk.settings.appearance import TEXT_SCALES
from ui.desk.settings.user_dialog import UserDialog
from ui.desk.settings_page import SettingsPage
from ui.ops import Ops, Progress


@pytest.fixture
def admin_env(qtbot: Any, ops: Ops, staffed: Workspace) -> Iterator[DeskEnv]:
    env = sign_in(qtbot, staffed, ops, "admin", ADMIN_PW)
    yield env
    close(qtbot, env)


@pytest.fixture
def restore_look(app: QApplication) -> Iterator[None]:
    """Whatever a test switches (language, size, contrast), the next one starts in zh_CN at 100 %."""
    yield
    set_locale("zh_CN")
    prepare_application(app, "zh_CN")


def page_for(qtbot: Any, env: DeskEnv, *, width: int = 900) -> SettingsPage:
    page = SettingsPage(env)
    qtbot.addWidget(page)
    page.resize(width, 800)
    page.show()
    page.activated()
    return page


def unnamed(root: QWidget) -> list[str]:
    """Inputs, buttons, combos, sliders and tables without an accessible name."""
    kinds = (QLineEdit, QAbstractButton, QComboBox, QSlider, QAbstractSpinBox, QTableWidget, QListWidget)
    return [
        "{0} {1}".format(type(w).__name__, w.objectName())
        for w in root.findChildren(QWidget)
        if isinstance(w, kinds) and not w.accessibleName()
    ]


def saved(ws: Workspace) -> Settings:
    return Settings.load(ws.paths.root)


def test_switching_to_english_applies_at_once_and_is_saved(
    qtbot: Any, desk_env: DeskEnv, staffed: Workspace, restore_look: None
) -> None:
    page = page_for(qtbot, desk_env)
    combo = page.appearance.language
    index = combo.findData("en")
    with qtbot.waitSignal(page.rebuild_requested, timeout=WAIT_MS):
        combo.setCurrentIndex(index)
        combo.activated.emit(index)
    assert current_locale() == "en"
    assert desk_env.settings.locale == "en"
    qtbot.waitUntil(lambda: saved(staffed).locale == "en", timeout=WAIT_MS)


def test_a_larger_text_size_makes_the_application_font_larger(
    qtbot: Any, app: QApplication, desk_env: DeskEnv, staffed: Workspace, restore_look: None
) -> None:
    page = page_for(qtbot, desk_env)
    before = QApplication.font().pointSizeF()
    panel = page.appearance
    assert not panel.apply_size.isEnabled()  # nothing to apply yet
    panel.text_size.setValue(TEXT_SCALES.index(175))
    assert panel.size_value.text() == "175 %" and panel.sample.font().pointSizeF() > before
    with qtbot.waitSignal(page.rebuild_requested, timeout=WAIT_MS):
        qtbot.mouseClick(panel.apply_size, Qt.MouseButton.LeftButton)
    assert QApplication.font().pointSizeF() == pytest.approx(before * 1.75, abs=0.2)
    assert desk_env.settings.text_scale == 175
    qtbot.waitUntil(lambda: saved(staffed).text_scale == 175, timeout=WAIT_MS)


def test_high_contrast_is_applied_and_saved(
    qtbot: Any, desk_env: DeskEnv, staffed: Workspace, restore_look: None
) -> None:
    page = page_for(qtbot, desk_env)
    with qtbot.waitSignal(page.rebuild_requested, timeout=WAIT_MS):
        page.appearance.high_contrast.setChecked(True)
    assert "outline: 3px" in QApplication.instance().styleSheet()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: saved(staffed).high_contrast, timeout=WAIT_MS)


def test_the_idle_lock_follows_the_chosen_minutes(qtbot: Any, desk_env: DeskEnv, staffed: Workspace) -> None:
    page = page_for(qtbot, desk_env)
    rebuilt: list[bool] = []
    page.rebuild_requested.connect(lambda: rebuilt.append(True))
    with qtbot.waitSignal(page.idle_lock_changed, timeout=WAIT_MS) as signal:
        page.appearance.idle_minutes.setValue(12)
    assert signal.args == [720] and not rebuilt  # no rebuild for the lock
    qtbot.waitUntil(lambda: saved(staffed).idle_lock_seconds == 720, timeout=WAIT_MS)


def test_password_change_needs_the_current_password(
    qtbot: Any, ops: Ops, desk_env: DeskEnv, staffed: Workspace
) -> None:
    page = page_for(qtbot, desk_env)
    qtbot.mouseClick(page.password_button, Qt.MouseButton.LeftButton)
    dialog = page.password_dialog
    assert dialog is not None
    dialog.old.edit.setText("not-my-password")
    dialog.new.edit.setText(NEW_PW)
    dialog.new2.edit.setText(NEW_PW)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.old.error_text()), timeout=WAIT_MS)
    assert dialog.old.error_text() == _("Current password: this is not your password. Nothing was changed.")
    assert dialog.isVisible()

    dialog.old.edit.setText(life.MEDIATOR[1])
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.password_done.isVisible(), timeout=WAIT_MS)
    assert not dialog.isVisible()
    close(qtbot, desk_env)
    again = sign_in(qtbot, staffed, ops, "med1", NEW_PW)
    assert again.actor.login == "med1"
    close(qtbot, again)


def test_a_weak_new_password_is_refused_beside_its_field(qtbot: Any, desk_env: DeskEnv) -> None:
    page = page_for(qtbot, desk_env)
    page.change_password()
    dialog = page.password_dialog
    assert dialog is not None
    dialog.old.edit.setText(life.MEDIATOR[1])
    dialog.new.edit.setText("abc")
    dialog.new2.edit.setText("abc")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.new.error_text()), timeout=WAIT_MS)
    assert not dialog.old.error_text()


def test_an_administrator_adds_a_mediator(qtbot: Any, admin_env: DeskEnv) -> None:
    page = page_for(qtbot, admin_env)
    users = page.users_panel
    assert users is not None
    qtbot.waitUntil(lambda: users.table.rowCount() >= 4, timeout=WAIT_MS)
    qtbot.mouseClick(users.add_button, Qt.MouseButton.LeftButton)
    dialog = users.dialog
    assert isinstance(dialog, UserDialog)
    dialog.login.edit.setText("wangji")
    dialog.full_name.edit.setText("王𠮷")
    dialog.password.edit.setText(OTHER_PW)
    dialog.password2.edit.setText(OTHER_PW)
    assert not dialog.qualified.isEnabled()  # a mediator carries no legal qualification
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(r.login == "wangji" for r in users.rows), timeout=WAIT_MS)
    row = next(r for r in users.rows if r.login == "wangji")
    assert row.masked_name == "王某" and row.active
    qtbot.waitUntil(lambda: users.table.rowCount() == len(users.rows), timeout=WAIT_MS)


def test_a_mediator_sees_no_administration(qtbot: Any, desk_env: DeskEnv) -> None:
    page = page_for(qtbot, desk_env)
    assert page.users_panel is None and page.backup_panel is None
    reason = desk_env.context.may("manage_users").reason
    assert reason and page.admin_reason.accessibleDescription() == reason
    expected = _("Users, the recovery code and restoring backups are managed by an administrator.")
    assert page.admin_reason.text() == expected
    store = page.store_panel
    assert not store.import_button.isEnabled()
    assert store.import_button.toolTip() == desk_env.context.may("catalogue.import").reason
    qtbot.waitUntil(lambda: store.info is not None, timeout=WAIT_MS)
    assert not store.unit.isEnabled() and store.unit.accessibleDescription()
    assert store.info is not None and store.info.issuer and store.issuer.text() == store.info.issuer


def test_a_supervisor_backs_up_and_checks_but_may_not_restore(
    qtbot: Any, supervisor_env: DeskEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "ask_folder", lambda parent, title: str(tmp_path))
    page = page_for(qtbot, supervisor_env)
    panel = page.backup_panel
    assert panel is not None
    assert not panel.restore_button.isEnabled() and panel.restore_button.toolTip()
    reports: list[Progress] = []
    original = panel._backup_progress

    def spy(p: Progress) -> None:
        reports.append(p)
        original(p)

    monkeypatch.setattr(panel, "_backup_progress", spy)
    qtbot.mouseClick(panel.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.last_backup is not None, timeout=WAIT_MS)
    assert panel.last_backup is not None and Path(panel.last_backup.path).is_file()
    assert panel.last_backup.path.startswith(str(tmp_path))
    assert reports and reports[-1].done == reports[-1].total == PERMILLE  # thousandths of the bytes
    assert panel.backup_result.isVisible() and not panel.backup_progress.isVisible()

    panel.check()
    qtbot.waitUntil(lambda: panel.last_check is not None, timeout=WAIT_MS)
    assert panel.last_check is not None and panel.last_check.ok
    assert not panel.problems.isVisible()


def test_a_file_that_is_not_a_catalogue_is_refused_with_the_reason(
    qtbot: Any, admin_env: DeskEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.fzcat.json"
    bad.write_text('{"bundle": 1}', "utf-8")
    monkeypatch.setattr(common, "ask_open_file", lambda parent, title, pattern: str(bad))
    page = page_for(qtbot, admin_env)
    store = page.store_panel
    qtbot.mouseClick(store.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(store.message.text()), timeout=WAIT_MS)
    assert not store.result.isVisible() and store.import_button.isEnabled()


def test_sync_says_the_desk_is_not_enrolled_and_counts_the_outbox(qtbot: Any, desk_env: DeskEnv) -> None:
    # The panel itself: tests/ui/test_sync_panel.py.
    page = page_for(qtbot, desk_env)
    sync = page.sync_panel
    qtbot.waitUntil(lambda: sync.sync.view is not None, timeout=WAIT_MS)
    view = sync.sync.view
    assert view is not None and not view.enrolled
    assert sync.status.text() == _("Not enrolled")
    assert str(view.waiting) in sync.details.text()


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("percent", [100, 175])
def test_no_text_is_clipped(
    qtbot: Any, app: QApplication, admin_env: DeskEnv, locale: str, percent: int, restore_look: None
) -> None:
    set_locale(locale)
    with text_size(app, percent):
        page = page_for(qtbot, admin_env, width=1000)
        qtbot.waitUntil(
            lambda: page.store_panel.info is not None and page.sync_panel.sync.view is not None, timeout=WAIT_MS
        )
        users = page.users_panel
        assert users is not None
        qtbot.waitUntil(lambda: bool(users.rows), timeout=WAIT_MS)
        qtbot.wait(10)
        assert clipped_texts(page) == []
        assert unnamed(page) == []


@pytest.mark.parametrize("percent", [100, 175])
def test_no_text_is_clipped_in_the_dialogs(qtbot: Any, app: QApplication, admin_env: DeskEnv, percent: int) -> None:
    from ui.desk.settings.password_dialog import PasswordDialog
    from ui.desk.settings.restore_dialog import RestoreDialog

    with text_size(app, percent):
        for dialog in (
            PasswordDialog(admin_env),
            UserDialog(admin_env),
            RestoreDialog(admin_env, "fzmediate-1234abcd-20261129-101500.fzbackup"),
        ):
            qtbot.addWidget(dialog)
            dialog.show()
            qtbot.wait(10)
            assert clipped_texts(dialog) == [], type(dialog).__name__
            assert unnamed(dialog) == [], type(dialog).__name__
