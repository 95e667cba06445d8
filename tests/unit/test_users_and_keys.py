"""Users and key slots: add, password change (one re-wrap), removal (full re-key), recovery."""

from __future__ import annotations

import pytest

from fzmediate.errors import AuthenticationError, PermissionDenied, ValidationError
from fzmediate.security.keyslots import KeySlotFile
from fzmediate.security.roles import Role
from fzmediate.services.workspace import Workspace
from tests.support import ADMIN_PW, FAST_KDF, MEDIATOR_PW, NEW_PW, OTHER_PW, FakeClock
from tests.synthetic import make_resident_id

MED_PW = MEDIATOR_PW
_VALID_ID = make_resident_id(region="440310", seq=41)
BAD_ID = _VALID_ID[:-1] + ("0" if _VALID_ID[-1] != "0" else "1")


def add_mediator(ws: Workspace, login: str = "med1", **kw: str) -> None:
    with ws.unlock("admin", ADMIN_PW) as s:
        s.users.add(login, "mediator", MED_PW, **kw)


def test_added_user_unlocks_with_own_role(initialized: Workspace) -> None:
    add_mediator(initialized, full_name="张䶮", phone="13912345678")
    with initialized.unlock("med1", MED_PW) as s:
        assert s.actor.role is Role.MEDIATOR
        with pytest.raises(PermissionDenied):
            s.users.add("med2", "mediator", MED_PW)


def test_bad_fields_write_nothing(initialized: Workspace) -> None:
    before = initialized.paths.slots.read_bytes()
    with initialized.unlock("admin", ADMIN_PW) as s:
        for kwargs, field in (
            ({"role": "boss"}, "role"),
            ({"phone": "12345"}, "phone"),
            ({"id_number": BAD_ID}, "id_number"),  # check digit wrong
            ({"role": "mediator", "legally_qualified": True}, "legally_qualified"),
        ):
            args = {"role": "mediator", **kwargs}
            role = args.pop("role")
            with pytest.raises(ValidationError) as err:
                s.users.add("med9", str(role), MED_PW, **args)  # type: ignore[arg-type]
            assert err.value.field == field
            assert BAD_ID not in err.value.message and "12345" not in err.value.message
        assert [u.login for u in s.users.list()] == ["admin"]
    assert initialized.paths.slots.read_bytes() == before


def test_supervisor_can_carry_legal_qualification(initialized: Workspace) -> None:
    with initialized.unlock("admin", ADMIN_PW) as s:
        u = s.users.add("sup", "supervisor", MED_PW, legally_qualified=True)
    assert u.legally_qualified


def test_password_change_rewraps_one_slot_only(initialized: Workspace) -> None:
    add_mediator(initialized)
    before = KeySlotFile.load(initialized.paths.slots)
    with initialized.unlock("med1", MED_PW) as s:
        s.users.set_password("med1", NEW_PW)
    after = KeySlotFile.load(initialized.paths.slots)
    assert after.slot("user", "admin") == before.slot("user", "admin")
    assert after.slot("recovery", "__recovery__") == before.slot("recovery", "__recovery__")
    assert after.slot("user", "med1") != before.slot("user", "med1")
    with pytest.raises(AuthenticationError):
        initialized.unlock("med1", MED_PW)
    initialized.unlock("med1", NEW_PW).lock()
    # The admin's untouched slot still opens the database: its key was not changed.
    initialized.unlock("admin", ADMIN_PW).lock()


def test_mediator_cannot_change_someone_elses_password(initialized: Workspace) -> None:
    add_mediator(initialized)
    with initialized.unlock("med1", MED_PW) as s, pytest.raises(PermissionDenied):
        s.users.set_password("admin", OTHER_PW)


def test_removal_rekeys_so_the_old_slot_opens_nothing(initialized: Workspace) -> None:
    add_mediator(initialized)
    old_slots = initialized.paths.slots.read_bytes()
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.users.remove("med1")
        assert [u.login for u in s.users.list()] == ["admin"]
    with pytest.raises(AuthenticationError):
        initialized.unlock("med1", MED_PW)
    # Even with the old slot file put back, the removed user's key no longer opens the database.
    initialized.paths.slots.write_bytes(old_slots)
    with pytest.raises(Exception) as err:
        initialized.unlock("med1", MED_PW)
    assert "数据库" in str(err.value) or "密码" in str(err.value)


def test_interrupted_rekey_is_finished_at_next_unlock(initialized: Workspace, monkeypatch) -> None:
    """Crash after the DB was re-keyed but before the new slots were promoted."""
    import os as _os

    add_mediator(initialized)
    import fzmediate.services.users as users_mod

    real_replace = _os.replace

    def crash(src, dst):  # type: ignore[no-untyped-def]
        if str(src).endswith("keyslots.pending.json"):
            raise KeyboardInterrupt("simulated crash")
        return real_replace(src, dst)

    monkeypatch.setattr(users_mod.os, "replace", crash)
    s = initialized.unlock("admin", ADMIN_PW)
    with pytest.raises(KeyboardInterrupt):
        s.users.remove("med1")
    s.lock()
    monkeypatch.setattr(users_mod.os, "replace", real_replace)
    assert initialized.paths.pending_slots.exists()
    with initialized.unlock("admin", ADMIN_PW) as s2:
        assert [u.login for u in s2.users.list()] == ["admin"]
        assert s2.maintenance.check().ok
    assert not initialized.paths.pending_slots.exists()
    with pytest.raises(AuthenticationError):
        initialized.unlock("med1", MED_PW)


def test_last_admin_and_self_cannot_be_removed(initialized: Workspace) -> None:
    with initialized.unlock("admin", ADMIN_PW) as s:
        with pytest.raises(ValidationError):
            s.users.remove("admin")
        s.users.add("admin2", "admin", MED_PW)
    with initialized.unlock("admin2", MED_PW) as s:
        s.users.remove("admin")
        with pytest.raises(ValidationError):
            s.users.remove("admin2")


def test_recovery_code_resets_a_password_and_is_replaced(workspace: Workspace) -> None:
    code = workspace.initialize("admin", ADMIN_PW).recovery_code
    with pytest.raises(AuthenticationError):
        workspace.recover("AAAA-BBBB-CCCC-DDDD-EEEE", "admin", "brand-new-pass")
    new_code = workspace.recover(code.lower(), "admin", "brand-new-pass")
    assert new_code != code
    workspace.unlock("admin", "brand-new-pass").lock()
    with pytest.raises(AuthenticationError):
        workspace.recover(code, "admin", NEW_PW)
    workspace.recover(new_code, "admin", NEW_PW)
    workspace.unlock("admin", NEW_PW).lock()


def test_slot_planted_by_a_leaving_user_gets_no_new_key(initialized: Workspace) -> None:
    """A user about to be removed (who knows the DB key) swaps another user's slot for one they can open.

    The re-key that removes them checks every remaining slot against the database's copy of its public key
    and drops the planted one instead of sealing the new key to it.
    """
    from fzmediate.security.keyslots import new_slot

    add_mediator(initialized, "med1")
    add_mediator(initialized, "med2")
    with initialized.unlock("med2", MED_PW) as s:
        stolen_key = bytearray(s.db._current_key())
    f = KeySlotFile.load(initialized.paths.slots)
    planted = new_slot(f.store_id, "user", "med1", b"attacker-pass", stolen_key, FAST_KDF)
    f.with_slot(planted).save(initialized.paths.slots)
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.users.remove("med2")
        rekey = next(e for e in s.maintenance.audit_tail(10) if e.action == "store.rekey")
        assert rekey.details == {"slots_removed": 1, "slots_mismatched": 1}
    with pytest.raises(AuthenticationError):
        initialized.unlock("med1", "attacker-pass")
    from fzmediate.errors import StoreDamagedError
    from fzmediate.store.database import Database

    with pytest.raises(StoreDamagedError):
        Database.probe(initialized.paths.db, stolen_key)
    with initialized.unlock("admin", ADMIN_PW) as s:  # the administrator gives med1 a new slot
        s.users.set_password("med1", NEW_PW)
    initialized.unlock("med1", NEW_PW).lock()


def test_administrator_can_replace_a_lost_recovery_code(workspace: Workspace) -> None:
    old = workspace.initialize("admin", ADMIN_PW).recovery_code
    with workspace.unlock("admin", ADMIN_PW) as s:
        s.users.add("med1", "mediator", MED_PW)
        new = s.users.renew_recovery_code()
    with workspace.unlock("med1", MED_PW) as s, pytest.raises(PermissionDenied):
        s.users.renew_recovery_code()
    with pytest.raises(AuthenticationError):
        workspace.recover(old, "admin", OTHER_PW)
    workspace.recover(new, "admin", OTHER_PW)


def test_the_failure_that_starts_a_wait_says_how_long(initialized: Workspace, clock: FakeClock) -> None:
    waits = []
    for _ in range(6):
        with pytest.raises(AuthenticationError) as err:
            initialized.unlock("admin", "wrong-password")
        waits.append(err.value.retry_after)
        clock.advance(7200)  # past any wait, so that the next attempt is a real one
    assert waits[:4] == [0, 0, 0, 0] and 0 < waits[4] < waits[5]
