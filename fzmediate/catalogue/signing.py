"""Tools the district uses to sign a catalogue bundle (no command line: call them from Python).

The private key never belongs in the repository or on a desk machine. Typical use, documented step by step
in resources/catalogue/README.md::

    key = load_private_key("/secure/place/district-signing-key.pem")
    Path("pingshan.fzcat.json").write_bytes(sign_file("source/pingshan.json", key))
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from fzmediate.catalogue.bundle import BundleError, dump_bundle_file, sign_bundle
from fzmediate.catalogue.keys import TrustedKey, key_id_for
from fzmediate.errors import ValidationError
from fzmediate.i18n import _


def generate_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 signing key."""
    return Ed25519PrivateKey.generate()


def save_private_key(path: Path | str, key: Ed25519PrivateKey, *, overwrite: bool = False) -> None:
    """Write `key` as unencrypted PKCS#8 PEM, readable by its owner only (mode 0600).

    Refuses to replace an existing file unless `overwrite`: losing the district key means re-keying every
    installed app, so it must never be clobbered by accident.
    """
    target = Path(path)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    try:
        # The mode is given at creation so the key is never readable by others, not even for a moment.
        fd = os.open(target, flags, 0o600)
    except FileExistsError as exc:
        raise ValidationError(
            _("{name} already exists; refusing to overwrite a signing key.").format(name=target.name)
        ) from exc
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.chmod(target, 0o600)


def load_private_key(path: Path | str) -> Ed25519PrivateKey:
    """Read a PEM private key written by `save_private_key`."""
    data = Path(path).read_bytes()
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValidationError(_("{name} does not hold an Ed25519 key.").format(name=Path(path).name))
    return key


def _public(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_b64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw public key in base64, as trusted-keys.json stores it."""
    return base64.b64encode(_public(key)).decode("ascii")


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The key id (first 16 hex digits of SHA-256 of the raw public key)."""
    return key_id_for(_public(key))


def trusted_key_entry(key: Ed25519PrivateKey | Ed25519PublicKey, *, label: str, valid_from: dt.date) -> dict[str, Any]:
    """The entry to append to trusted-keys.json for `key` (validated like the app validates it)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    entry = TrustedKey.from_public_key(public, label=label, valid_from=valid_from)
    return entry.model_dump(mode="json", exclude_none=True)


def sign_file(src_json: Path | str, key: Ed25519PrivateKey) -> bytes:
    """Sign a readable bundle source (the payload JSON) and return the bundle file's bytes.

    The source is validated first: a payload with a problem is refused with the problem named.
    """
    source = Path(src_json)
    try:
        payload = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BundleError(
            _("Cannot read the bundle source {name}: {problem}").format(name=source.name, problem=exc),
            reason="unreadable",
        ) from exc
    if not isinstance(payload, dict):
        raise BundleError(
            _("The bundle source {name} must hold one JSON object.").format(name=source.name),
            reason="not_a_bundle",
        )
    return dump_bundle_file(sign_bundle(payload, key))
