"""The audit chain catches any edit or deletion; backups restore exactly and refuse damage."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from fzmediate.errors import AuthenticationError, PermissionDenied, StoreDamagedError
from fzmediate.services.workspace import Workspace
from tests.support import ADMIN_PW, MEDIATOR_PW, MEDIATOR_PW_2


def make_history(ws: Workspace) -> None:
    with ws.unlock("admin", ADMIN_PW) as s:
        for i in range(3):
            s.users.add("med{0}".format(i), "mediator", MEDIATOR_PW)
        s.users.set_password("med1", MEDIATOR_PW_2)


def test_every_state_change_is_in_the_chain(initialized: Workspace) -> None:
    make_history(initialized)
    with initialized.unlock("admin", ADMIN_PW) as s:
        actions = [e.action for e in reversed(s.maintenance.audit_tail(100))]
        report = s.maintenance.check()
    assert actions[:2] == ["store.init", "user.add"]
    assert actions.count("user.add") == 4 and "user.passwd" in actions
    assert report.ok and report.audit_events == len(actions)


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_events SET action = 'user.remove' WHERE seq = 3",
        "UPDATE audit_events SET details = '{}' WHERE seq = 2",
        "DELETE FROM audit_events WHERE seq = 4",
        "DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)",
        "DELETE FROM audit_events WHERE seq = 1",
        "UPDATE audit_events SET at = '2020-01-01T00:00:00.000000+00:00' WHERE seq = 5",
    ],
)
def test_any_edit_or_deletion_is_detected(initialized: Workspace, tamper: str) -> None:
    make_history(initialized)
    with initialized.unlock("admin", ADMIN_PW) as s:
        with s.db.engine.begin() as conn:
            conn.execute(text(tamper))
        report = s.maintenance.check()
    assert not report.ok
    assert any("审计" in p for p in report.problems)


def test_mediator_may_not_run_check(initialized: Workspace) -> None:
    make_history(initialized)
    with initialized.unlock("med0", MEDIATOR_PW) as s, pytest.raises(PermissionDenied):
        s.maintenance.check()


def test_backup_and_restore_round_trip(initialized: Workspace, tmp_path: Path) -> None:
    make_history(initialized)
    out = tmp_path / "store.fzbackup"
    with initialized.unlock("admin", ADMIN_PW) as s:
        info = s.maintenance.backup(out)
        s.users.add("late", "mediator", MEDIATOR_PW)  # after the backup
    assert info.size == out.stat().st_size > 0
    kept = initialized.restore(out, "admin", ADMIN_PW)
    assert kept is not None and (kept / "fzmediate.db").exists()  # nothing lost
    with initialized.unlock("admin", ADMIN_PW) as s:
        assert "late" not in [u.login for u in s.users.list()]
        assert "store.restore" in [e.action for e in s.maintenance.audit_tail(5)]
        assert s.maintenance.check().ok


def test_restore_into_an_empty_directory(initialized: Workspace, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.support import FAST_KDF

    out = tmp_path / "b.fzbackup"
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.maintenance.backup(out)
    fresh = Workspace(tmp_path / "new-machine", kdf=FAST_KDF, clock=clock)
    assert fresh.restore(out, "admin", ADMIN_PW) is None
    with fresh.unlock("admin", ADMIN_PW) as s:
        assert s.maintenance.check().ok


def test_restore_refuses_wrong_password_and_damaged_file(initialized: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "b.fzbackup"
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.maintenance.backup(out)
    before = initialized.paths.db.read_bytes()
    with pytest.raises(AuthenticationError):
        initialized.restore(out, "admin", "wrong-password")
    damaged = bytearray(out.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    bad = tmp_path / "bad.fzbackup"
    bad.write_bytes(bytes(damaged))
    with pytest.raises(StoreDamagedError):
        initialized.restore(bad, "admin", ADMIN_PW)
    assert initialized.paths.db.read_bytes() == before


def test_backup_is_private_and_the_replaced_store_opens_with_the_old_passwords(
    initialized: Workspace, tmp_path: Path
) -> None:
    from tests.support import ADMIN_PW_2, FAST_KDF

    make_history(initialized)
    out = tmp_path / "store.fzbackup"
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.maintenance.backup(out)
        s.users.set_password("admin", ADMIN_PW_2)  # valid only in the store the restore will replace
        s.users.add("late", "mediator", MEDIATOR_PW)
    assert out.stat().st_mode & 0o777 == 0o600
    kept = initialized.restore(out, "admin", ADMIN_PW_2, backup_password=ADMIN_PW)
    assert kept is not None and kept.parent == initialized.paths.backups
    copy = tmp_path / "kept-copy"
    shutil.copytree(kept, copy)
    with Workspace(copy, kdf=FAST_KDF).unlock("admin", ADMIN_PW_2) as s:
        assert "late" in [u.login for u in s.users.list()]
        assert s.maintenance.check().ok
    with Workspace(copy, kdf=FAST_KDF).unlock("med1", MEDIATOR_PW_2) as s:
        assert s.actor.login == "med1"
    with initialized.unlock("admin", ADMIN_PW) as s:  # the restored store: the backup's passwords
        assert "late" not in [u.login for u in s.users.list()]


def test_leftovers_of_interrupted_work_are_removed_at_the_next_start(initialized: Workspace) -> None:
    root = initialized.paths.root
    for name in (".restore-" + "0" * 32, ".fzbackup-x1y2"):
        (root / name).mkdir()
        (root / name / "fzmediate.db").write_bytes(b"\0" * 4096)
    (root / ".keyslots.json.abc123.tmp").write_bytes(b"{")
    assert initialized.is_initialized()
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".") and p.name != ".lock") == []
    with initialized.unlock("admin", ADMIN_PW) as s:
        assert s.maintenance.check().ok


def test_restore_over_an_unreadable_store_is_refused_with_the_way_out(
    initialized: Workspace,
    tmp_path: Path,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    from fzmediate.i18n import set_locale
    from tests.support import FAST_KDF

    set_locale("en")
    out = tmp_path / "b.fzbackup"
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.maintenance.backup(out)
    initialized.paths.db.write_bytes(initialized.paths.db.read_bytes()[:4096])  # cut short: nobody can check
    with pytest.raises(StoreDamagedError, match=r"cannot be opened.*empty data folder"):
        initialized.restore(out, "admin", ADMIN_PW)
    fresh = Workspace(tmp_path / "empty", kdf=FAST_KDF, clock=clock)
    assert fresh.restore(out, "admin", ADMIN_PW) is None


def test_a_damaged_or_orphaned_restore_intent_moves_nothing(initialized: Workspace) -> None:
    from fzmediate.i18n import set_locale

    set_locale("en")
    intent = initialized.paths.restore_intent
    intent.write_text('{"format": "fzmediate-restore-intent", "version": 1, "staging": "../..", "kept": "x"}')
    with pytest.raises(StoreDamagedError, match=r"restore-intent\.json is damaged"):
        initialized.is_initialized()
    # A well-formed intent whose staging folder someone deleted: every file stays with its database.
    staging, kept = ".restore-" + "a" * 32, "replaced-20261129T090000000000Z"
    intent.write_text(
        '{{"format": "fzmediate-restore-intent", "version": 1, "staging": "{0}", "kept": "{1}"}}'.format(staging, kept)
    )
    assert initialized.is_initialized() and not intent.exists()
    assert not (initialized.paths.backups / kept).exists()
    with initialized.unlock("admin", ADMIN_PW) as s:
        assert s.maintenance.check().ok
