"""Set-up, unlock and every refusal of the encrypted store, through the public services."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from fzmediate.errors import (
    AlreadyInitializedError,
    AuthenticationError,
    BackoffError,
    LockedError,
    NotInitializedError,
    SchemaTooNewError,
    StoreBusyError,
    StoreDamagedError,
    ValidationError,
)
from fzmediate.security.roles import Role
from fzmediate.services.workspace import Workspace
from tests.support import ADMIN_PW, FAST_KDF, OTHER_PW, FakeClock


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(ws: Workspace) -> dict[str, str]:
    """sha256 of every file in the data directory except the back-off counter and the lock files."""
    skip = {ws.paths.attempts.name, ws.backoff.lock_path.name, ws.paths.lock.name}
    return {
        str(p.relative_to(ws.paths.root)): digest(p)
        for p in sorted(ws.paths.root.rglob("*"))
        if p.is_file() and p.name not in skip and "logs" not in p.parts
    }


def test_initialize_creates_store_admin_and_recovery(workspace: Workspace) -> None:
    assert not workspace.is_initialized()
    result = workspace.initialize("admin", ADMIN_PW, full_name="王𠮷")
    assert workspace.is_initialized()
    assert result.admin.role is Role.ADMIN and result.admin.full_name == "王𠮷"
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){6}", result.recovery_code)  # Crockford base32
    with workspace.unlock("admin", ADMIN_PW) as s:
        assert s.actor.role is Role.ADMIN
        assert [u.login for u in s.users.list()] == ["admin"]


def test_initialize_twice_is_refused(initialized: Workspace) -> None:
    before = snapshot(initialized)
    with pytest.raises(AlreadyInitializedError):
        initialized.initialize("other", OTHER_PW)
    assert snapshot(initialized) == before


@pytest.mark.parametrize(
    ("login", "password", "field"),
    [
        ("A", ADMIN_PW, "login"),
        ("王五", ADMIN_PW, "login"),
        ("__recovery__", ADMIN_PW, "login"),
        ("admin", "short", "password"),
        ("admin", "aaaaaaaaaa", "password"),
    ],
)
def test_initialize_validates_fields(workspace: Workspace, login: str, password: str, field: str) -> None:
    with pytest.raises(ValidationError) as err:
        workspace.initialize(login, password)
    assert err.value.field == field
    assert not workspace.paths.root.exists() or not any(workspace.paths.root.iterdir())


def test_unlock_before_setup_says_so(workspace: Workspace) -> None:
    with pytest.raises(NotInitializedError, match="设置"):
        workspace.unlock("admin", ADMIN_PW)


def test_wrong_password_leaves_database_untouched(initialized: Workspace) -> None:
    before = snapshot(initialized)
    with pytest.raises(AuthenticationError) as err:
        initialized.unlock("admin", "wrong-password")
    assert "密码" in err.value.message
    assert snapshot(initialized) == before
    # an unknown user looks exactly like a wrong password
    with pytest.raises(AuthenticationError) as err2:
        initialized.unlock("nobody", ADMIN_PW)
    assert err2.value.message == err.value.message


def test_backoff_grows_and_resets(initialized: Workspace, clock: FakeClock) -> None:
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            initialized.unlock("admin", "wrong-password")
    with pytest.raises(BackoffError) as err:
        initialized.unlock("admin", ADMIN_PW)  # even the right password waits
    first_wait = err.value.retry_after
    assert first_wait > 0
    clock.advance(first_wait + 1)
    with pytest.raises(AuthenticationError):
        initialized.unlock("admin", "wrong-password")
    with pytest.raises(BackoffError) as err:
        initialized.unlock("admin", ADMIN_PW)
    assert err.value.retry_after > first_wait  # grows
    clock.advance(err.value.retry_after + 1)
    with initialized.unlock("admin", ADMIN_PW) as s:
        events = s.maintenance.audit_tail(5)
        unlock = next(e for e in events if e.action == "session.unlock")
        assert unlock.details["failed_attempts_before"] == 6
    assert initialized.backoff.failures("admin") == 0


def test_tampered_slot_file_is_damage_not_wrong_password(initialized: Workspace) -> None:
    slots = initialized.paths.slots
    raw = bytearray(slots.read_bytes())
    before = snapshot(initialized)
    for offset in (len(raw) // 3, len(raw) // 2, len(raw) - 40):
        flipped = bytearray(raw)
        flipped[offset] ^= 0x01
        slots.write_bytes(bytes(flipped))
        with pytest.raises(StoreDamagedError) as err:
            initialized.unlock("admin", ADMIN_PW)
        assert "密钥槽" in err.value.message
        slots.write_bytes(bytes(raw))
        assert snapshot(initialized) == before


def test_relabelled_slot_does_not_open(initialized: Workspace) -> None:
    """A slot copied under another login (checksum recomputed) fails its AEAD binding."""
    from fzmediate.security.keyslots import KeySlotFile

    f = KeySlotFile.load(initialized.paths.slots)
    admin = f.slot("user", "admin")
    assert admin is not None
    from dataclasses import replace

    forged = f.with_slot(replace(admin, login="mallory"))
    forged.save(initialized.paths.slots)
    with pytest.raises(AuthenticationError):
        initialized.unlock("mallory", ADMIN_PW)


def test_truncated_database_is_refused_and_left_alone(initialized: Workspace) -> None:
    db = initialized.paths.db
    data = db.read_bytes()
    for size in (0, 4096, len(data) // 2):
        db.write_bytes(data[:size])
        before = snapshot(initialized)
        with pytest.raises(StoreDamagedError) as err:
            initialized.unlock("admin", ADMIN_PW)
        assert "数据库" in err.value.message
        assert snapshot(initialized) == before


def test_missing_database_is_refused(initialized: Workspace) -> None:
    initialized.paths.db.unlink()
    with pytest.raises(StoreDamagedError):
        initialized.unlock("admin", ADMIN_PW)
    assert not initialized.paths.db.exists()


def test_database_from_newer_schema_is_refused_unchanged(initialized: Workspace) -> None:
    with initialized.unlock("admin", ADMIN_PW) as s, s.db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    before = snapshot(initialized)
    with pytest.raises(SchemaTooNewError) as err:
        initialized.unlock("admin", ADMIN_PW)
    assert "9999_future" in err.value.message
    assert snapshot(initialized) == before


def test_second_opener_is_told_the_store_is_busy(initialized: Workspace) -> None:
    other = Workspace(initialized.paths.root, kdf=FAST_KDF)
    with initialized.unlock("admin", ADMIN_PW), pytest.raises(StoreBusyError):
        other.unlock("admin", ADMIN_PW)
    other.unlock("admin", ADMIN_PW).lock()


def test_lock_closes_everything(initialized: Workspace) -> None:
    s = initialized.unlock("admin", ADMIN_PW)
    db = s._db
    s.lock()
    assert s.locked
    with pytest.raises(LockedError):
        s.users.list()
    assert db is not None and not db.is_open
    s.lock()  # idempotent


def test_slot_file_holds_no_secret_or_personal_data(initialized: Workspace) -> None:
    body = json.loads(initialized.paths.slots.read_text("utf-8"))
    assert {s["login"] for s in body["slots"]} == {"admin", "__recovery__"}
    assert "管理员" not in initialized.paths.slots.read_text("utf-8")
