"""The settings screen's store calls (``fzmediate.desk.admin``), without Qt, on a real encrypted store."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from fzmediate.catalogue.bundle import BundleError
from fzmediate.catalogue.keys import TrustedKeys
from fzmediate.desk import admin
from fzmediate.errors import PermissionDenied, ValidationError
from fzmediate.i18n import _
from fzmediate.security.permissions import Role
from fzmediate.services.workspace import Workspace
from fzmediate.settings import Settings
from tests.cases_support import SHIPPED, dev_trusted, signed_bundle
from tests.documents import case_lifecycles as life
from tests.support import ADMIN_PW, MEDIATOR_PW, NEW_PW, OTHER_PW


class Token:
    """Records progress like ``ui.ops.CancelToken``; ``cancel()`` makes the next ``check()`` raise."""

    def __init__(self) -> None:
        self.reports: list[tuple[int, int | None, str]] = []
        self.cancelled = False

    def check(self) -> None:
        if self.cancelled:
            raise RuntimeError("cancelled")

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        self.reports.append((done, total, text))


@pytest.fixture
def staffed(initialized: Workspace) -> Workspace:
    life.staff(initialized)
    return initialized


def test_settings_are_saved_in_the_data_folder(staffed: Workspace) -> None:
    wanted = Settings(idle_lock_seconds=120, locale="en", text_scale=150, high_contrast=True)
    with staffed.unlock(*life.MEDIATOR) as s:
        admin.save_settings(s, Token(), wanted)
    assert Settings.load(staffed.paths.root) == wanted


def test_users_are_listed_masked_for_administrators_only(staffed: Workspace) -> None:
    with staffed.unlock("admin", ADMIN_PW) as s:
        rows = admin.list_users(s, Token())
    by_login = {r.login: r for r in rows}
    assert by_login["med1"].masked_name == "赵某" and by_login["med1"].role is Role.MEDIATOR
    assert by_login["sup1"].legally_qualified and not by_login["med1"].legally_qualified
    assert by_login["admin"].is_self and not by_login["med1"].is_self
    pickle.loads(pickle.dumps(rows))  # crosses the store process boundary
    with staffed.unlock(*life.MEDIATOR) as s, pytest.raises(PermissionDenied):
        admin.list_users(s, Token())


def test_an_administrator_adds_and_removes_a_user(staffed: Workspace) -> None:
    new = admin.NewUser("wangji", "王𠮷", "mediator", False, OTHER_PW)
    assert OTHER_PW not in repr(new)
    with staffed.unlock("admin", ADMIN_PW) as s:
        row = admin.add_user(s, Token(), new)
        assert row.login == "wangji" and row.masked_name == "王某" and row.active
    with staffed.unlock("wangji", OTHER_PW) as s:
        assert s.actor.role is Role.MEDIATOR
    with staffed.unlock("admin", ADMIN_PW) as s:
        admin.deactivate_user(s, Token(), "wangji")
        rows = {r.login: r for r in admin.list_users(s, Token())}
    assert not rows["wangji"].active


def test_a_mediator_cannot_add_a_user(staffed: Workspace) -> None:
    with staffed.unlock(*life.MEDIATOR) as s, pytest.raises(PermissionDenied):
        admin.add_user(s, Token(), admin.NewUser("lisi", "", "mediator", False, OTHER_PW))


def test_own_password_change_needs_the_current_password(staffed: Workspace) -> None:
    with staffed.unlock(*life.MEDIATOR) as s:
        with pytest.raises(ValidationError) as wrong:
            admin.change_password(s, Token(), "not-my-password", NEW_PW)
        assert wrong.value.field == "old"
        with pytest.raises(ValidationError) as weak:
            admin.change_password(s, Token(), MEDIATOR_PW, "abc")
        assert weak.value.field == "new"
        admin.change_password(s, Token(), MEDIATOR_PW, NEW_PW)
    with staffed.unlock("med1", NEW_PW) as s:
        assert s.actor.login == "med1"


def test_the_recovery_code_is_renewed_by_an_administrator(staffed: Workspace) -> None:
    with staffed.unlock(*life.SUPERVISOR) as s, pytest.raises(PermissionDenied):
        admin.renew_recovery_code(s, Token())
    with staffed.unlock("admin", ADMIN_PW) as s:
        code = admin.renew_recovery_code(s, Token())
    # The new code works (and is replaced once used).
    assert staffed.recover(code, "med1", NEW_PW)


def test_a_backup_is_written_with_progress(staffed: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    token = Token()
    with staffed.unlock("admin", ADMIN_PW) as s:
        first = admin.write_backup(s, token, str(folder))
        second = admin.write_backup(s, Token(), str(folder))
    assert Path(first.path).is_file() and first.size == Path(first.path).stat().st_size > 0
    assert first.path != second.path  # same second: a second file, not an overwrite
    assert Path(first.path).suffix == admin.BACKUP_SUFFIX
    # Thousandths of the bytes done, rising, at least one step between the start and the end.
    done = [r[0] for r in token.reports if r[1] == admin.PERMILLE]
    assert done == sorted(done) and done[0] == 0 and done[-1] == admin.PERMILLE
    assert any(0 < d < admin.PERMILLE for d in done)
    assert token.reports[-1] == (admin.PERMILLE, admin.PERMILLE, _("Backup written."))


def test_a_cancelled_backup_writes_nothing(staffed: Workspace, tmp_path: Path) -> None:
    token = Token()
    token.cancelled = True
    with staffed.unlock("admin", ADMIN_PW) as s, pytest.raises(RuntimeError):
        admin.write_backup(s, token, str(tmp_path))
    assert not list(tmp_path.glob("*" + admin.BACKUP_SUFFIX))


class CancelMidway(Token):
    """Cancelled once the backup reports it is halfway or further."""

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        super().report(done, total, text)
        if total and 0 < done < total:
            self.cancelled = True


def test_a_backup_cancelled_while_writing_leaves_no_file(staffed: Workspace, tmp_path: Path) -> None:
    token = CancelMidway()
    with staffed.unlock("admin", ADMIN_PW) as s, pytest.raises(RuntimeError):
        admin.write_backup(s, token, str(tmp_path))
    assert token.cancelled
    assert not [p for p in tmp_path.iterdir() if p.is_file()]  # neither the backup nor its part file


def test_a_backup_into_a_missing_folder_is_refused(staffed: Workspace, tmp_path: Path) -> None:
    with staffed.unlock("admin", ADMIN_PW) as s, pytest.raises(ValidationError):
        admin.write_backup(s, Token(), str(tmp_path / "missing"))


def test_the_check_passes_on_a_sound_store(staffed: Workspace) -> None:
    with staffed.unlock("admin", ADMIN_PW) as s:
        result = admin.check_store(s, Token(), False)
    assert result.ok and result.audit_events > 0 and not result.deep


def test_restore_checks_first_then_locks_and_swaps(staffed: Workspace, tmp_path: Path) -> None:
    with staffed.unlock("admin", ADMIN_PW) as s:
        backup = admin.write_backup(s, Token(), str(tmp_path))
    with staffed.unlock("admin", ADMIN_PW) as s:
        admin.add_user(s, Token(), admin.NewUser("later", "", "mediator", False, OTHER_PW))
    with staffed.unlock("admin", ADMIN_PW) as s:
        with pytest.raises(ValidationError) as wrong:
            admin.restore_backup(s, Token(), backup.path, "wrong-password", "", False)
        assert wrong.value.field == "password" and not s.locked  # a typo keeps the desk open
        result = admin.restore_backup(s, Token(), backup.path, ADMIN_PW, "", False)
        assert s.locked
    assert result.kept.startswith("replaced-")
    with staffed.unlock("admin", ADMIN_PW) as s:
        assert "later" not in {u.login for u in s.users.list()}


def test_a_catalogue_file_that_is_not_a_bundle_is_refused(staffed: Workspace, tmp_path: Path) -> None:
    bad = tmp_path / "bad.fzcat.json"
    bad.write_text("{}", "utf-8")
    with staffed.unlock("admin", ADMIN_PW) as s, pytest.raises(BundleError):
        admin.import_catalogue(s, Token(), str(bad))


def test_a_signed_newer_catalogue_is_imported(
    staffed: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trusted = dev_trusted()
    monkeypatch.setattr(TrustedKeys, "load", classmethod(lambda cls, *a, **k: trusted))
    file = tmp_path / "new.fzcat.json"
    file.write_bytes(signed_bundle(SHIPPED + 1))
    with staffed.unlock("admin", ADMIN_PW) as s:
        result = admin.import_catalogue(s, Token(), str(file))
    assert result.version == SHIPPED + 1


def test_the_desk_unit_and_its_issuer(staffed: Workspace) -> None:
    with staffed.unlock("admin", ADMIN_PW) as s:
        info = admin.desk_unit(s, Token())
        assert info.current == "PS-JD-PS" and info.issuer and not info.problem
        other = next(u for u in info.units if u.code != info.current)
        changed = admin.set_desk_unit(s, Token(), other.code)
    assert changed.current == other.code
    with staffed.unlock(*life.MEDIATOR) as s, pytest.raises(PermissionDenied):
        admin.set_desk_unit(s, Token(), "PS-JD-PS")


def test_the_outbox_is_counted(staffed: Workspace) -> None:
    with staffed.unlock(*life.MEDIATOR) as s:
        assert admin.outbox_count(s, Token()) >= 0
        s.cases.create(life.mediation_intake("2026-11-20"), confirm_duplicate=True)
        assert admin.outbox_count(s, Token()) > 0
