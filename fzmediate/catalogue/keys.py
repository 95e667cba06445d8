"""The public keys the app trusts to sign catalogue bundles.

The district's public key(s) ship in ``resources/catalogue/trusted-keys.json``: a JSON list of
``{"key_id", "public_key", "label", "valid_from"}`` (optionally ``"valid_until"``), where ``public_key`` is
the raw 32-byte Ed25519 key in base64 and ``key_id`` is the first 16 hex digits of its SHA-256. Several keys
may be trusted at once, which is how the district rotates keys (see docs/catalogue-format.md).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import AfterValidator, BaseModel, ConfigDict, TypeAdapter, model_validator
from pydantic import ValidationError as PydanticValidationError

from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.resources import resource

TRUSTED_KEYS_FILE = ("catalogue", "trusted-keys.json")


def key_id_for(raw_public_key: bytes) -> str:
    """The key id of a raw Ed25519 public key: first 16 hex digits of its SHA-256."""
    return hashlib.sha256(raw_public_key).hexdigest()[:16]


def _raw_key(value: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise ValueError(_("public_key is not base64")) from exc
    if len(raw) != 32:
        raise ValueError(_("public_key must be a raw 32-byte Ed25519 key"))
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError(_("must not be empty"))
    return value


class TrustedKey(BaseModel):
    """One trusted signing key; `label` says whose it is (e.g. 坪山区司法局 2026)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    key_id: str
    public_key: Annotated[str, AfterValidator(_raw_key)]
    label: Annotated[str, AfterValidator(_not_blank)]
    valid_from: dt.date
    valid_until: dt.date | None = None

    @model_validator(mode="after")
    def _key_id_matches(self) -> TrustedKey:
        expected = key_id_for(self.raw)
        if self.key_id != expected:
            raise ValueError(
                _("key_id {key_id} does not match its public key (expected {expected})").format(
                    key_id=self.key_id, expected=expected
                )
            )
        return self

    @property
    def raw(self) -> bytes:
        return base64.b64decode(self.public_key)

    def verifier(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.raw)

    def valid_on(self, day: dt.date) -> bool:
        """Whether a bundle published on `day` may be signed with this key."""
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    @classmethod
    def from_public_key(
        cls, key: Ed25519PublicKey, *, label: str, valid_from: dt.date, valid_until: dt.date | None = None
    ) -> TrustedKey:
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return cls(
            key_id=key_id_for(raw),
            public_key=base64.b64encode(raw).decode("ascii"),
            label=label,
            valid_from=valid_from,
            valid_until=valid_until,
        )


_KEY_LIST = TypeAdapter(list[TrustedKey])


class TrustedKeys:
    """An immutable set of trusted keys, looked up by key id."""

    def __init__(self, keys: Iterable[TrustedKey] = ()) -> None:
        by_id: dict[str, TrustedKey] = {}
        for key in keys:
            if key.key_id in by_id:
                raise ValidationError(
                    _("Trusted keys: key {key_id} is listed twice").format(key_id=key.key_id), field="key_id"
                )
            by_id[key.key_id] = key
        self._by_id = by_id

    @classmethod
    def load(cls, path: Path | str | None = None) -> TrustedKeys:
        """Read a trusted-keys file; by default the one shipped in resources/catalogue/."""
        file = Path(path) if path is not None else resource(*TRUSTED_KEYS_FILE)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise ValidationError(
                _("Cannot read the trusted keys file {name}: {problem}").format(name=file.name, problem=exc.strerror)
            ) from exc
        return cls.from_json(data, name=file.name)

    @classmethod
    def from_json(cls, data: bytes | str, *, name: str = "trusted-keys.json") -> TrustedKeys:
        try:
            parsed = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationError(_("{name} is not valid JSON").format(name=name)) from exc
        try:
            keys = _KEY_LIST.validate_json(json.dumps(parsed))
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            problem = str(first.get("ctx", {}).get("error", first["msg"]))
            raise ValidationError(
                _("{name}: entry {where}: {problem}").format(name=name, where=where, problem=problem)
            ) from exc
        return cls(keys)

    def plus(self, *keys: TrustedKey) -> TrustedKeys:
        """A new set with `keys` added (e.g. a test key passed explicitly by a test)."""
        return TrustedKeys([*self._by_id.values(), *keys])

    def get(self, key_id: str) -> TrustedKey | None:
        return self._by_id.get(key_id)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._by_id

    def __iter__(self) -> Iterator[TrustedKey]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)
