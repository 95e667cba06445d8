"""What an unlock trusts: signed role grants, the genesis administrator, and the audit chain since a checkpoint.

Called by ``Session.open`` after the database key is in hand, before the session acts, and by ``check``.
Everything here reads rows anyone with the database key could have written, so every conclusion rests on a
signature made with a key that only its owner's password unwraps:

- the acting user's slot signing key must be the key the store records for them (else the user table was
  edited);
- their role is the one a valid grant states (``security/grants.py``), never the ``role`` column;
- the genesis administrator named in ``meta`` must be the one the first, signed, audit event names;
- the audit chain is verified from the newest checkpoint that this user (or the administrator who granted
  their role) signed, so unlock stays fast with a million events, while ``check`` walks the whole chain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.i18n import _
from fzmediate.security.audit import (
    Checkpoint,
    read_checkpoint,
    signed_from,
    verify_chain,
)
from fzmediate.security.grants import (
    GENESIS_ADMIN_KEY,
    GENESIS_SIGNING_KEY,
    Grant,
    GrantCheck,
    UserRecord,
    verify_grants,
    verify_signature,
)
from fzmediate.security.keyslots import RECOVERY_LOGIN
from fzmediate.store.models import AuditEvent, Meta, User

RECOVERY_SIGNING_KEY = "recovery_signing_key"
#: Every recovery signing key the store had (JSON list): events signed by an earlier recovery code still verify.
RECOVERY_SIGNING_HISTORY = "recovery_signing_keys"
GENESIS_ACTIONS = ("store.init", "store.adopt_signatures")


@dataclass(frozen=True)
class TrustState:
    """The verified view of who may do what, and every problem found on the way."""

    grants: GrantCheck
    #: actor → the signing keys the chain accepts for them.
    chain_keys: dict[str, frozenset[str]]
    problems: list[str]


def user_records(s: OrmSession) -> list[UserRecord]:
    return [
        UserRecord(
            login=u.login,
            role=u.role,
            legally_qualified=u.legally_qualified,
            active=u.active,
            signing_public_key=u.signing_public_key,
            grant_json=u.grant_json,
            grant_signature=u.grant_signature,
            granted_by=u.granted_by,
        )
        for u in s.scalars(select(User))
    ]


def _meta(s: OrmSession, key: str) -> str | None:
    row = s.get(Meta, key)
    return row.value if row is not None else None


def genesis_problems(s: OrmSession) -> list[str]:
    """The genesis named in ``meta`` must match the signed genesis event (set-up or signature adoption)."""
    login, key = _meta(s, GENESIS_ADMIN_KEY), _meta(s, GENESIS_SIGNING_KEY)
    if not login or not key:
        return []  # a store from before signatures, not yet adopted
    table = AuditEvent.__table__
    wrong = [_("The store's first administrator record does not match its signed set-up event (altered).")]
    # The genesis event: store.init (sequence 1) in a store made with signatures; in one made before them, the
    # adoption event, which is the first signed one (``audit_signed_from``). Looked up by key, not by scanning
    # a million events at every unlock.
    seq = signed_from(s)
    event = s.execute(select(table).where(table.c.seq == seq)).first()
    if event is None or event.action not in GENESIS_ACTIONS:
        return wrong
    try:
        details = json.loads(event.details)
    except ValueError:
        return wrong
    if not isinstance(details, dict):
        return wrong
    from fzmediate.security.chain_walk import event_message

    if (
        details.get("genesis_admin") != login
        or details.get("genesis_signing_key") != key
        or event.actor != login
        or event.signer_key != key
        or not verify_signature(key, event.signature, event_message(event.hash))
    ):
        return wrong
    return []


def resolve(s: OrmSession, store_id: str) -> TrustState:
    """Grants and chain keys as the store's signatures support them (no chain walk)."""
    problems = genesis_problems(s)
    genesis_login = None if problems else _meta(s, GENESIS_ADMIN_KEY)
    grants = verify_grants(store_id, user_records(s), genesis_login, _meta(s, GENESIS_SIGNING_KEY))
    problems.extend(grants.problems)
    keys = dict(grants.signing_keys())
    # A user whose grant fails is already named above; their events are still checked against the key the
    # grant states, so that one tampered row does not make everyone else's history unreadable.
    for u in user_records(s):
        if u.login not in keys and u.grant_json:
            try:
                g = Grant.from_json(u.grant_json)
            except (ValueError, TypeError):
                continue
            keys[u.login] = frozenset({g.signing_key, *g.former_keys} - {""})
    recovery = {_meta(s, RECOVERY_SIGNING_KEY) or "", *_recovery_history(s)} - {""}
    if recovery:
        keys[RECOVERY_LOGIN] = frozenset(recovery)
    return TrustState(grants=grants, chain_keys=keys, problems=problems)


def start_checkpoint(s: OrmSession, store_id: str, login: str, state: TrustState) -> Checkpoint | None:
    """The newest checkpoint this user may rely on: their own, else their granter's; None → walk it all."""
    candidates = [login]
    grant = state.grants.valid.get(login)
    if grant is not None and grant.granted_by != login:
        candidates.append(grant.granted_by)
    best: Checkpoint | None = None
    for who in candidates:
        cp = read_checkpoint(s, who)
        key = state.grants.valid[who].signing_key if who in state.grants.valid else ""
        if cp is None or not key or cp.signer_key != key:
            continue
        if not verify_signature(key, cp.signature, cp.message(store_id)):
            continue
        if best is None or cp.seq > best.seq:
            best = cp
    return best


def verify_since_checkpoint(
    s: OrmSession, store_id: str, login: str, state: TrustState, *, source: tuple[Path, bytes] | None = None
) -> list[str]:
    """Verify the chain from this user's trusted checkpoint to the head (all of it when there is none)."""
    return verify_chain(s, state.chain_keys, start=start_checkpoint(s, store_id, login, state), source=source)


def full_check(s: OrmSession, store_id: str, *, source: tuple[Path, bytes] | None = None) -> list[str]:
    """Every grant, the genesis and the whole chain with every signature (``fzmediate check``); ``source`` (the
    database file and key) lets a long chain be walked on every CPU."""
    state = resolve(s, store_id)
    return [*state.problems, *verify_chain(s, state.chain_keys, source=source)]


def sign_grant(
    user: User,
    *,
    store_id: str,
    granter: str,
    granter_key: Ed25519PrivateKey,
    at: datetime,
    former_keys: tuple[str, ...] | None = None,
) -> None:
    """(Re-)sign ``user``'s row as it stands now: role, flag, status and signing key, by ``granter``."""
    previous = _previous_grant(user)
    grant = Grant(
        store_id=store_id,
        login=user.login,
        role=user.role,
        legally_qualified=user.legally_qualified,
        active=user.active,
        signing_key=user.signing_public_key,
        granted_by=granter,
        granted_at=at.isoformat(timespec="seconds"),
        serial=(previous.serial + 1) if previous is not None else 1,
        former_keys=former_keys if former_keys is not None else (previous.former_keys if previous else ()),
    )
    user.grant_json = grant.to_json()
    user.grant_signature = grant.sign(granter_key)
    user.granted_by = granter


def _previous_grant(user: User) -> Grant | None:
    if not user.grant_json:
        return None
    try:
        return Grant.from_json(user.grant_json)
    except (ValueError, TypeError):
        return None


def former_keys_after_change(user: User, new_key: str) -> tuple[str, ...]:
    """The grant's former keys once ``user`` signs with ``new_key`` instead of their current key."""
    previous = _previous_grant(user)
    former = list(previous.former_keys) if previous else []
    if user.signing_public_key and user.signing_public_key != new_key and user.signing_public_key not in former:
        former.append(user.signing_public_key)
    return tuple(former)


def _recovery_history(s: OrmSession) -> list[str]:
    try:
        value = json.loads(_meta(s, RECOVERY_SIGNING_HISTORY) or "[]")
    except ValueError:
        return []
    return [k for k in value if isinstance(k, str)] if isinstance(value, list) else []


def remember_recovery_key(s: OrmSession, key: str) -> None:
    """Make ``key`` the recovery slot's signing key, keeping the earlier ones for verifying old events."""
    history = _recovery_history(s)
    current = _meta(s, RECOVERY_SIGNING_KEY)
    for k in (current, key):
        if k and k not in history:
            history.append(k)
    for name, value in ((RECOVERY_SIGNING_KEY, key), (RECOVERY_SIGNING_HISTORY, json.dumps(history))):
        row = s.get(Meta, name)
        if row is None:
            s.add(Meta(key=name, value=value))
        else:
            row.value = value
