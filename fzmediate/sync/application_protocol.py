"""The wire models of kiosk applications over sync (docs/sync-protocol.md, "Kiosk applications").

A kiosk pushes the applications it sealed (the bytes exactly as its export file carries them: it cannot open
them); the server keeps them for the responsible unit; a desk of that unit fetches them, imports them as it
imports an export file, and acknowledges them. Shared by the client (``fzmediate.sync.kiosk_push``,
``fzmediate.sync.intake_pull``) and the server (``fzmediate.server.applications``). Only routing data travels in
clear: ids, the unit, the matter code, the sealed-to key's id and fingerprint, the SHA-256 — never a person.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from fzmediate.sync.protocol import SHA256_PATTERN

#: Where a kiosk pushes, where a desk fetches and acknowledges (all signed, under ``/v1/sync/``).
APPLICATIONS_PATH: Final = "/v1/sync/applications"
FETCH_PATH: Final = "/v1/sync/applications/fetch"
ACK_PATH: Final = "/v1/sync/applications/ack"
#: Applications in one push request (and the body stays under the 1 MB limit: the client batches by size).
MAX_PUSH_APPLICATIONS: Final = 100
#: The largest sealed application that travels by sync: its base64 fits a request under the 1 MB body limit.
#: A larger one (an intake near its 2 MB limit) stays on the kiosk and goes by export file.
MAX_SEALED_SYNC_BYTES: Final = 640 * 1024
#: Applications one fetch answers with at most (and never more sealed bytes than ``MAX_FETCH_BYTES``, but one).
MAX_FETCH_APPLICATIONS: Final = 100
MAX_FETCH_BYTES: Final = 4 * 1024 * 1024
#: Intake key ids one fetch names (a desk holds its current key and the ones it rotated from).
MAX_KEY_IDS: Final = 32

UUID_PATTERN: Final = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
KEY_ID_PATTERN: Final = r"^[0-9A-Za-z-]{1,64}$"
UNIT_PATTERN: Final = r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$"
MATTER_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$"
_B64_MAX: Final = 4 * ((MAX_SEALED_SYNC_BYTES + 2) // 3)

ApplicationId = Annotated[str, Field(pattern=UUID_PATTERN)]
KeyId = Annotated[str, Field(pattern=KEY_ID_PATTERN)]
Sha256 = Annotated[str, Field(pattern=SHA256_PATTERN)]
#: Why the server refused an application (docs/sync-protocol.md): never request data.
Reason = Literal["unknown_unit", "unit_scope", "unknown_matter", "matter_unit", "hash_mismatch", "id_reused"]


def sealed_text(sealed: bytes) -> str:
    """Sealed bytes as they travel (standard base64, as in the export file)."""
    return base64.b64encode(sealed).decode("ascii")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SealedApplication(_Model):
    """One application as the kiosk sealed it, with the routing data it kept in clear."""

    application_id: ApplicationId
    office_key_id: KeyId
    #: SHA-256 (hex) of the raw public key the application is sealed to.
    key_fingerprint: Sha256
    #: The unit the sealed-to key belongs to, when the key file named one; else the server routes to the
    #: kiosk's own unit (a community's kiosk: its street office).
    unit: str | None = Field(default=None, pattern=UNIT_PATTERN, max_length=32)
    matter_code: str | None = Field(default=None, pattern=MATTER_PATTERN)
    sha256: Sha256
    #: The sealed box, base64 (exactly the export file's ``sealed``).
    sealed: str = Field(min_length=8, max_length=_B64_MAX)


class ApplicationPushRequest(_Model):
    applications: list[SealedApplication] = Field(min_length=1, max_length=MAX_PUSH_APPLICATIONS)


class ApplicationResult(_Model):
    application_id: str
    #: ``accepted`` (kept for the unit), ``duplicate`` (held already: a retried push), ``rejected`` (``reason``).
    status: Literal["accepted", "duplicate", "rejected"]
    reason: Reason | None = None
    #: The unit whose desks receive it (accepted and duplicate).
    unit: str | None = None


class ApplicationPushResponse(_Model):
    results: list[ApplicationResult]
    server_time: datetime


class ApplicationFetchRequest(_Model):
    """A desk asks for the waiting applications of its unit sealed to the intake keys it holds."""

    key_ids: list[KeyId] = Field(min_length=1, max_length=MAX_KEY_IDS)
    limit: int = Field(default=MAX_FETCH_APPLICATIONS, ge=1, le=MAX_FETCH_APPLICATIONS)


class WaitingApplication(_Model):
    application_id: str
    kiosk_device_id: str
    office_key_id: str
    key_fingerprint: str
    matter_code: str | None = None
    sha256: str
    sealed: str
    received_at: datetime


class ApplicationFetchResponse(_Model):
    applications: list[WaitingApplication]
    #: More wait than this answer holds: fetch again (after acknowledging these).
    more: bool
    server_time: datetime


class ApplicationAckRequest(_Model):
    """The applications the desk has stored: the server hands them to no one again and drops their bytes."""

    application_ids: list[ApplicationId] = Field(min_length=1, max_length=MAX_FETCH_APPLICATIONS)


class ApplicationAckResponse(_Model):
    acknowledged: int
    server_time: datetime
