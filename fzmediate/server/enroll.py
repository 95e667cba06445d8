"""Enrollment: one-time codes issued by district IT, and a device registering its public key with one.

A code is twelve characters from an alphabet without look-alikes (``K7QM-2XWD-9RTA``; 60 bits), valid ten
minutes, bound to a unit and a role; only its SHA-256 is stored. Enrollment burns it in the same
transaction that registers the device. A retried enrollment (the answer was lost) by the same device with
the same key is answered again; any other use of a spent code is refused.
"""

from __future__ import annotations

import binascii
import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from fzmediate.server.db import Database
from fzmediate.server.errors import Refusal
from fzmediate.server.models import Device, EnrollCode, Unit
from fzmediate.sync.protocol import EnrollRequest, EnrollResponse
from fzmediate.sync.signing import public_key_of

CODE_TTL: Final = timedelta(minutes=10)
#: No 0/O, 1/I/L: codes are read aloud and typed.
ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH: Final = 12
#: Device codes: "D" and three characters of the same alphabet (29 791 codes per district).
DEVICE_CODE_PREFIX: Final = "D"


class UnknownUnit(Exception):
    """The unit named is not one of the district's (``init`` loads them from the catalogue)."""


def normalize_code(code: str) -> str:
    """The code as stored: upper case, without the dashes and spaces people type."""
    return "".join(ch for ch in code.upper() if ch not in "- \t")


def code_hash(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode("utf-8")).hexdigest()


def issue_code(db: Database, unit: str, role: str) -> tuple[str, datetime]:
    """A new one-time code for ``unit`` and ``role``, and when it expires."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    code = "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))
    now = db.now()

    def work(session: Session) -> None:
        if session.get(Unit, unit) is None:
            raise UnknownUnit(unit)
        session.add(
            EnrollCode(
                code_hash=code_hash(code), unit=unit, role=role, created_at=now, expires_at=now + CODE_TTL, used_at=None
            )
        )

    db.transaction(work)
    return code, now + CODE_TTL


def enroll(db: Database, request: EnrollRequest) -> EnrollResponse:
    """Register the device of ``request``, or :class:`Refusal` (401 ``bad_code``/``code_expired``/``code_used``,
    403 ``forbidden`` for a role the code is not for, 403 ``device_exists``, 422 for a key that is not one)."""
    try:
        raw = public_key_of(request.public_key)
    except (ValueError, binascii.Error):
        raise Refusal(422, "invalid", ["body.public_key: not an Ed25519 public key (32 bytes, base64)"]) from None
    del raw

    def work(session: Session) -> EnrollResponse:
        now = db.now()
        code = session.get(EnrollCode, code_hash(request.code), with_for_update=True)
        if code is None:
            raise Refusal(401, "bad_code")
        device = session.get(Device, request.device_id)
        if code.used_at is not None:
            if code.used_by == request.device_id and device is not None and device.public_key == request.public_key:
                return _answer(session, device, now)
            raise Refusal(401, "code_used")
        if code.expires_at <= now:
            raise Refusal(401, "code_expired")
        if code.role != request.role:
            raise Refusal(403, "forbidden")
        if device is not None:
            raise Refusal(403, "device_exists")
        device = Device(
            device_id=request.device_id,
            public_key=request.public_key,
            unit=code.unit,
            role=code.role,
            label=request.label,
            device_code=_free_device_code(session),
            enrolled_at=now,
            revoked_at=None,
            acked_through=0,
        )
        session.add(device)
        code.used_at, code.used_by = now, request.device_id
        session.flush()
        return _answer(session, device, now)

    return db.transaction(work)


def _answer(session: Session, device: Device, now: datetime) -> EnrollResponse:
    unit = session.get(Unit, device.unit)
    return EnrollResponse(
        device_id=device.device_id,
        unit=device.unit,
        unit_name=unit.name if unit is not None else device.unit,
        role="kiosk" if device.role == "kiosk" else "desk",
        device_code=device.device_code,
        server_time=now,
    )


def _free_device_code(session: Session) -> str:
    """A device code no device has; a concurrent enrollment drawing the same one fails on the unique key and
    is run again (:meth:`Database.transaction`)."""
    taken = set(session.scalars(select(Device.device_code)))
    for _ in range(1000):
        candidate = DEVICE_CODE_PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(3))
        if candidate not in taken:
            return candidate
    raise RuntimeError("no free device code")
