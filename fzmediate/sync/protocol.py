"""The wire models of the sync protocol (docs/sync-protocol.md), shared by the client and the district server.

Pydantic models, strict about shape and size (the server rejects a bad body with 422 listing the problems,
never a 500). Payloads are the outbox's JSON fields; they may hold personal data: never logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

#: This build's protocol version; the server accepts it and the one before.
PROTOCOL_VERSION: Final = 1
OLDEST_ACCEPTED: Final = 1
#: Headers every request carries (besides the RFC 9421 signature headers).
PROTOCOL_HEADER: Final = "FZ-Protocol"
SCHEMA_HEADER: Final = "FZ-Schema"
#: Every server response says the server's time (Unix seconds): clients learn their clock offset from it.
SERVER_TIME_HEADER: Final = "FZ-Server-Time"

#: Limits of one push (docs/sync-protocol.md): a dropped request costs at most one batch. A server takes up to
#: MAX_PUSH_CHANGES changes in one push and says so in every push answer (PUSH_MAX_HEADER); a desk sends no more
#: than BASE_PUSH_CHANGES, what every server of this protocol version takes (servers before the header took
#: that many), until a server's answer says it takes more. Every batch also stays within MAX_BODY_BYTES.
MAX_PUSH_CHANGES: Final = 2000
BASE_PUSH_CHANGES: Final = 500
PUSH_MAX_HEADER: Final = "FZ-Push-Max"
MAX_BODY_BYTES: Final = 1024 * 1024
#: A pull page holds up to MAX_PULL_LIMIT changes (``limit``), and the server says so in every page's answer
#: (PULL_MAX_HEADER); a desk asks for at most BASE_PULL_LIMIT, what every server of this protocol version serves
#: (servers before the header refused a larger ``limit``), until an answer says more.
MAX_PULL_LIMIT: Final = 5000
BASE_PULL_LIMIT: Final = 2000
PULL_MAX_HEADER: Final = "FZ-Pull-Max"
#: A push may name the last ``device_seq`` of the push sent just before it, still on its way (query parameter
#: ``follows``): the server lets it wait, at most FOLLOW_WAIT_S, until that one is taken, so that a desk can keep
#: two pushes in flight without the second overtaking the first. Servers that do so say it in every push answer
#: (this header, ``1``); a desk sends a push early only to such a server.
FOLLOWS_HEADER: Final = "FZ-Push-Follows"
FOLLOW_WAIT_S: Final = 2.0
#: A push may carry the device's audit chain head (query parameters, signed like the rest of the request): the
#: server keeps it in the push's transaction as ``POST /v1/sync/anchor`` would and answers with ``anchor`` in the
#: push's answer, which the desk then does not send on its own. A server before this ignores the parameters and
#: answers without ``anchor``; the desk sends the anchor as it always did.
ANCHOR_SEQ_PARAM: Final = "anchor_seq"
ANCHOR_HASH_PARAM: Final = "anchor_hash"
#: A pull may ask (``hints=1``) for what else a sync would otherwise ask for in requests of its own, answered
#: with the last page (:class:`PullHints`): a desk then fetches kiosk applications and the catalogue only when
#: there is something to fetch. Only asked-for hints are sent (a desk of an earlier version refuses a page with
#: a field it does not know); a server before hints ignores the parameter and the desk asks as it always did.
HINTS_PARAM: Final = "hints"

Op = Literal["create", "patch", "append", "tombstone"]
Role = Literal["desk", "kiosk"]
Status = Literal["applied", "merged", "duplicate", "conflict", "rejected", "gap"]
#: Entities that are append-only and sealed: the server refuses any patch or tombstone of them.
SEALED_ENTITIES: Final = frozenset({"case_event", "document", "audit_event"})

#: Entities whose bytes travel by reference (docs/sync-protocol.md, "Blobs"): the change carries ``sha256`` and
#: ``size``; the bytes go once through ``/v1/sync/blobs/{sha256}``. The value names the desk column holding them.
BLOB_ENTITIES: Final = {"document": "pdf", "attachment": "data"}
BLOB_PATH: Final = "/v1/sync/blobs/{sha256}"
#: The largest blob (attachments are at most 20 MiB) and the largest chunk one request carries (≤ the body limit).
MAX_BLOB_BYTES: Final = 32 * 1024 * 1024
BLOB_CHUNK_BYTES: Final = 512 * 1024
#: A blob's hash: lowercase hex SHA-256.
SHA256_PATTERN: Final = r"^[0-9a-f]{64}$"
#: The reason a change naming a blob the server does not hold whole is answered ``rejected`` — the one refusal
#: that is not kept: ``acked_through`` stays before it and the device sends it again once the upload is done.
BLOB_MISSING: Final = "blob_missing"
#: Headers of the answer to ``HEAD`` on a blob: how many bytes the server holds and whether they are whole.
BLOB_RECEIVED_HEADER: Final = "FZ-Blob-Received"
BLOB_COMPLETE_HEADER: Final = "FZ-Blob-Complete"

#: A conflict settled on a desk closes at the server as a change of its own (docs/sync-protocol.md,
#: "Conflicts"): entity ``conflict``, op ``tombstone``, ``entity_id`` the server's conflict id, payload
#: ``{"entity", "entity_id", "field"}`` of what it was about. Published, so every other desk closes its copy;
#: an older desk skips it like any kind it does not keep.
CONFLICT_ENTITY: Final = "conflict"
#: Fields every desk derives itself (a case's next deadline from its events, the time of its last change): they
#: travel in patches (the district view reads ``next_due``) but never conflict, at the server or on a desk.
DERIVED_FIELDS: Final = {"case": frozenset({"next_due", "next_due_name", "next_due_provisional", "updated_at"})}

#: Office certificates (docs/sync-protocol.md, "Office certificates"): a desk sends a certificate request for
#: its office key and fetches the certificate the district issued. A request PEM is well under 2 KiB.
OFFICE_REQUEST_PATH: Final = "/v1/sync/office/request"
OFFICE_CERTIFICATE_PATH: Final = "/v1/sync/office/certificate"
MAX_OFFICE_REQUEST: Final = 8 * 1024
OfficeRequestState = Literal["pending", "certified", "refused", "superseded"]

_ID = Field(min_length=1, max_length=64)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Change(_Model):
    """One outbox row as the device wrote it."""

    change_id: str = _ID
    device_seq: int = Field(ge=1)
    entity: str = Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")
    entity_id: str = _ID
    op: Op
    base_version: int | None = Field(default=None, ge=0)
    version: int = Field(ge=0)
    payload: dict[str, Any]
    actor: str = Field(min_length=1, max_length=64)
    created_at: datetime
    schema_version: str = Field(min_length=1, max_length=16)


class PushRequest(_Model):
    changes: list[Change] = Field(max_length=MAX_PUSH_CHANGES)


class AnchorRequest(_Model):
    """The device's audit chain head (fzmediate.security.audit.head), signed by the user who synced."""

    seq: int = Field(ge=0)
    hash: str = Field(min_length=1, max_length=128)


class PushResult(_Model):
    device_seq: int
    status: Status
    #: Why a change was rejected or is in conflict (a code such as ``sealed``; never request data).
    reason: str | None = None
    server_seq: int | None = None
    #: The entity's version on the server after this change (absent when the change was not taken).
    version: int | None = None


class PushResponse(_Model):
    results: list[PushResult]
    #: The highest device_seq the server holds with every one before it.
    acked_through: int
    server_time: datetime
    #: Only when the push carried the audit head (ANCHOR_SEQ_PARAM, ANCHOR_HASH_PARAM): what was kept of it.
    anchor: AnchorResponse | None = None


class Conflict(_Model):
    """A field changed on two devices from the same base: the server value stays, nothing is lost."""

    conflict_id: str
    entity: str
    entity_id: str
    field: str
    base_value: Any = None
    server_value: Any = None
    client_value: Any = None
    server_device: str | None = None
    client_device: str
    server_actor: str | None = None
    client_actor: str
    created_at: datetime
    resolved: bool = False


class PulledChange(_Model):
    """A change the server took from another device, in commit order."""

    server_seq: int
    device_id: str
    device_seq: int
    change_id: str
    entity: str
    entity_id: str
    op: Op
    base_version: int | None = None
    version: int
    payload: dict[str, Any]
    actor: str
    created_at: datetime


class CatalogueHint(_Model):
    """The newest catalogue bundle the district published, as ``GET /v1/sync/catalogue`` would name it."""

    digest: str
    bundle_id: str
    version: int


class PullHints(_Model):
    """Sent with the last page of a pull that asked for them (HINTS_PARAM), read in the page's transaction."""

    #: The newest published catalogue (None: nothing published yet): a device holding it does not ask for it.
    catalogue: CatalogueHint | None
    #: Kiosk applications waiting for the device's unit (not acknowledged, not claimed by another desk): a desk
    #: asks for them only when there are some.
    applications: int = Field(ge=0)


class PullResponse(_Model):
    changes: list[PulledChange]
    #: Store this with the page, in the same transaction; ask with it next time.
    next_after: int
    more: bool
    conflicts: list[Conflict] = []
    server_time: datetime
    #: Only when asked for (HINTS_PARAM), and only with the last page (``more`` false).
    hints: PullHints | None = None


class EnrollRequest(_Model):
    code: str = Field(min_length=8, max_length=64)
    device_id: str = _ID
    #: The device's Ed25519 public key, raw 32 bytes in base64.
    public_key: str = Field(min_length=40, max_length=64)
    role: Role
    label: str = Field(default="", max_length=100)
    #: A PKCS #10 request (PEM) for the desk's active office key, as ``fzmediate office request`` makes it
    #: (docs/sync-protocol.md, "Office certificates"); the district certifies it later (``certify-office``).
    office_request: str | None = Field(default=None, min_length=1, max_length=MAX_OFFICE_REQUEST)


class EnrollResponse(_Model):
    device_id: str
    unit: str
    unit_name: str
    role: Role
    #: Unique district-wide; case numbers minted on this device carry it.
    device_code: str
    server_time: datetime
    #: The district's certificate (PEM, then any intermediates) for the office key, when already certified.
    office_certificate: str | None = None


class ErrorBody(_Model):
    """Every refusal: a code, and for 422 the problems (field paths and rules; never the values sent)."""

    error: str
    problems: list[str] = []


class AnchorResponse(_Model):
    """The head the server keeps for the device. ``accepted`` is false when the head sent does not extend it
    (``reason``: ``rewound``, a lower sequence; ``rewritten``, the same sequence with another hash)."""

    accepted: bool
    reason: str | None = None
    seq: int
    hash: str
    server_time: datetime


class BlobStatus(_Model):
    """How much of a blob the server holds for the device's unit (the answer to every ``PUT`` of a chunk).

    ``received`` is where the next chunk starts; ``complete`` says the bytes are whole and matched ``sha256``."""

    sha256: str = Field(pattern=SHA256_PATTERN)
    size: int | None = None
    received: int = Field(ge=0)
    complete: bool


class HealthResponse(_Model):
    """The server is up and speaks these protocol versions (no data)."""

    status: Literal["ok"] = "ok"
    protocol: int
    oldest_accepted: int
    server_time: datetime


class OfficeRequestBody(_Model):
    """A certificate request for the desk's active office key (PEM, as ``fzmediate office request`` makes it)."""

    office_request: str = Field(min_length=1, max_length=MAX_OFFICE_REQUEST)


class OfficeRequestStatus(_Model):
    """Where the district stands with the request for this key: ``pending`` until ``certify-office`` runs,
    ``certified`` (fetch it), ``refused`` (``reason``: e.g. ``unit_mismatch``) or ``superseded`` by a newer one."""

    status: OfficeRequestState
    reason: str | None = None
    #: SHA-256 (hex) of the key's SubjectPublicKeyInfo (DER): which key the answer is about.
    key_sha256: str = Field(pattern=SHA256_PATTERN)
    server_time: datetime


class OfficeCertificate(_Model):
    """The district's latest certificate for the device's office key: the certificate, then any intermediates."""

    certificate: str
    key_sha256: str = Field(pattern=SHA256_PATTERN)
    not_after: datetime
    server_time: datetime
