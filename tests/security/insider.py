"""The insider's tools: a staff member who opens their own key slot and edits the database directly.

This is what anyone who can unlock can do with a Python shell: take the database key out of their slot with
their own password and talk to SQLCipher without fzmediate's services in the way.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlcipher3
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fzmediate.security import keyslots as ks


def slot_keys(data_dir: Path, login: str, password: str) -> ks.SlotKeys:
    slots = ks.KeySlotFile.load(data_dir / "keyslots.json")
    return slots.open_all("user", login, password.encode("utf-8"))


@contextmanager
def raw_db(data_dir: Path, login: str, password: str) -> Iterator[sqlcipher3.Connection]:
    """The store's database opened with the key from ``login``'s own slot; commits on success."""
    key = slot_keys(data_dir, login, password).db_key
    conn = sqlcipher3.connect(str(data_dir / "fzmediate.db"))
    conn.execute("PRAGMA key = \"x'{0}'\"".format(bytes(key).hex()))
    try:
        yield conn
        conn.commit()
    finally:
        conn.close()


def own_signing_key(data_dir: Path, login: str, password: str) -> Ed25519PrivateKey:
    raw = slot_keys(data_dir, login, password).signing_private
    assert raw is not None
    return Ed25519PrivateKey.from_private_bytes(raw)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def rehash_chain(conn: sqlcipher3.Connection, *, resign_with: Ed25519PrivateKey | None = None) -> None:
    """Recompute every event's hash and link (and the head) as fzmediate computes them, as an attacker
    who read the source would; optionally re-sign every event with the attacker's own key."""
    from fzmediate.security.chain_walk import event_message

    rows = conn.execute(
        "SELECT seq, id, at, actor, device, action, object_type, object_id, details FROM audit_events ORDER BY seq"
    ).fetchall()
    prev = "0" * 64
    for seq, id_, at, actor, device, action, object_type, object_id, details in rows:
        material = [seq, id_, at, actor, device, action, object_type, object_id, details, prev]
        digest = hashlib.sha256(
            json.dumps(material, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        ).hexdigest()
        conn.execute("UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq))
        if resign_with is not None:
            conn.execute(
                "UPDATE audit_events SET signer_key = ?, signature = ? WHERE seq = ?",
                (
                    b64(resign_with.public_key().public_bytes_raw()),
                    b64(resign_with.sign(event_message(digest))),
                    seq,
                ),
            )
        prev = digest
    conn.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", ("{0}:{1}".format(rows[-1][0], prev),))
