"""Role grants signed by an administrator: a role is what a valid grant says, not what a column says.

Everyone who can unlock holds the database key and could edit ``users.role``. So each user row carries a
*grant* — the role, the legal-qualification flag, whether the account is active and the user's Ed25519
signing key — as canonical JSON, signed by the administrator who made or changed it. The first
administrator's grant is signed by their own key (the *genesis* grant), and the genesis login and key are
also written into the first audit event, which is chained and signed. A staff member holding the database key
can therefore not grant themselves a role: they lack every administrator's signing key, which only that
administrator's password unwraps.

``verify_grants`` resolves which grants are valid (the signer must hold a valid administrator grant at the
time of checking, resolved from the genesis outward) and names every problem.

Stores made before signatures existed carry grants with an empty signing key: the key is bound at the
user's first unlock (trust on first use) and the grant itself was adopted by an administrator's signature.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fzmediate.i18n import _
from fzmediate.security.signature_batch import verify_one

GRANT_CONTEXT = b"fzmediate:grant:v1\n"
GENESIS_ADMIN_KEY = "genesis_admin"
GENESIS_SIGNING_KEY = "genesis_signing_key"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def public_b64(private: Ed25519PrivateKey) -> str:
    return b64(private.public_key().public_bytes_raw())


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def verify_signature(public_key: str, signature: str, message: bytes) -> bool:
    """Ed25519 check that never raises on malformed input (a damaged row is just 'not valid')."""
    return verify_one(public_key, signature, message)


@dataclass(frozen=True)
class Grant:
    """What an administrator vouches for about one user."""

    store_id: str
    login: str
    role: str
    legally_qualified: bool
    active: bool
    #: The user's Ed25519 public key (base64); "" = bound at the user's first unlock (adopted legacy user).
    signing_key: str
    granted_by: str
    granted_at: str
    serial: int
    #: Keys this user signed with before (a password reset by an administrator makes a new one): their old
    #: audit events still verify.
    former_keys: tuple[str, ...] = ()

    def to_json(self) -> str:
        return canonical(asdict(self)).decode("utf-8")

    @classmethod
    def from_json(cls, text: str) -> Grant:
        data = json.loads(text)
        if not isinstance(data, dict) or set(data) != set(cls.__dataclass_fields__):
            raise ValueError("grant fields")
        data["former_keys"] = tuple(data["former_keys"])
        return cls(**data)

    def message(self) -> bytes:
        return GRANT_CONTEXT + canonical(asdict(self))

    def sign(self, signer: Ed25519PrivateKey) -> str:
        return b64(signer.sign(self.message()))


@dataclass(frozen=True)
class UserRecord:
    """The columns of a user row that a grant must match (read from the store by the caller)."""

    login: str
    role: str
    legally_qualified: bool
    active: bool
    signing_public_key: str
    grant_json: str
    grant_signature: str
    granted_by: str


@dataclass(frozen=True)
class GrantCheck:
    """Which users act with a verified role, and what is wrong with the others (localized, by login)."""

    valid: dict[str, Grant]
    problems: list[str]
    #: login → a short reason, for the users whose grant is not valid.
    invalid: dict[str, str]

    #: login → every key a verified user signs or signed with (a grant with an empty key uses the key the
    #: user bound at first unlock).
    keys: dict[str, frozenset[str]]

    def signing_keys(self) -> dict[str, frozenset[str]]:
        return dict(self.keys)


def verify_grants(
    store_id: str, users: Iterable[UserRecord], genesis_login: str | None, genesis_key: str | None
) -> GrantCheck:
    """Resolve the valid grants, starting from the genesis administrator, and name every problem."""
    records = {u.login: u for u in users}
    parsed: dict[str, Grant] = {}
    invalid: dict[str, str] = {}
    for login, u in records.items():
        reason = _check_row(store_id, u)
        if isinstance(reason, str):
            invalid[login] = reason
        else:
            parsed[login] = reason
    valid: dict[str, Grant] = {}
    # The genesis grant is self-signed by the key the store recorded at set-up.
    if genesis_login and genesis_key and genesis_login in parsed:
        g = parsed[genesis_login]
        if (
            g.granted_by == genesis_login
            and g.signing_key == genesis_key
            and g.role == "admin"
            and verify_signature(genesis_key, records[genesis_login].grant_signature, g.message())
        ):
            valid[genesis_login] = g
    # Then every grant signed by an administrator already known to be valid, until nothing changes.
    changed = True
    while changed:
        changed = False
        for login, g in parsed.items():
            if login in valid:
                continue
            signer = valid.get(g.granted_by)
            if signer is None or signer.role != "admin" or not signer.active or not signer.signing_key:
                continue
            if verify_signature(signer.signing_key, records[login].grant_signature, g.message()):
                valid[login] = g
                changed = True
    for login in parsed:
        if login not in valid:
            invalid[login] = _("its role grant carries no valid administrator signature")
    problems = [
        _("User {login}: {reason}; the account is refused until an administrator signs its role again.").format(
            login=login, reason=reason
        )
        for login, reason in sorted(invalid.items())
    ]
    keys = {
        login: frozenset({g.signing_key or records[login].signing_public_key, *g.former_keys} - {""})
        for login, g in valid.items()
    }
    return GrantCheck(valid=valid, problems=problems, invalid=invalid, keys=keys)


def _check_row(store_id: str, u: UserRecord) -> Grant | str:
    if not u.grant_json or not u.grant_signature:
        return _("its role was never signed by an administrator")
    try:
        g = Grant.from_json(u.grant_json)
    except (ValueError, TypeError):
        return _("its signed role grant is damaged")
    if (
        g.store_id != store_id
        or g.login != u.login
        or g.role != u.role
        or g.legally_qualified != u.legally_qualified
        or g.active != u.active
        or g.granted_by != u.granted_by
        or (g.signing_key and g.signing_key != u.signing_public_key)
    ):
        return _("its role, flag, status or key differs from what an administrator signed")
    return g
