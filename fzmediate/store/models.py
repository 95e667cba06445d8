"""ORM models of the local store. Plain rows; the rules live in domain/ and services/.

Primary keys are client-generated UUIDs (text) so that records made offline keep their identity when
synced; every mutable row has a ``version`` for optimistic concurrency and three-way merge.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints: Alembic's batch mode on SQLite can only alter constraints that have names.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    return str(uuid.uuid4())


_last_time_id = (0, 0)  # (milliseconds, 12-bit counter) of the last UUIDv7 minted by this process
_time_id_lock = threading.Lock()


def new_time_id(at_ms: int | None = None) -> str:
    """A UUIDv7 (RFC 9562): 48-bit Unix time in milliseconds, a 12-bit counter, then 62 random bits.

    Used for cases and outbox changes: ids sort by creation time, so "newest first" is an index walk, and two
    devices never mint the same id offline. Within one process ids are strictly increasing even when the
    clock stands still or steps back (RFC 9562 §6.2 method 1: the counter sits in ``rand_a``).
    (``uuid.uuid7`` arrives with Python 3.14.)
    """
    global _last_time_id
    ms = int(time.time() * 1000) if at_ms is None else at_ms
    with _time_id_lock:
        last_ms, last_counter = _last_time_id
        if ms <= last_ms:
            ms, counter = last_ms, last_counter + 1
            if counter > 0xFFF:
                ms, counter = last_ms + 1, 0
        else:
            counter = int.from_bytes(os.urandom(2), "big") & 0x3FF  # random start, leaving room to count up
        _last_time_id = (ms, counter)
    value = (ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version 7
    value |= counter << 64  # rand_a: the counter
    value |= 0b10 << 62  # RFC 9562 variant
    value |= int.from_bytes(os.urandom(8), "big") & 0x3FFF_FFFF_FFFF_FFFF  # rand_b: 62 random bits
    return str(uuid.UUID(int=value))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Meta(Base):
    """Store-wide settings: device id, audit chain head, creation time."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class User(Base):
    """A person who works with the store. Login names are not personal data; real names and contacts are."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("login"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    login: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    legally_qualified: Mapped[bool] = mapped_column(Boolean, default=False)
    full_name: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(Text, default="")
    id_type: Mapped[str] = mapped_column(String(32), default="")
    id_number: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Public half of the user's key slot: the authenticated copy that re-keying checks the slot file against.
    slot_public_key: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column()
    removed_at: Mapped[datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Schema 0004: the user's Ed25519 signing key and the administrator's signed grant (security/grants.py).
    # The role a session acts with is the one the verified grant states.
    signing_public_key: Mapped[str] = mapped_column(String(64), default="")
    grant_json: Mapped[str] = mapped_column(Text, default="")
    grant_signature: Mapped[str] = mapped_column(String(128), default="")
    granted_by: Mapped[str] = mapped_column(String(64), default="")


class AuditEvent(Base):
    """One link of the append-only, hash-chained audit log. ``details`` never holds personal data."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    at: Mapped[str] = mapped_column(String(32))  # UTC, ISO 8601 with microseconds: hashed as text
    actor: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # Schema 0004: the acting user's Ed25519 signature over ``hash`` and that user's public key.
    signer_key: Mapped[str] = mapped_column(String(64), default="")
    signature: Mapped[str] = mapped_column(String(128), default="")


# --- cases (schema 0002) -----------------------------------------------------------------------------


class CatalogueBundle(Base):
    """One imported catalogue bundle, kept as the exact signed bytes it arrived as.

    Every version ever imported stays: a case is pinned to (bundle_id, version) and is always run under the
    rules it started with. The active bundle for new cases is named in ``meta`` (``catalogue_active``).
    """

    __tablename__ = "catalogue_bundles"

    bundle_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    label: Mapped[str] = mapped_column(Text)
    published_on: Mapped[date] = mapped_column(Date)
    #: SHA-256 of the canonical bytes of the signed payload (``VerifiedBundle.digest``).
    digest: Mapped[str] = mapped_column(String(64))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    imported_at: Mapped[datetime] = mapped_column()
    imported_by: Mapped[str] = mapped_column(String(64))


class Case(Base):
    """A mediation or adjudication case. ``number`` is unique district-wide (see services/numbering.py)."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("number"),
        ForeignKeyConstraint(
            ["bundle_id", "bundle_version"],
            ["catalogue_bundles.bundle_id", "catalogue_bundles.version"],
            name="fk_cases_bundle_catalogue_bundles",
        ),
        Index("ix_cases_next_due", "next_due"),
        Index("ix_cases_state", "state"),
        # Migration 0007: the deadline refresh picks its few candidates by index, and each sort column of the
        # keyset-paged list is a range on (column, id) (services/case_listing.py).
        Index("ix_cases_next_due_name_next_due", "next_due_name", "next_due"),
        *(
            Index("ix_cases_{0}_id".format(column), column, "id")
            for column in ("received_on", "next_due", "state", "matter_code", "assigned_mediator", "kind", "updated_at")
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_time_id)
    number: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    matter_code: Mapped[str] = mapped_column(String(32))
    bundle_id: Mapped[str] = mapped_column(String(64))
    #: PINNED: the bundle version the case started under; never changed afterwards.
    bundle_version: Mapped[int] = mapped_column(Integer)
    procedure_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(32))
    received_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    facts: Mapped[str] = mapped_column(Text)
    claims: Mapped[str] = mapped_column(Text)
    assigned_mediator: Mapped[str] = mapped_column(String(64), default="")
    # Denormalized from the procedure engine after every change, for lists and the overdue filter.
    next_due: Mapped[date | None] = mapped_column(Date, default=None)
    next_due_name: Mapped[str] = mapped_column(String(64), default="")
    next_due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The day the three next_due fields were computed for (time alone can change them: a window that lapses,
    #: a waiting period that ends, a suspension that goes on). Derived, local: never pushed on its own.
    next_due_as_of: Mapped[date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str] = mapped_column(String(36))
    updated_at: Mapped[datetime] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=1)


class PartyRow(Base):
    """A party of a case (申请人, 被申请人, 第三人, 委托代理人). Personal data: shown masked in lists."""

    __tablename__ = "parties"
    __table_args__ = (UniqueConstraint("case_id", "position"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_time_id)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"))
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    id_type: Mapped[str] = mapped_column(String(32), default="")
    id_number: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(Text, default="")
    #: The party id an agent acts for (another row of the same case).
    represents: Mapped[str | None] = mapped_column(String(36), default=None)
    power_of_attorney: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Schema 0006: who signs for an organisation (法定代表人 / 负责人), and an agent's authority
    # (general | special, "" when registered before 0006: treated as general) with the powers it grants.
    legal_representative: Mapped[str] = mapped_column(Text, default="")
    representative_title: Mapped[str] = mapped_column(String(16), default="")
    authority: Mapped[str] = mapped_column(String(16), default="")
    authority_scope: Mapped[str] = mapped_column(Text, default="")


class CaseEventRow(Base):
    """One thing that happened to a case. Append-only: SQLite triggers refuse UPDATE and DELETE.

    ``seq`` numbers a case's events on the device that recorded them; two desks working offline on one case may
    both record event 7 (schema 0010), so the number is unique per case and device, and equal numbers are
    ordered by ``at``."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq", "device"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_time_id)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(64))
    #: The legal date of the act (deadlines count from it).
    on_date: Mapped[date] = mapped_column(Date)
    #: When it was recorded (UTC, naive).
    at: Mapped[datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(36))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AttachmentRow(Base):
    """A scan or photo filed with a case (an ID card copy, a contract, a receipt), in the encrypted store.

    The bytes never leave the store unencrypted except to a viewer the user opens. Never deleted: a wrong
    file is marked ``removed_at`` with a reason, and stays in the record (who filed what, and when).
    """

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_case_id", "case_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_time_id)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"))
    #: The file's name as the user chose it (may hold personal data: encrypted like everything here).
    name: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(100))
    #: The required material it is filed for (the guide's material name), or "".
    material: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column()
    added_by: Mapped[str] = mapped_column(String(64))
    removed_at: Mapped[datetime | None] = mapped_column(default=None)
    removed_by: Mapped[str] = mapped_column(String(64), default="")
    removed_reason: Mapped[str] = mapped_column(Text, default="")


class SessionPlan(Base):
    """A mediation or hearing session planned for a case: when, where, who is invited.

    Planning is not a legal act (``hold_session`` records the session that took place); it feeds Today's
    "sessions today and this week". Cancelled plans are kept (``cancelled_at``), never deleted.
    """

    __tablename__ = "session_plans"
    __table_args__ = (Index("ix_session_plans_starts_at", "starts_at"), Index("ix_session_plans_case_id", "case_id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_time_id)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"))
    #: Local time in China (UTC+8), naive: the time written on the invitation.
    starts_at: Mapped[datetime] = mapped_column()
    minutes: Mapped[int] = mapped_column(Integer, default=60)
    place: Mapped[str] = mapped_column(Text)
    #: Logins of the staff taking part (the case's mediator first).
    staff: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)


class CaseCounter(Base):
    """The next case number per device code, series (调 / 裁) and year."""

    __tablename__ = "case_counters"

    device_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    series: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class SearchTerm(Base):
    """Search keys of a case, inside the encrypted database: ``n:`` + every substring of a party name,
    ``i:`` / ``i6:`` an ID number and its last 6 characters, ``p:`` / ``p4:`` a phone's digits and last 4.

    WITHOUT ROWID with the primary key (term, case_id): a lookup is one index range, already in case-id
    order (case ids are UUIDv7, so that is newest-first when walked backwards).
    """

    __tablename__ = "search_terms"
    __table_args__ = (Index("ix_search_terms_case_id", "case_id"), {"sqlite_with_rowid": False})

    term: Mapped[str] = mapped_column(Text, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"), primary_key=True)


class OutboxEntry(Base):
    """A change waiting to be pushed to the district server, written in the same transaction as the change.

    ``device_seq`` is gap-free per device; ``op`` is create | patch | append | tombstone; ``payload`` holds
    the fields (for a patch: ``{"field": {"old": …, "new": …}}``). See fzmediate/store/outbox.py.
    """

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("device_id", "device_seq"), {"sqlite_autoincrement": True})

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[str] = mapped_column(String(36), unique=True)
    device_id: Mapped[str] = mapped_column(String(36))
    device_seq: Mapped[int] = mapped_column(Integer)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(16))
    base_version: Mapped[int | None] = mapped_column(Integer, default=None)
    version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column()
    schema_version: Mapped[str] = mapped_column(String(16))


# --- documents (schema 0003) --------------------------------------------------------------------------


class DocumentRow(Base):
    """An issued document: the exact sealed and signed PDF bytes, with what identifies them.

    Append-only (SQLite triggers refuse UPDATE and DELETE): a correction is a new row with the next
    ``version`` whose ``supersedes`` names the row it replaces; the old row and its bytes never change.
    """

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "version"),
        ForeignKeyConstraint(["supersedes"], ["documents.id"], name="fk_documents_supersedes_documents"),
        Index("ix_documents_case_id", "case_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_time_id)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"))
    #: The kind's stable name (``agreement``, ``decision`` …; see fzmediate/documents/templates/kinds.py).
    kind: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    supersedes: Mapped[str | None] = mapped_column(String(36), default=None)
    title: Mapped[str] = mapped_column(Text)
    issue_date: Mapped[date] = mapped_column(Date)
    #: When it was issued (UTC, naive); also the PDF signing time.
    issued_at: Mapped[datetime] = mapped_column()
    issued_by: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(36))
    #: The last case event the document was made from (its ``seq``).
    based_on_seq: Mapped[int] = mapped_column(Integer)
    #: Why a new version was issued (empty for a first issue).
    reason: Mapped[str] = mapped_column(Text, default="")
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    #: SHA-256 (hex) of the DER certificate of the office key that signed it.
    signer: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)


class OfficeKeyRow(Base):
    """The office's document-signing key (EC P-256) and its certificate, inside the encrypted store only.

    The private key never leaves the database; the certificates (public, no personal data) are also written
    to ``<data dir>/office-certificates.pem`` so that documents can be verified without unlocking.
    A retired key (``active`` false) keeps its row: documents it signed still verify.
    """

    __tablename__ = "office_keys"
    __table_args__ = (UniqueConstraint("fingerprint"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_time_id)
    created_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(64))
    common_name: Mapped[str] = mapped_column(Text)
    #: SHA-256 (hex) of the certificate in DER.
    fingerprint: Mapped[str] = mapped_column(String(64))
    certificate_pem: Mapped[str] = mapped_column(Text)
    #: Empty once the key is shared (schema 0004): the private key then exists only as copies sealed to the slot
    #: keys of the users who may issue documents (``KeyShareRow``). Older stores held a plain PKCS #8 PEM here.
    private_key_pem: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: PEM certificates from the office certificate up to (excluding) the district root, once certified.
    chain_pem: Mapped[str] = mapped_column(Text, default="")


class KeyShareRow(Base):
    """A private key sealed to one user's slot key (X25519): only that user's password opens it.

    Used for keys that only some roles may hold (the office signing key, the office intake key): anyone with
    the database key can read the row, but not the key inside it.
    """

    __tablename__ = "key_shares"
    __table_args__ = (UniqueConstraint("key_kind", "key_id", "login"), Index("ix_key_shares_login", "login"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    key_kind: Mapped[str] = mapped_column(String(32))
    key_id: Mapped[str] = mapped_column(String(36))
    login: Mapped[str] = mapped_column(String(64))
    recipient_public_key: Mapped[str] = mapped_column(String(64))
    sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(64))


# --- kiosk intake (schema 0005) -------------------------------------------------------------------------


class IntakeKeyRow(Base):
    """Desk: the office's X25519 intake key, to which kiosks seal applications.

    Only the public half is here; the private half exists only as ``KeyShareRow`` copies (kind
    ``office_intake``) sealed to the slot keys of the users who work cases.
    """

    __tablename__ = "intake_keys"
    __table_args__ = (UniqueConstraint("fingerprint"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_time_id)
    public_key: Mapped[str] = mapped_column(String(64))
    #: SHA-256 (hex) of the raw public key.
    fingerprint: Mapped[str] = mapped_column(String(64))
    office: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class IntakeInboxRow(Base):
    """Desk: an application sealed at a kiosk, imported still sealed; opened only to list, register or reject."""

    __tablename__ = "intake_inbox"
    __table_args__ = (Index("ix_intake_inbox_status", "status"),)

    application_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    office_key_id: Mapped[str] = mapped_column(String(36), ForeignKey("intake_keys.id"))
    kiosk_device_id: Mapped[str] = mapped_column(String(36))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    #: SHA-256 (hex) of ``sealed``.
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column()
    imported_by: Mapped[str] = mapped_column(String(64))
    #: pending | registered | rejected
    status: Mapped[str] = mapped_column(String(16), default="pending")
    case_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("cases.id"), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(Text, default="")


class KioskOfficeKeyRow(Base):
    """Kiosk: an office's public intake key, from a signed key file the desk exported (no private key)."""

    __tablename__ = "kiosk_office_keys"

    key_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    office: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(Text, default="")
    #: SHA-256 (hex, DER) of the certificate that signed the key file.
    signer_fingerprint: Mapped[str] = mapped_column(String(64))
    #: ``certified`` (chains to a district key) or ``confirmed`` (uncertified; its fingerprint typed by staff).
    trust: Mapped[str] = mapped_column(String(16))
    #: The key file exactly as received (public data only), to show or re-check later.
    key_file: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column()
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class KioskOutboxRow(Base):
    """Kiosk: one sealed application waiting for (or past) export. The kiosk cannot open ``sealed``."""

    __tablename__ = "kiosk_outbox"
    __table_args__ = (UniqueConstraint("number"),)

    application_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(32))
    office_key_id: Mapped[str] = mapped_column(String(36))
    matter_code: Mapped[str] = mapped_column(String(32))
    submitted_at: Mapped[datetime] = mapped_column()
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    #: The receipt as printed: masked only (JSON).
    receipt: Mapped[str] = mapped_column(Text)
    exported_at: Mapped[datetime | None] = mapped_column(default=None)
    exports: Mapped[int] = mapped_column(Integer, default=0)


# --- sync with the district server (schema 0009) -------------------------------------------------------


class SyncState(Base):
    """This device's enrollment with the district server and where its sync stands. One row (``id`` 1).

    ``device_key`` is the device's Ed25519 private key (raw 32 bytes): it exists only inside the encrypted
    store. ``after`` is the pull cursor (the last server_seq applied); ``acked_through`` the highest device_seq
    the server holds with every one before it (the outbox rows up to it are deleted, see outbox.next_device_seq).
    """

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, default=1)
    server_url: Mapped[str] = mapped_column(Text)
    device_key: Mapped[bytes] = mapped_column(LargeBinary)
    unit: Mapped[str] = mapped_column(String(64))
    unit_name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    device_code: Mapped[str] = mapped_column(String(16))
    after: Mapped[int] = mapped_column(Integer, default=0)
    acked_through: Mapped[int] = mapped_column(Integer, default=0)
    #: Server clock minus device clock (seconds), learned from every response; requests are signed with it.
    clock_offset_s: Mapped[float] = mapped_column(Float, default=0.0)
    enrolled_at: Mapped[datetime] = mapped_column()
    last_sync_at: Mapped[datetime | None] = mapped_column(default=None)
    #: The last sync's counts (no personal data).
    last_report: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: The district CA (PEM) pinned at enrollment, or None for the system's trust store.
    ca_pem: Mapped[str | None] = mapped_column(Text, default=None)


class SyncConflict(Base):
    """A field changed on two devices from the same base: both values are kept until someone decides.

    From the server (``origin`` ``server``: its pull pages carry the conflicts it recorded) or found here while
    applying a pulled change (``local``: the desk kept its value). Values may hold personal data.
    """

    __tablename__ = "sync_conflicts"
    __table_args__ = (Index("ix_sync_conflicts_entity_id", "entity", "entity_id"),)

    conflict_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    origin: Mapped[str] = mapped_column(String(8))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    #: The field, or ``*`` when a whole pulled row could not be applied (its fields are in ``server_value``).
    field: Mapped[str] = mapped_column(String(64))
    base_value: Mapped[Any] = mapped_column(JSON, default=None)
    server_value: Mapped[Any] = mapped_column(JSON, default=None)
    client_value: Mapped[Any] = mapped_column(JSON, default=None)
    server_device: Mapped[str] = mapped_column(String(64), default="")
    client_device: Mapped[str] = mapped_column(String(64), default="")
    server_actor: Mapped[str] = mapped_column(String(64), default="")
    client_actor: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[str] = mapped_column(String(64), default="")
    resolution: Mapped[Any] = mapped_column(JSON, default=None)
