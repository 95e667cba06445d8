"""Anonymous public-key encryption for applications filed at a kiosk: libsodium's sealed box, via PyNaCl.

A sealed box (``crypto_box_seal``: an ephemeral X25519 key, XSalsa20-Poly1305) can be made by anyone holding
the recipient's public key and opened only with the private key, which is how ODK Central encrypts form
submissions. The kiosk holds the office's *public* intake key only, so an application it sealed cannot be read
back on the kiosk; the desk opens it with the office's private intake key.

The box authenticates its content (Poly1305): a flipped bit, or a box sealed to another key, does not open.
It does not say who sealed it: the desk checks the application itself, as it would a paper one.
"""

from __future__ import annotations

import base64
import hashlib

from nacl.bindings import crypto_box_SEALBYTES
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

#: Bytes a sealed box adds to its plaintext (ephemeral public key + MAC).
OVERHEAD: int = crypto_box_SEALBYTES


class SealedBoxError(Exception):
    """The box does not open with this key: altered, damaged, or sealed to another key."""


def new_key_pair() -> tuple[bytes, bytes]:
    """A fresh X25519 key pair as raw bytes: (private, public)."""
    private = PrivateKey.generate()
    return bytes(private), bytes(private.public_key)


def public_of(private_raw: bytes) -> bytes:
    """The raw public key belonging to a raw private key."""
    return bytes(PrivateKey(private_raw).public_key)


def key_fingerprint(public_raw: bytes) -> str:
    """SHA-256 (hex) of a raw public key: what two devices compare to know they hold the same key."""
    return hashlib.sha256(public_raw).hexdigest()


def seal(public_raw: bytes, plaintext: bytes) -> bytes:
    """``plaintext`` sealed to the holder of ``public_raw``'s private key."""
    return bytes(SealedBox(PublicKey(public_raw)).encrypt(plaintext))


def open_sealed(private_raw: bytes, sealed: bytes) -> bytes:
    """The plaintext of a sealed box, or SealedBoxError (wrong key, altered or damaged box)."""
    try:
        return bytes(SealedBox(PrivateKey(private_raw)).decrypt(sealed))
    except (CryptoError, ValueError, TypeError) as exc:
        raise SealedBoxError("sealed box does not open") from exc


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """Strict base64 (refuses stray characters), raising ValueError."""
    return base64.b64decode(text.encode("ascii"), validate=True)
