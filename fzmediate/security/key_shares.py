"""Keys that only some roles may hold, sealed inside the store to each entitled user's slot key.

Everyone who can unlock holds the database key, so a private key stored in a plain column is a key every
account holder can read with a Python shell. The office signing key and the office intake key are therefore
kept only as *shares*: the private key sealed (libsodium sealed box: X25519 + XSalsa20-Poly1305, via PyNaCl) to
the X25519 public key of one user's key slot. Opening a share needs that user's slot private key, which only
their password (or the recovery code, for the recovery slot) unwraps.

A user who holds a key shares it onward to newly entitled users when they unlock (``share_missing``); an
administrator account that may not issue documents never receives a share, so it cannot sign a document
even with the database key in hand.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fzmediate.store.models import KeyShareRow

OFFICE_SIGNING = "office_signing"
OFFICE_INTAKE = "office_intake"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _aad_prefix(key_kind: str, key_id: str, login: str) -> bytes:
    # The sealed box has no associated data: the share binds its own address inside the plaintext, so a row
    # copied to another login or key id does not open as that one.
    return "fzmediate:key-share:v1|{0}|{1}|{2}|".format(key_kind, key_id, login).encode("utf-8")


def seal_share(key_kind: str, key_id: str, login: str, recipient_public_key: str, private_bytes: bytes) -> str:
    """The sealed share of ``private_bytes`` for one recipient (base64 text)."""
    box = SealedBox(PublicKey(_unb64(recipient_public_key)))
    return _b64(box.encrypt(_aad_prefix(key_kind, key_id, login) + private_bytes))


def open_share(row: KeyShareRow, slot_private_raw: bytes) -> bytes | None:
    """The private key in ``row``, or None if this slot key cannot open it or the row was moved."""
    try:
        plain = SealedBox(PrivateKey(slot_private_raw)).decrypt(_unb64(row.sealed))
    except (CryptoError, ValueError):
        return None
    prefix = _aad_prefix(row.key_kind, row.key_id, row.login)
    if not plain.startswith(prefix):
        return None
    return plain[len(prefix) :]


def share_key(
    s: Session,
    *,
    key_kind: str,
    key_id: str,
    private_bytes: bytes,
    recipients: Mapping[str, str],
    created_by: str,
    now: datetime,
) -> int:
    """Seal ``private_bytes`` to every recipient (login → slot public key) that has no share yet; returns how many."""
    existing = {
        (r.login, r.recipient_public_key)
        for r in s.scalars(select(KeyShareRow).where(KeyShareRow.key_kind == key_kind, KeyShareRow.key_id == key_id))
    }
    added = 0
    for login, public_key in sorted(recipients.items()):
        if not public_key or (login, public_key) in existing:
            continue
        # A user whose slot was re-made (password reset) has a new slot key: replace their old share.
        s.execute(
            delete(KeyShareRow).where(
                KeyShareRow.key_kind == key_kind, KeyShareRow.key_id == key_id, KeyShareRow.login == login
            )
        )
        s.add(
            KeyShareRow(
                key_kind=key_kind,
                key_id=key_id,
                login=login,
                recipient_public_key=public_key,
                sealed=seal_share(key_kind, key_id, login, public_key, private_bytes),
                created_at=now.replace(tzinfo=None),
                created_by=created_by,
            )
        )
        added += 1
    s.flush()
    return added


def open_key(s: Session, *, key_kind: str, key_id: str, login: str, slot_private_raw: bytes) -> bytes | None:
    """The private key of ``key_id`` as ``login`` holds it, or None when ``login`` holds no share."""
    row = s.scalars(
        select(KeyShareRow).where(
            KeyShareRow.key_kind == key_kind, KeyShareRow.key_id == key_id, KeyShareRow.login == login
        )
    ).first()
    return None if row is None else open_share(row, slot_private_raw)


def revoke_shares(s: Session, login: str) -> int:
    """Drop every share of ``login`` (a removed user, or one whose role no longer entitles them)."""
    result = s.execute(delete(KeyShareRow).where(KeyShareRow.login == login))
    return int(getattr(result, "rowcount", 0) or 0)


def reseal_own_shares(s: Session, login: str, old_public_key: str, new_public_key: str, slot_private_raw: bytes) -> int:
    """Move ``login``'s shares from their old slot key to their new one (their own password change)."""
    moved = 0
    for row in s.scalars(
        select(KeyShareRow).where(KeyShareRow.login == login, KeyShareRow.recipient_public_key == old_public_key)
    ):
        private = open_share(row, slot_private_raw)
        if private is None:
            continue
        row.sealed = seal_share(row.key_kind, row.key_id, login, new_public_key, private)
        row.recipient_public_key = new_public_key
        moved += 1
    s.flush()
    return moved
