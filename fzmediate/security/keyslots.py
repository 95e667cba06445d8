"""Key slots: one random database key, opened by any user's password or by the recovery code.

Each slot holds an X25519 key pair whose private half is wrapped with a key derived from the slot's secret
(Argon2id → AES-256-GCM), and the database key *sealed* to the slot's public key (ephemeral X25519 →
HKDF-SHA256 → AES-256-GCM). So:

- a password change re-wraps one private key and touches nothing else;
- removing a user makes a new database key and seals it to every remaining slot's public key, without
  knowing anyone's password; the removed user's private key opens nothing new.

The file holds no secrets in the clear and no personal data (login names only). It carries a checksum so
that damage is reported as damage, not as a wrong password. Every AEAD binds the slot's identity and KDF
parameters as associated data, so a relabelled or edited slot fails to open.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import asdict, dataclass, replace
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from fzmediate.errors import AuthenticationError, NotInitializedError, StoreDamagedError
from fzmediate.i18n import _
from fzmediate.security.atomic import atomic_write_bytes
from fzmediate.security.kdf import DEFAULT_KDF as DEFAULT_KDF
from fzmediate.security.kdf import RECOVERY_LOGIN as RECOVERY_LOGIN
from fzmediate.security.kdf import KdfParams as KdfParams

FORMAT = "fzmediate-keyslots"
FORMAT_VERSION = 2
#: Slot files this build reads (format 1 lacks the signing keys; they are added at the owner's next unlock).
READABLE_VERSIONS = (1, 2)
SlotKind = Literal["user", "recovery"]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass
class SlotKeys:
    """What a slot's secret opens: the database key, the slot's X25519 private key (opens key shares), the
    user's Ed25519 signing key (None in a format-1 slot) and the KEK (to wrap a signing key into an old slot).
    Callers wipe ``db_key`` and ``kek`` when done."""

    db_key: bytearray
    slot_private: bytes
    signing_private: bytes | None
    kek: bytearray


@dataclass(frozen=True)
class KeySlot:
    kind: SlotKind
    login: str
    kdf: KdfParams
    salt: str
    public_key: str
    private_nonce: str
    wrapped_private: str
    seal_ephemeral: str
    seal_nonce: str
    sealed_key: str
    # Format 2: the user's Ed25519 signing key (role grants, audit events), wrapped with the same KEK.
    # Empty in slots written by format 1 until their owner next unlocks (``with_signing_key``).
    signing_public: str = ""
    signing_nonce: str = ""
    wrapped_signing: str = ""

    def _signing_aad(self, store_id: str) -> bytes:
        return _canonical(
            [
                "fzmediate:slot-signing:v1",
                store_id,
                self.kind,
                self.login,
                asdict(self.kdf),
                self.public_key,
                self.signing_public,
            ]
        )

    def open_all(self, store_id: str, secret: bytes) -> SlotKeys:
        """Every key the slot holds, or InvalidTag if ``secret`` is wrong or the slot was altered."""
        kek = bytearray(self.kdf.derive(secret, _unb64(self.salt)))
        private_raw = AESGCM(bytes(kek)).decrypt(
            _unb64(self.private_nonce), _unb64(self.wrapped_private), self._private_aad(store_id)
        )
        private = X25519PrivateKey.from_private_bytes(private_raw)
        db_key = bytearray(self._unseal(store_id, private))
        signing: bytes | None = None
        if self.wrapped_signing:
            signing = AESGCM(bytes(kek)).decrypt(
                _unb64(self.signing_nonce), _unb64(self.wrapped_signing), self._signing_aad(store_id)
            )
            if Ed25519PrivateKey.from_private_bytes(signing).public_key().public_bytes_raw() != _unb64(
                self.signing_public
            ):
                raise InvalidTag()
        return SlotKeys(db_key=db_key, slot_private=private_raw, signing_private=signing, kek=kek)

    def with_signing_key(self, store_id: str, kek: bytes | bytearray, signing_private: bytes) -> KeySlot:
        """This slot with ``signing_private`` wrapped under its KEK (upgrading a format-1 slot)."""
        public = _b64(Ed25519PrivateKey.from_private_bytes(signing_private).public_key().public_bytes_raw())
        nonce = os.urandom(12)
        skeleton = replace(self, signing_public=public, signing_nonce=_b64(nonce), wrapped_signing="")
        wrapped = AESGCM(bytes(kek)).encrypt(nonce, signing_private, skeleton._signing_aad(store_id))
        return replace(skeleton, wrapped_signing=_b64(wrapped))

    def _private_aad(self, store_id: str) -> bytes:
        return _canonical(
            ["fzmediate:slot-private:v1", store_id, self.kind, self.login, asdict(self.kdf), self.public_key]
        )

    def _seal_aad(self, store_id: str, ephemeral: str) -> bytes:
        return _canonical(["fzmediate:slot-seal:v1", store_id, self.kind, self.login, self.public_key, ephemeral])

    def open(self, store_id: str, secret: bytes) -> bytearray:
        """Return the database key, or raise InvalidTag if ``secret`` is wrong or the slot was altered."""
        keys = self.open_all(store_id, secret)
        wipe(keys.kek)
        return keys.db_key

    def _unseal(self, store_id: str, private: X25519PrivateKey) -> bytes:
        ephemeral = X25519PublicKey.from_public_bytes(_unb64(self.seal_ephemeral))
        aes = _seal_cipher(private.exchange(ephemeral), self.seal_ephemeral, self.public_key)
        return aes.decrypt(
            _unb64(self.seal_nonce), _unb64(self.sealed_key), self._seal_aad(store_id, self.seal_ephemeral)
        )

    def resealed(self, store_id: str, db_key: bytes | bytearray) -> KeySlot:
        """The same slot with ``db_key`` sealed to its public key (no secret needed)."""
        eph_private = X25519PrivateKey.generate()
        eph = _b64(eph_private.public_key().public_bytes_raw())
        recipient = X25519PublicKey.from_public_bytes(_unb64(self.public_key))
        aes = _seal_cipher(eph_private.exchange(recipient), eph, self.public_key)
        nonce = os.urandom(12)
        sealed = aes.encrypt(nonce, bytes(db_key), self._seal_aad(store_id, eph))
        return replace(self, seal_ephemeral=eph, seal_nonce=_b64(nonce), sealed_key=_b64(sealed))

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["kdf"] = asdict(self.kdf)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> KeySlot:
        fields = dict(d)
        fields["kdf"] = KdfParams(**fields["kdf"])
        allowed = {f.name for f in dataclass_fields(cls)}
        if set(fields) - allowed:
            raise ValueError("slot fields")
        if fields["kind"] not in ("user", "recovery"):
            raise ValueError("slot kind")
        return cls(**fields)


def _seal_cipher(shared: bytes, ephemeral: str, recipient: str) -> AESGCM:
    info = _canonical(["fzmediate:seal:v1", ephemeral, recipient])
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)
    return AESGCM(key)


def new_slot(
    store_id: str,
    kind: SlotKind,
    login: str,
    secret: bytes,
    db_key: bytes | bytearray,
    kdf: KdfParams,
    *,
    signing_private: bytes | None = None,
) -> KeySlot:
    """Make a slot for ``login`` whose ``secret`` (password or recovery code) opens ``db_key`` and, for a user,
    ``signing_private`` (their Ed25519 signing key: kept across password changes, new for a new user)."""
    private = X25519PrivateKey.generate()
    public = _b64(private.public_key().public_bytes_raw())
    salt = os.urandom(16)
    nonce = os.urandom(12)
    skeleton = KeySlot(kind, login, kdf, _b64(salt), public, _b64(nonce), "", "", "", "")
    kek = kdf.derive(secret, salt)
    wrapped = AESGCM(kek).encrypt(nonce, private.private_bytes_raw(), skeleton._private_aad(store_id))
    slot = replace(skeleton, wrapped_private=_b64(wrapped)).resealed(store_id, db_key)
    if signing_private is not None:
        slot = slot.with_signing_key(store_id, kek, signing_private)
    return slot


@dataclass(frozen=True)
class KeySlotFile:
    """The whole slot file: immutable; every change returns a new value that the caller saves."""

    store_id: str
    slots: tuple[KeySlot, ...]

    # --- reading and writing -------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        body = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "store_id": self.store_id,
            "slots": [s.to_json() for s in self.slots],
        }
        body["checksum"] = hashlib.sha256(_canonical(body)).hexdigest()
        return json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> KeySlotFile:
        damaged = StoreDamagedError(
            _("The key-slot file is damaged or was altered (checksum or format check failed); nothing was opened.")
        )
        try:
            body = json.loads(data.decode("utf-8"))
            checksum = body.pop("checksum")
            if hashlib.sha256(_canonical(body)).hexdigest() != checksum:
                raise damaged
            if body["format"] != FORMAT or body["version"] not in READABLE_VERSIONS:
                raise damaged
            slots = tuple(KeySlot.from_json(s) for s in body["slots"])
            return cls(store_id=str(body["store_id"]), slots=slots)
        except StoreDamagedError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
            raise damaged from exc

    @classmethod
    def load(cls, path: Path) -> KeySlotFile:
        if not path.exists():
            raise NotInitializedError(_("No store has been set up in this data directory yet; run the set-up first."))
        return cls.from_bytes(path.read_bytes())

    def save(self, path: Path) -> None:
        atomic_write_bytes(path, self.to_bytes())

    # --- queries -------------------------------------------------------------------------------
    def slot(self, kind: SlotKind, login: str) -> KeySlot | None:
        return next((s for s in self.slots if s.kind == kind and s.login == login), None)

    def logins(self) -> list[str]:
        return [s.login for s in self.slots if s.kind == "user"]

    def open(self, kind: SlotKind, login: str, secret: bytes) -> bytearray:
        """The database key, or AuthenticationError (unknown login and wrong secret look the same)."""
        keys = self.open_all(kind, login, secret)
        wipe(keys.kek)
        return keys.db_key

    def open_all(self, kind: SlotKind, login: str, secret: bytes) -> SlotKeys:
        """Every key of ``login``'s slot, or AuthenticationError (unknown login and wrong secret look the same)."""
        wrong = AuthenticationError(_("Wrong user name or password. The database was not opened."))
        slot = self.slot(kind, login)
        if slot is None:
            # Spend the same KDF time as a real attempt, so the timing does not reveal which logins exist.
            DEFAULT_KDF.derive(secret, b"\0" * 16)
            raise wrong
        try:
            return slot.open_all(self.store_id, secret)
        except (InvalidTag, ValueError) as exc:
            raise wrong from exc

    # --- changes -------------------------------------------------------------------------------
    def with_slot(self, slot: KeySlot) -> KeySlotFile:
        others = tuple(s for s in self.slots if not (s.kind == slot.kind and s.login == slot.login))
        return replace(self, slots=(*others, slot))

    def without(self, kind: SlotKind, login: str) -> KeySlotFile:
        return replace(self, slots=tuple(s for s in self.slots if not (s.kind == kind and s.login == login)))

    def resealed(self, db_key: bytes | bytearray) -> KeySlotFile:
        """Every slot with a new database key sealed to it (used when the database is re-keyed)."""
        return replace(self, slots=tuple(s.resealed(self.store_id, db_key) for s in self.slots))


def new_db_key() -> bytearray:
    return bytearray(secrets.token_bytes(32))


def new_recovery_code() -> str:
    """A new recovery code (Crockford base32 with a check character per group; see ``recovery_code``)."""
    from fzmediate.security import recovery_code

    return recovery_code.new_code()


def normalize_recovery_code(code: str) -> bytes:
    """The key-derivation secret of a recovery code (current or version-1 format); ValidationError if mistyped."""
    from fzmediate.security import recovery_code

    return recovery_code.normalize(code)


def wipe(buf: bytearray) -> None:
    """Overwrite a key buffer in place (best effort: Python may hold other copies)."""
    for i in range(len(buf)):
        buf[i] = 0
