"""A desk that exports its intake key and a kiosk set up from it, for the kiosk tests (fast KDF, fake clock)."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fzmediate.services.intake_inbox import IntakeInbox
from fzmediate.services.kiosk import KioskDevice
from fzmediate.services.office_intake import OfficeIntake
from fzmediate.services.workspace import Workspace
from tests.cases_support import intake
from tests.support import ADMIN_PW, FAST_KDF, KIOSK_PW, MEDIATOR_PW, FakeClock

MEDIATOR = ("med1", MEDIATOR_PW)
MEDIATOR_ARGS = ("med1", "mediator", MEDIATOR_PW)


@dataclass(frozen=True)
class Desk:
    ws: Workspace
    key_file: Path
    key_id: str
    signer_fingerprint: str


def make_desk(root: Path, clock: FakeClock, name: str = "desk") -> Desk:
    """A desk store with an administrator and a mediator; the mediator exports the office intake key."""
    ws = Workspace(root / name, kdf=FAST_KDF, clock=clock)
    ws.initialize("admin", ADMIN_PW, full_name="管理员")
    with ws.unlock("admin", ADMIN_PW) as s:
        s.users.add(*MEDIATOR_ARGS)
    with ws.unlock(*MEDIATOR) as s:
        exported = OfficeIntake(s).export_key(root / (name + "-office-key.json"))
    return Desk(ws, exported.path, exported.key_id, exported.signer_fingerprint)


def make_kiosk(root: Path, clock: FakeClock, desk: Desk, name: str = "kiosk") -> KioskDevice:
    """A kiosk set up with the desk's key file, its (uncertified) signer confirmed by fingerprint."""
    device = KioskDevice(root / name, kdf=FAST_KDF, clock=clock)
    device.initialize(KIOSK_PW, desk.key_file.read_bytes(), trust_uncertified=desk.signer_fingerprint)
    return device


def kiosk_intake(**fields: Any) -> dict[str, Any]:
    """A valid application as the kiosk takes it: no received_on (the kiosk dates it today)."""
    data = intake(**fields)
    if "received_on" not in fields:
        del data["received_on"]
    return data


def inbox_with_one(root: Path, clock: FakeClock) -> tuple[Workspace, str, str]:
    """A desk whose intake inbox holds one kiosk application, imported by the mediator: the desk's workspace,
    the application's id and its number."""
    office = make_desk(root, clock)
    kiosk = make_kiosk(root, clock, office)
    with kiosk.open(KIOSK_PW) as k:
        receipt = k.submit_application(kiosk_intake())
        k.export_applications(root / "apps.json")
    with office.ws.unlock(*MEDIATOR) as s:
        IntakeInbox(s).import_file(root / "apps.json")
    return office.ws, receipt.application_id, receipt.number


def rewrite_entry(path: Path, change: Any) -> Path:
    """Apply ``change(entry, sealed_bytes) -> sealed_bytes`` to the first application of an export file."""
    body = json.loads(path.read_text("utf-8"))
    entry = body["applications"][0]
    entry["sealed"] = base64.b64encode(change(entry, base64.b64decode(entry["sealed"]))).decode("ascii")
    out = path.with_name("changed-" + path.name)
    out.write_text(json.dumps(body), "utf-8")
    return out


def flip_bit(sealed: bytes, position: int = 60) -> bytes:
    altered = bytearray(sealed)
    altered[position] ^= 0x01
    return bytes(altered)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
