"""The district server's tables (docs/sync-protocol.md), portable to PostgreSQL and SQLite.

PostgreSQL is the production database; SQLite serves development and demonstrations. Times are stored as
naive UTC and read back as aware UTC (:class:`UTCDateTime`), so both databases behave alike. Payloads are
generic JSON; they may hold personal data and are never logged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Final

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: The one counter of the server: the commit sequence of ``change_log``.
CHANGE_SEQ: Final = "change_log"

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime, stored naive (SQLite keeps no zone; PostgreSQL gets ``timestamp``)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON(), int: Integer()}


class Unit(Base):
    """An organisation unit of the district, loaded from the signed catalogue at ``init``."""

    __tablename__ = "units"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    parent: Mapped[str | None] = mapped_column(String(32))


class EnrollCode(Base):
    """A one-time enrollment code: only its SHA-256 is kept."""

    __tablename__ = "enroll_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    #: The device the code enrolled: a retried enrollment of that same device is answered again.
    used_by: Mapped[str | None] = mapped_column(String(64))


class Device(Base):
    """An enrolled desk or kiosk and its public key; ``acked_through`` is the push cursor."""

    __tablename__ = "devices"
    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(8))
    label: Mapped[str] = mapped_column(String(100))
    device_code: Mapped[str] = mapped_column(String(8), unique=True)
    enrolled_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    acked_through: Mapped[int] = mapped_column(BigInteger, default=0)


class Nonce(Base):
    """Signature nonces seen per device, kept twice the clock window (older ones can no longer replay)."""

    __tablename__ = "nonces"
    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(index=True)


class ChangeLog(Base):
    """Every change the server took from a device, numbered in commit order by ``server_seq``.

    ``status`` is the push answer it got. ``published`` rows are what other devices pull: their ``payload``
    is the change as the server applied it (a patch keeps only the fields it changed, ``{"old", "new"}``) and
    ``base_version``/``version`` are the entity's server versions before and after. Unpublished rows (rejected,
    conflicting or no-op changes) are kept so that a retried push is recognised.
    """

    __tablename__ = "change_log"
    __table_args__ = (
        UniqueConstraint("device_id", "device_seq", name="uq_change_log_device_seq"),
        Index("ix_change_log_unit_seq", "unit", "server_seq"),
    )
    server_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    device_id: Mapped[str] = mapped_column(String(64))
    device_seq: Mapped[int] = mapped_column(BigInteger)
    #: Unique; None only for a change refused because its id was already taken by another change.
    change_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    op: Mapped[str] = mapped_column(String(16))
    base_version: Mapped[int | None]
    version: Mapped[int]
    payload: Mapped[dict[str, Any]]
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    #: The scope: the unit of the device that pushed the change.
    unit: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    published: Mapped[bool] = mapped_column(Boolean)


class Entity(Base):
    """The server's current state of one synced entity (the authority the merge compares with)."""

    __tablename__ = "entities"
    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit: Mapped[str] = mapped_column(String(32))
    version: Mapped[int]
    fields: Mapped[dict[str, Any]]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    last_server_seq: Mapped[int | None] = mapped_column(BigInteger)
    last_device: Mapped[str] = mapped_column(String(64))
    last_actor: Mapped[str] = mapped_column(String(64))


class ConflictRow(Base):
    """A field changed on two devices from the same base: the server value stayed, the other is kept here.

    ``field`` ``_deleted`` records a deletion against an edit (values are then booleans, or the edit's fields).
    """

    __tablename__ = "conflicts"
    conflict_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(64))
    base_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    server_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    client_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    server_device: Mapped[str | None] = mapped_column(String(64))
    client_device: Mapped[str] = mapped_column(String(64))
    server_actor: Mapped[str | None] = mapped_column(String(64))
    client_actor: Mapped[str] = mapped_column(String(64))
    #: The entity's unit: every device of it sees the conflict.
    unit: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class SeqCounter(Base):
    """Named counters; ``change_log`` is locked and advanced at the end of each push transaction."""

    __tablename__ = "seq_counter"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class Anchor(Base):
    """The latest audit chain head each device reported."""

    __tablename__ = "anchors"
    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime]


class RateBucket(Base):
    """A device's request allowance (:mod:`fzmediate.server.ratelimit`): a token bucket kept as one time.

    ``full_at`` is the generic cell rate algorithm's *theoretical arrival time*: the moment the bucket would be
    full again. Kept in the database so that every worker process of the server shares it.
    """

    __tablename__ = "rate_buckets"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    full_at: Mapped[datetime]


class DistrictToken(Base):
    """A token district staff use to read the district view (``fzmediate-server district-token``): only its
    SHA-256 is kept."""

    __tablename__ = "district_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Blob(Base):
    """The bytes of a sealed document or an attachment, content-addressed within a unit (migration s0003).

    Uploaded resumably (:mod:`fzmediate.server.blobs`): the chunks wait in :class:`BlobPart` until ``received``
    reaches ``size``; then the whole is checked against ``sha256`` and only a match is kept in ``data`` with
    ``complete`` set. Keyed by unit as well as hash: a device reaches only its unit's blobs, and a unit holds a
    blob only once one of its devices sent the bytes (knowing a hash never opens another unit's file).
    ``referenced`` is set once a change of the unit that names the blob was taken: only then is it served.
    """

    __tablename__ = "blobs"
    unit: Mapped[str] = mapped_column(String(32), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    referenced: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class BlobPart(Base):
    """One received chunk of an incomplete blob, at its byte ``offset``; gone once the blob is whole."""

    __tablename__ = "blob_parts"
    unit: Mapped[str] = mapped_column(String(32), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    offset: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class OfficeRequestRow(Base):
    """A desk's certificate request for its office key, and the district's answer (migration s0004).

    One row per device and key (``key_sha256``: SHA-256 of the key's SubjectPublicKeyInfo). ``status``:
    ``pending`` until ``fzmediate-server certify-office`` runs, then ``certified`` (``certificate_pem`` holds
    the certificate and any intermediates) or ``refused`` (``reason``); an older pending request of the same
    device becomes ``superseded`` when the desk sends one for a new key. Public data only (no personal data):
    the request names the office. The district's private key is never stored here.
    """

    __tablename__ = "office_requests"
    __table_args__ = (UniqueConstraint("device_id", "key_sha256", name="uq_office_requests_device_key"),)
    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(64), index=True)
    unit: Mapped[str] = mapped_column(String(32), index=True)
    key_sha256: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    request_pem: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    certificate_pem: Mapped[str | None] = mapped_column(Text, nullable=True)
    certified_at: Mapped[datetime | None]
    not_after: Mapped[datetime | None]


class PublishedCatalogue(Base):
    """A catalogue bundle the district published (``fzmediate-server publish-catalogue``, migration s0005).

    Kept as the exact signed bytes the district handed over, after the same verification a desk runs
    (:mod:`fzmediate.server.catalogue`); devices pull the newest (``GET /v1/sync/catalogue``) and verify it again
    themselves. ``digest`` is the SHA-256 of the signed payload's canonical bytes (the desk's
    ``catalogue_bundles.digest``), also the answer's ETag. Public data only.
    """

    __tablename__ = "published_catalogues"
    bundle_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    digest: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    #: The bundle's ``published_on`` as signed (ISO date).
    published_on: Mapped[str] = mapped_column(String(10))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    published_at: Mapped[datetime]


class KioskApplication(Base):
    """An application a kiosk sealed, waiting for a desk of the responsible ``unit`` (migration
    s0005_kiosk_applications).

    The server cannot open ``sealed`` (only the office's intake key does); it keeps the routing data the kiosk
    sent in clear. ``application_id`` is unique: a retried push is a duplicate. A desk's fetch claims rows for a
    while (``claimed_by``/``claimed_until``) so another desk of the unit does not take them meanwhile; its
    acknowledgement sets ``acked_at`` and drops the bytes (``sealed`` None): the row stays to recognise a retry.
    """

    __tablename__ = "kiosk_applications"
    __table_args__ = (Index("ix_kiosk_applications_unit_waiting", "unit", "acked_at"),)
    application_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: The responsible unit: its desks fetch the application.
    unit: Mapped[str] = mapped_column(String(32))
    kiosk_device_id: Mapped[str] = mapped_column(String(64))
    #: The kiosk's own unit when it pushed (a community's kiosk files for its street office).
    kiosk_unit: Mapped[str] = mapped_column(String(32))
    office_key_id: Mapped[str] = mapped_column(String(64))
    key_fingerprint: Mapped[str] = mapped_column(String(64))
    matter_code: Mapped[str | None] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    received_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    acked_at: Mapped[datetime | None]
    acked_by: Mapped[str | None] = mapped_column(String(64))
