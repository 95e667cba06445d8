"""The office signing key is held only by the roles that issue documents, cryptographically.

An administrator (or anyone) with the database key in a Python shell finds no office private key in the
clear: it exists only as copies sealed to the slot keys of mediators and supervisors. A holder passes it on
to a newly added colleague at their next unlock; a removed user's copy is dropped.
"""

from __future__ import annotations

import pytest

from fzmediate.errors import PermissionDenied
from fzmediate.security import key_shares
from fzmediate.security.key_shares import OFFICE_SIGNING
from fzmediate.services.workspace import Workspace
from tests.documents import case_lifecycles as life
from tests.security.insider import raw_db, slot_keys
from tests.support import ADMIN_PW, MEDIATOR_PW, MEDIATOR_PW_2, SUPERVISOR_PW


@pytest.fixture
def office(initialized: Workspace) -> Workspace:
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.users.add("med1", "mediator", MEDIATOR_PW)
        s.users.add("sup1", "supervisor", SUPERVISOR_PW, legally_qualified=True)
        s.organisation.set_desk_unit(life.OFFICE_UNIT)
    with initialized.unlock("med1", MEDIATOR_PW) as s:
        s.documents.keys.signer()  # the first issuer makes the office key
    return initialized


def shares(ws: Workspace) -> set[tuple[str, str]]:
    with raw_db(ws.paths.root, "admin", ADMIN_PW) as db:
        return {(kind, login) for kind, login in db.execute("SELECT key_kind, login FROM key_shares")}


def test_no_office_private_key_in_the_clear_and_none_for_the_administrator(office: Workspace) -> None:
    with raw_db(office.paths.root, "admin", ADMIN_PW) as db:
        rows = db.execute("SELECT private_key_pem FROM office_keys").fetchall()
        assert rows and all(pem == "" for (pem,) in rows)
        cells = b"".join(
            str(cell).encode() for row in db.execute("SELECT * FROM key_shares") for cell in row if cell is not None
        )
        assert b"PRIVATE KEY" not in cells
    held = {login for kind, login in shares(office) if kind == OFFICE_SIGNING}
    assert held == {"med1", "sup1"}  # the supervisor got it when it was made: entitled and known by then


def test_the_administrators_own_slot_opens_no_share(office: Workspace) -> None:
    keys = slot_keys(office.paths.root, "admin", ADMIN_PW)
    with raw_db(office.paths.root, "admin", ADMIN_PW) as db:
        rows = db.execute(
            "SELECT key_kind, key_id, login, sealed FROM key_shares WHERE key_kind = ?", (OFFICE_SIGNING,)
        )
        for kind, key_id, login, sealed in rows:
            row = key_shares.KeyShareRow(key_kind=kind, key_id=key_id, login=login, sealed=sealed)
            assert key_shares.open_share(row, keys.slot_private) is None
            # …nor does relabelling a share as the administrator's help: the address is sealed inside.
            relabelled = key_shares.KeyShareRow(key_kind=kind, key_id=key_id, login="admin", sealed=sealed)
            assert key_shares.open_share(relabelled, keys.slot_private) is None
    with office.unlock("admin", ADMIN_PW) as s, pytest.raises(PermissionDenied):
        s.documents.keys.signer()


def test_a_new_colleague_gets_the_key_from_a_holder_and_a_removed_one_loses_it(office: Workspace) -> None:
    with office.unlock("admin", ADMIN_PW) as s:
        s.users.add("med2", "mediator", MEDIATOR_PW_2)
    with office.unlock("med2", MEDIATOR_PW_2) as s, pytest.raises(PermissionDenied):
        s.documents.keys.signer()  # nobody who holds it has unlocked since
    with office.unlock("med1", MEDIATOR_PW):
        pass  # the holder passes it on
    with office.unlock("med2", MEDIATOR_PW_2) as s:
        assert s.documents.keys.signer().certificate is not None
    with office.unlock("admin", ADMIN_PW) as s:
        s.users.remove("med2")
    assert ("office_signing", "med2") not in shares(office)


def test_an_own_password_change_keeps_the_key(office: Workspace) -> None:
    with office.unlock("med1", MEDIATOR_PW) as s:
        s.users.set_password("med1", MEDIATOR_PW_2)
    with office.unlock("med1", MEDIATOR_PW_2) as s:
        assert s.documents.keys.signer().certificate is not None
