"""Attacks on ``restore``: replacing the live store with one the attacker controls, or feeding it a bomb.

The attacker holds the documented command and a Python shell: they can make a store of their own (so they
are its administrator), keep an old backup from when they were an administrator, or craft a zip by hand.
Each attempt must be refused, name what failed, and leave the live store as it was.
"""

from __future__ import annotations

import tracemalloc
import zipfile
from contextlib import nullcontext
from pathlib import Path

import pytest

from fzmediate import cli
from fzmediate.errors import AuthenticationError, PermissionDenied, StoreDamagedError
from fzmediate.i18n import set_locale
from fzmediate.security.keyslots import KeySlotFile
from fzmediate.services.workspace import Workspace
from tests.support import ADMIN_PW, ADMIN_PW_2, FAST_KDF, MEDIATOR_PW, OTHER_PW, FakeClock

GiB = 1024**3


@pytest.fixture(autouse=True)
def _english() -> None:
    set_locale("en")  # the assertions read the messages (the shared fixture restores zh_CN afterwards)


@pytest.fixture
def live(initialized: Workspace, tmp_path: Path) -> Workspace:
    """The office's store: admin, a second administrator admin2, a mediator; plus a backup of it."""
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.users.add("admin2", "admin", ADMIN_PW_2)
        s.users.add("med1", "mediator", MEDIATOR_PW)
        s.maintenance.backup(tmp_path / "office.fzbackup")
    return initialized


@pytest.fixture
def foreign_backup(tmp_path: Path, clock: FakeClock) -> Path:
    """A store the attacker made on their own machine: they are its administrator ("mallory")."""
    ws = Workspace(tmp_path / "attacker", kdf=FAST_KDF, clock=clock)
    ws.initialize("mallory", OTHER_PW)
    out = tmp_path / "attacker.fzbackup"
    with ws.unlock("mallory", OTHER_PW) as s:
        s.maintenance.backup(out)
    return out


def state(ws: Workspace) -> tuple[str, list[str], list[str]]:
    """What must not change: the store's id, its key slots' logins, and the data directory's entries
    (no staging folder, no replaced-* copy left by a refused restore)."""
    slots = KeySlotFile.load(ws.paths.slots)
    counters = (ws.paths.attempts.name, "logs")  # failed attempts are counted there, by design
    entries = sorted(p.name for p in ws.paths.root.iterdir() if not p.name.startswith(counters))
    kept = sorted(p.name for p in ws.paths.backups.glob("replaced-*")) if ws.paths.backups.exists() else []
    return slots.store_id, sorted(slots.logins()), entries + kept


def test_a_store_made_elsewhere_does_not_replace_the_live_one(live: Workspace, foreign_backup: Path) -> None:
    before = state(live)
    # Its own administrator is nobody in the live store.
    with pytest.raises(AuthenticationError, match="current store"):
        live.restore(foreign_backup, "mallory", OTHER_PW)
    # A current user who is not an administrator cannot authorise it, even when asking to replace.
    with pytest.raises(PermissionDenied, match="not an administrator of the current store"):
        live.restore(foreign_backup, "med1", MEDIATOR_PW, backup_login="mallory", backup_password=OTHER_PW)
    # A real administrator is told what would be put aside, and nothing happens without --replace-store.
    with pytest.raises(PermissionDenied) as refused:
        live.restore(foreign_backup, "admin", ADMIN_PW, backup_login="mallory", backup_password=OTHER_PW)
    message = refused.value.message
    store_id = before[0]
    assert "another store" in message and "--replace-store" in message
    assert store_id[:8] in message and "3 users" in message and "2026-11-29" in message
    assert state(live) == before
    # Asked for explicitly by an administrator of the live store, it is done, and the live store is kept.
    kept = live.restore(
        foreign_backup, "admin", ADMIN_PW, backup_login="mallory", backup_password=OTHER_PW, replace_store=True
    )
    assert kept is not None
    with live.unlock("mallory", OTHER_PW) as s:
        assert s.store_id != store_id and s.maintenance.check().ok
    with Workspace(kept, kdf=FAST_KDF).unlock("admin", ADMIN_PW) as s:
        assert s.store_id == store_id and s.maintenance.check().ok


def test_a_removed_administrators_old_backup_is_refused(live: Workspace, tmp_path: Path) -> None:
    old_backup = tmp_path / "office.fzbackup"  # made while admin2 was an administrator
    with live.unlock("admin", ADMIN_PW) as s:
        s.users.remove("admin2")
    before = state(live)
    with pytest.raises(AuthenticationError, match="current store"):
        live.restore(old_backup, "admin2", ADMIN_PW_2)
    assert state(live) == before
    # A current administrator may still choose to bring that backup back (it is of the same store).
    kept = live.restore(old_backup, "admin", ADMIN_PW, backup_login="admin2", backup_password=ADMIN_PW_2)
    assert kept is not None
    with live.unlock("admin2", ADMIN_PW_2) as s:
        assert s.maintenance.check().ok


def test_a_backup_login_that_is_no_administrator_there_is_refused(live: Workspace, tmp_path: Path) -> None:
    before = state(live)
    with pytest.raises(PermissionDenied, match="not an administrator in the backup"):
        live.restore(tmp_path / "office.fzbackup", "admin", ADMIN_PW, backup_login="med1", backup_password=MEDIATOR_PW)
    assert state(live) == before


def test_wrong_current_password_is_refused_and_counted(live: Workspace, tmp_path: Path) -> None:
    before = state(live)
    for attempt in range(1, 3):
        with pytest.raises(AuthenticationError, match="wrong user name or password for the current store"):
            live.restore(tmp_path / "office.fzbackup", "admin", OTHER_PW)
        assert live.backoff.failures("admin") == attempt
    assert state(live) == before


def test_wrong_backup_password_is_refused_and_counted(live: Workspace, tmp_path: Path) -> None:
    before = state(live)
    with pytest.raises(AuthenticationError, match="for the backup"):
        live.restore(tmp_path / "office.fzbackup", "admin", ADMIN_PW, backup_login="admin2", backup_password=OTHER_PW)
    assert live.backoff.failures("admin2") == 1
    assert state(live) == before


# --- crafted archives --------------------------------------------------------------------------------
def rewrite(src: Path, out: Path, *, db_declared: int | None = None, extra: tuple[tuple[str, bytes], ...] = ()) -> Path:
    """A copy of backup ``src`` whose database member declares ``db_declared`` bytes, plus ``extra``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        for name, data in extra:
            zout.writestr(name, data)
    if db_declared is not None:
        # Only the central directory is rewritten (what ZipInfo.file_size reads); the bytes stay small.
        with zipfile.ZipFile(out, "a") as zf:
            db = next(i for i in zf.filelist if i.filename == "fzmediate.db")
            db.file_size = db_declared
            zf._didModify = True  # make close() write the central directory again
    return out


def refused_without_reading(ws: Workspace, backup: Path, password: str = ADMIN_PW) -> tuple[str, int]:
    """Restore ``backup``; return the refusal and the peak of Python allocations while refusing it."""
    tracemalloc.start()
    try:
        with pytest.raises(StoreDamagedError) as refused:
            ws.restore(backup, "admin", password)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return refused.value.message, peak


def test_a_member_declared_huge_is_refused_before_any_read(live: Workspace, tmp_path: Path) -> None:
    bomb = rewrite(tmp_path / "office.fzbackup", tmp_path / "bomb.fzbackup", db_declared=6 * GiB)
    assert zipfile.ZipFile(bomb).getinfo("fzmediate.db").file_size == 6 * GiB
    before = state(live)
    # A wrong password: the size is refused first, so no password was even tried (nothing counted).
    message, peak = refused_without_reading(live, bomb, password=OTHER_PW)
    assert "fzmediate.db" in message and str(6 * GiB) in message and "not read" in message
    assert peak < 4 * 1024 * 1024, peak
    assert live.backoff.failures("admin") == 0
    assert state(live) == before


def test_a_compression_bomb_is_refused_before_any_read(live: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "office.fzbackup"
    bomb = tmp_path / "deflate.fzbackup"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for name in ("manifest.json", "keyslots.json"):
            zout.writestr(name, zin.read(name))
        with zout.open("fzmediate.db", "w") as fh:
            for _chunk in range(64):
                fh.write(bytes(1024 * 1024))  # 64 MiB of zeros: a few KB once deflated
    info = zipfile.ZipFile(bomb).getinfo("fzmediate.db")
    assert info.file_size == 64 * 1024 * 1024 and info.compress_size < 1024 * 1024
    before = state(live)
    message, peak = refused_without_reading(live, bomb)
    assert "fzmediate.db" in message and "compression" in message
    assert peak < 4 * 1024 * 1024, peak
    assert state(live) == before


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ((("keyslots.json", b"{}"),), "keyslots.json appears 2 times"),
        ((("../../evil.sh", b"#!/bin/sh"),), "unexpected member ../../evil.sh"),
        ((("110105194912310021.txt", b"x"),), "unexpected member …"),  # looks like an ID number: not echoed
    ],
)
def test_unknown_or_duplicated_members_are_refused(
    live: Workspace, tmp_path: Path, extra: tuple[tuple[str, bytes], ...], named: str
) -> None:
    with pytest.warns(UserWarning, match="Duplicate name") if "appears" in named else nullcontext():
        crafted = rewrite(tmp_path / "office.fzbackup", tmp_path / "crafted.fzbackup", extra=extra)
    before = state(live)
    message, _peak = refused_without_reading(live, crafted)
    assert named in message
    assert "110105194912310021" not in message
    assert state(live) == before


# --- the command line --------------------------------------------------------------------------------
def run(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], **env: str
) -> tuple[int, str]:
    for name in ("FZMEDIATE_PASSWORD", "FZMEDIATE_BACKUP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = cli.main(["--lang", "en", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_cli_needs_both_credentials_and_replace_store(
    live: Workspace, foreign_backup: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(live.paths.root)
    base = ["restore", str(foreign_backup), "--data-dir", data, "--user", "admin", "--backup-user", "mallory"]
    code, out = run(base, monkeypatch, capsys, FZMEDIATE_PASSWORD=ADMIN_PW, FZMEDIATE_BACKUP_PASSWORD=OTHER_PW)
    assert code == 1 and "--replace-store" in out and len(out.strip().splitlines()) == 1
    code, out = run(base, monkeypatch, capsys, FZMEDIATE_PASSWORD=OTHER_PW, FZMEDIATE_BACKUP_PASSWORD=OTHER_PW)
    assert code == 1 and "current store" in out
    code, out = run(
        [*base, "--replace-store"], monkeypatch, capsys, FZMEDIATE_PASSWORD=ADMIN_PW, FZMEDIATE_BACKUP_PASSWORD=OTHER_PW
    )
    assert code == 0, out
    assert "replaced-" in out
    with live.unlock("mallory", OTHER_PW) as s:
        assert s.maintenance.check().ok


def test_cli_on_a_fresh_machine_needs_only_the_backups_administrator(
    live: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "new-machine"
    args = ["restore", str(tmp_path / "office.fzbackup"), "--data-dir", str(target), "--user", "admin"]
    code, out = run(args, monkeypatch, capsys, FZMEDIATE_PASSWORD=ADMIN_PW)
    assert code == 0, out
    with Workspace(target, kdf=FAST_KDF).unlock("admin", ADMIN_PW) as s:
        assert s.maintenance.check().ok
