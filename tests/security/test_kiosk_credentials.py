"""Attack: kiosk credentials yield no case data by any path.

The attacker holds the kiosk's staff password, so the kiosk store's own key: they open the key-slot file,
take every key it holds, and read the SQLCipher database directly with ``sqlcipher3`` in a Python shell.
They find no case rows, no copy of the desk's database key, no applicant's data, and nothing among all the
bytes of the kiosk store that opens a sealed application. Through the documented paths, the kiosk
password opens neither the desk store nor, on the kiosk store, any desk service.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlcipher3

from fzmediate.errors import AuthenticationError
from fzmediate.security import keyslots as ks
from fzmediate.security import sealed_box as box
from fzmediate.services.kiosk import STAFF_LOGIN, WrongStoreKindError
from fzmediate.services.workspace import Workspace
from tests.cases_support import APPLICANT_ID, person
from tests.kiosk_support import MEDIATOR, kiosk_intake, make_desk, make_kiosk
from tests.support import ADMIN_PW, FAST_KDF, KIOSK_PW, FakeClock

NAME = "欧阳𠮷䶮"
PHONE = "13987650123"
ADDRESS = "坪山区坑梓街道金沙社区𠮷字巷十七号"
#: Tables that hold cases or desk secrets: on a kiosk they exist (one schema) and must stay empty.
DESK_TABLES = (
    "cases",
    "parties",
    "case_events",
    "search_terms",
    "documents",
    "office_keys",
    "key_shares",
    "users",
    "outbox",
    "intake_keys",
    "intake_inbox",
)


def raw_connect(db: Path, key: bytes | bytearray) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(db))
    conn.execute("PRAGMA key = \"x'{0}'\"".format(bytes(key).hex()))
    return conn


def every_value(conn: sqlcipher3.Connection) -> Iterator[bytes]:
    """Every cell of every table, as bytes."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for row in conn.execute('SELECT * FROM "{0}"'.format(table)):
            for cell in row:
                if isinstance(cell, bytes):
                    yield cell
                elif cell is not None:
                    yield str(cell).encode("utf-8")


def candidate_keys(value: bytes) -> Iterator[bytes]:
    """Every 32-byte key a value could be or hide: short binary values at each offset, and every base64 or hex
    token of text (a key kept in a JSON document or a column) that decodes to 32 bytes."""
    if len(value) <= 512:
        for i in range(0, max(0, len(value) - 31)):
            yield value[i : i + 32]
    text = value.decode("latin-1")
    for sep in "\"',:{}[]()":
        text = text.replace(sep, " ")
    for token in text.split():
        for decode in (base64.b64decode, bytes.fromhex):
            with contextlib.suppress(ValueError, binascii.Error):
                decoded = decode(token)
                if len(decoded) == 32:
                    yield decoded


@pytest.mark.slow
def test_kiosk_credentials_yield_no_case_data(tmp_path: Path, clock: FakeClock) -> None:
    desk = make_desk(tmp_path, clock)
    kiosk = make_kiosk(tmp_path, clock, desk)
    applicant = person(name=NAME, phone=PHONE, address=ADDRESS)
    with kiosk.open(KIOSK_PW) as k:
        receipt = k.submit_application(kiosk_intake(parties=[applicant, *kiosk_intake()["parties"][1:]]))
        k.export_applications(tmp_path / "apps.json")
    # The desk really has a case from it: what the kiosk must not reach exists.
    from fzmediate.services.intake_inbox import IntakeInbox

    with desk.ws.unlock(*MEDIATOR) as s:
        IntakeInbox(s).import_file(tmp_path / "apps.json")
        case_id = IntakeInbox(s).register(receipt.application_id).id
        assert s.cases.get(case_id).parties[0].name == NAME
    desk_key = ks.KeySlotFile.load(desk.ws.paths.slots).open("user", "admin", ADMIN_PW.encode())

    # Everything the kiosk password opens.
    slots = ks.KeySlotFile.load(kiosk.paths.slots)
    assert slots.logins() == [STAFF_LOGIN] and [s.kind for s in slots.slots] == ["user"]
    opened = slots.slot("user", STAFF_LOGIN).open_all(slots.store_id, KIOSK_PW.encode())  # type: ignore[union-attr]
    conn = raw_connect(kiosk.paths.db, opened.db_key)
    try:
        assert dict(conn.execute("SELECT key, value FROM meta WHERE key = 'kind'").fetchall()) == {"kind": "kiosk"}
        for table in DESK_TABLES:
            assert conn.execute('SELECT count(*) FROM "{0}"'.format(table)).fetchone() == (0,), table
        values = list(every_value(conn))
        sealed = [r[0] for r in conn.execute("SELECT sealed FROM kiosk_outbox")]
    finally:
        conn.close()
    assert len(sealed) == 1

    # No applicant data and no copy of the desk's key, in any cell or any file of the kiosk.
    files = [p.read_bytes() for p in kiosk.paths.root.rglob("*") if p.is_file()]
    secrets = [bytes(desk_key), bytes(desk_key).hex().encode(), base64.b64encode(bytes(desk_key))]
    for value in [*values, *files]:
        for needle in (NAME.encode(), APPLICANT_ID.encode(), PHONE.encode(), ADDRESS.encode(), *secrets):
            assert needle not in value

    # Nothing in the kiosk store, nor any key its password opens, opens the sealed application.
    tried = 0
    for candidate in {
        bytes(opened.db_key),
        opened.slot_private,
        *(c for v in values for c in candidate_keys(v)),
    }:
        tried += 1
        with pytest.raises(box.SealedBoxError):
            box.open_sealed(candidate, sealed[0])
    assert tried > 100
    # Control: the desk's private intake key (a mediator's share) does open it.
    from fzmediate.services.office_intake import OfficeIntake

    with desk.ws.unlock(*MEDIATOR) as s:
        [office_private] = OfficeIntake(s).private_keys().values()
    assert NAME.encode() in box.open_sealed(office_private, sealed[0])

    # The documented paths refuse too.
    with pytest.raises(WrongStoreKindError):
        Workspace(kiosk.paths.root, kdf=FAST_KDF).unlock(STAFF_LOGIN, KIOSK_PW)
    with pytest.raises(AuthenticationError):
        Workspace(desk.ws.paths.root, kdf=FAST_KDF).unlock(STAFF_LOGIN, KIOSK_PW)
