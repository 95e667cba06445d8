"""Who holds which role-bound key, and passing shares on at unlock.

- The office signing key and the office intake key go to users whose *verified* role may issue documents
  and register applications (``ISSUERS``: mediators and supervisors). An administrator-only account never
  holds them, so an administrator with a Python shell cannot sign a document that verifies.
- Each user's own signing key is also sealed to the recovery slot, so that a password reset with the
  recovery code keeps the user's signing key (and their role grant stays valid).

Shares are made by someone who already holds the key: when they unlock, every entitled user without a share
gets one. A user whose role is no longer entitled loses their shares.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy import delete, select

from fzmediate.security.key_shares import OFFICE_INTAKE, OFFICE_SIGNING, open_key, share_key
from fzmediate.security.keyslots import RECOVERY_LOGIN
from fzmediate.security.permissions import ISSUERS
from fzmediate.services.store_trust import resolve
from fzmediate.store.models import KeyShareRow, Meta, User

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as OrmSession

    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

SIGNING_KEY = "signing_key"
ROLE_BOUND_KINDS = (OFFICE_SIGNING, OFFICE_INTAKE)


def entitled_recipients(s: OrmSession, store_id: str) -> dict[str, str]:
    """login → slot public key of every active user whose verified role may hold the office keys."""
    state = resolve(s, store_id)
    slot_keys = {u.login: u.slot_public_key for u in s.scalars(select(User).where(User.active.is_(True)))}
    return {
        login: slot_keys[login]
        for login, g in state.grants.valid.items()
        if g.active and g.role in {r.value for r in ISSUERS} and slot_keys.get(login)
    }


def share_new_key(session: Session, s: OrmSession, key_kind: str, key_id: str, private_bytes: bytes) -> int:
    """Seal a freshly made role-bound key to every entitled user, inside the caller's unit of work."""
    return share_key(
        s,
        key_kind=key_kind,
        key_id=key_id,
        private_bytes=private_bytes,
        recipients=entitled_recipients(s, session.store_id),
        created_by=session.actor.login,
        now=session.now(),
    )


def open_role_key(session: Session, key_kind: str, key_id: str) -> bytes | None:
    """The acting user's copy of a role-bound key, or None when they hold no share of it."""
    with session.read() as s:
        return open_key(
            s, key_kind=key_kind, key_id=key_id, login=session.actor.login, slot_private_raw=session.slot_private_raw
        )


def share_onward(session: Session) -> None:
    """Pass on every role-bound key this user holds to entitled users who lack it; drop unentitled shares;
    seal this user's signing key to the recovery slot."""
    me = session.actor.login
    raw_signing = session.signing_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    with session.read() as s:
        recipients = entitled_recipients(s, session.store_id)
        held = {(r.key_kind, r.key_id) for r in s.scalars(select(KeyShareRow).where(KeyShareRow.login == me))}
        shares = {
            (r.key_kind, r.key_id, r.login, r.recipient_public_key)
            for r in s.scalars(select(KeyShareRow).where(KeyShareRow.key_kind.in_(ROLE_BOUND_KINDS)))
        }
        recovery = s.get(Meta, "recovery_public_key")
        recovery_pk = recovery.value if recovery is not None else ""
        has_recovery_share = (
            s.scalars(
                select(KeyShareRow).where(
                    KeyShareRow.key_kind == SIGNING_KEY,
                    KeyShareRow.key_id == me,
                    KeyShareRow.login == RECOVERY_LOGIN,
                    KeyShareRow.recipient_public_key == recovery_pk,
                )
            ).first()
            is not None
        )
    missing: list[tuple[str, str, bytes]] = []
    for kind, key_id in sorted(held):
        if kind not in ROLE_BOUND_KINDS:
            continue
        wanted = {(kind, key_id, login, pk) for login, pk in recipients.items()}
        if wanted <= shares:
            continue
        private = open_role_key(session, kind, key_id)
        if private is not None:
            missing.append((kind, key_id, private))
    stale = {(k, kid, login) for (k, kid, login, _pk) in shares if login not in recipients}
    if not missing and not stale and (has_recovery_share or not recovery_pk):
        return
    with session.write("key.share", "store", session.store_id, {"keys": len(missing), "revoked": len(stale)}) as s:
        for kind, key_id, private in missing:
            share_key(
                s,
                key_kind=kind,
                key_id=key_id,
                private_bytes=private,
                recipients=recipients,
                created_by=me,
                now=session.now(),
            )
        for kind, key_id, login in stale:
            s.execute(
                delete(KeyShareRow).where(
                    KeyShareRow.key_kind == kind, KeyShareRow.key_id == key_id, KeyShareRow.login == login
                )
            )
        if recovery_pk and not has_recovery_share:
            share_key(
                s,
                key_kind=SIGNING_KEY,
                key_id=me,
                private_bytes=raw_signing,
                recipients={RECOVERY_LOGIN: recovery_pk},
                created_by=me,
                now=session.now(),
            )


def recovered_signing_key(session: Session, login: str) -> Ed25519PrivateKey | None:
    """``login``'s signing key as the recovery slot holds it (None if they never unlocked since it was made)."""
    with session.read() as s:
        raw = open_key(s, key_kind=SIGNING_KEY, key_id=login, login=RECOVERY_LOGIN,
                       slot_private_raw=session.slot_private_raw)  # fmt: skip
    return Ed25519PrivateKey.from_private_bytes(raw) if raw is not None else None


def share_to_recovery(s: OrmSession, session: Session, login: str, signing: Ed25519PrivateKey) -> None:
    """Seal ``login``'s signing key to the recovery slot (a new user, made by an administrator)."""
    recovery = s.get(Meta, "recovery_public_key")
    if recovery is None:
        return
    share_key(
        s,
        key_kind=SIGNING_KEY,
        key_id=login,
        private_bytes=signing.private_bytes_raw(),
        recipients={RECOVERY_LOGIN: recovery.value},
        created_by=session.actor.login,
        now=session.now(),
    )
