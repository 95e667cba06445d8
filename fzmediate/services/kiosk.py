"""The kiosk: a device of its own, with a small encrypted store that never holds a key to the case store.

A kiosk's data directory has the same shape as a desk's (SQLCipher database, key-slot file, lock, back-off
counter) but its store records ``kind=kiosk`` and holds only:

- the catalogue (the bundle shipped with the app, installed as the desk installs it);
- the office's *public* intake key(s), from a signed key file the desk exported (``fzmediate office
  export-key``), checked against the district's roots or, for an uncertified office, against the fingerprint
  staff confirm (``fzmediate.services.office_intake.read_key_file``);
- its outbox of sealed applications.

One slot, ``staff``, opens the store (password from staff; there is no recovery slot: what the store holds is
either public or already sealed, and a forgotten password costs only the applications not yet exported).
A desk's session refuses a kiosk store, and a kiosk refuses a desk store.

An application is validated by the desk's own intake rules (``fzmediate.domain.intake``), encoded as canonical
JSON and *sealed at once* to the office's public key (``fzmediate.security.sealed_box``); only the sealed bytes,
the application id and number, the matter code, the time and the masked receipt are stored. The kiosk holds no
private key that opens them. ``export_applications`` writes them to one file for removable media; the desk
imports it (``fzmediate.services.intake_inbox``).

Exported applications are kept, marked exported (with a count), rather than deleted: they are sealed, so keeping
them costs no privacy, and a lost or damaged stick can be written again (``include_exported``); the desk's
import is idempotent. Pruning after the desk confirms receipt comes with sync.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from cryptography import x509
from filelock import FileLock, Timeout
from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.domain.case import PartyRole
from fzmediate.domain.intake import IntakeError, Problem, validate_intake
from fzmediate.errors import (
    AlreadyInitializedError,
    AuthenticationError,
    BackoffError,
    FzError,
    LockedError,
    NotInitializedError,
    StoreBusyError,
    StoreDamagedError,
    UsageError,
)
from fzmediate.i18n import _
from fzmediate.security import keyslots as ks
from fzmediate.security import sealed_box as box
from fzmediate.security.atomic import atomic_write_bytes
from fzmediate.security.backoff import Backoff
from fzmediate.security.masking import mask_name
from fzmediate.services.office_intake import VerifiedKeyFile, canonical, read_key_file
from fzmediate.services.paths import StorePaths
from fzmediate.services.validation import validate_password

if TYPE_CHECKING:
    from fzmediate.catalogue.model import Bundle
    from fzmediate.services.catalogue import CatalogueService
    from fzmediate.store.database import Database

log = logging.getLogger(__name__)

KIOSK_KIND = "kiosk"
STAFF_LOGIN = "staff"
APPLICATION_FORMAT = "fzmediate-application"
APPLICATION_VERSION = 1
EXPORT_FORMAT = "fzmediate-sealed-applications"
EXPORT_VERSION = 1
#: Legal dates are dates in China (UTC+8 all year).
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class WrongStoreKindError(FzError):
    """A kiosk command on a desk store, or the other way round."""


@dataclass(frozen=True)
class KioskSetup:
    device_id: str
    office: str
    key_id: str
    trust: str


@dataclass(frozen=True)
class Receipt:
    """What the citizen takes home: the application number, the date and masked data only."""

    number: str
    application_id: str
    submitted_at: str
    submitted_on: str
    matter_code: str
    matter_name: str
    office: str
    #: Applicants' names masked (王某), organisations as they are.
    applicants: tuple[str, ...]
    parties: int


@dataclass(frozen=True)
class ExportResult:
    path: Path | None
    count: int


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    exported: int


@dataclass(frozen=True)
class _Actor:
    """The kiosk acts as itself (the catalogue service records who imported a bundle)."""

    login: str = "kiosk"
    role: None = None
    legally_qualified: bool = False
    full_name: str = ""


class KioskDevice:
    """One kiosk data directory before it is opened: set-up and unlock (``open``)."""

    def __init__(self, data_dir: Path, *, kdf: ks.KdfParams = ks.DEFAULT_KDF, clock: Clock = utc_now) -> None:
        self.paths = StorePaths(Path(data_dir))
        self.kdf = kdf
        self.clock = clock
        self.backoff = Backoff(self.paths.attempts, lambda: self.clock().timestamp())

    def is_initialized(self) -> bool:
        return self.paths.slots.exists()

    def _acquire(self) -> FileLock:
        self.paths.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.paths.lock), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise StoreBusyError(
                _("This data directory is open in another fzmediate window or command. Close it and try again.")
            ) from None
        return lock

    def initialize(
        self,
        staff_password: str,
        key_file: bytes,
        *,
        trust_uncertified: str | None = None,
        roots: list[x509.Certificate] | None = None,
    ) -> KioskSetup:
        """Create the kiosk's store with the office's verified public key and the shipped catalogue.

        The key file is checked first: a refused key file leaves no store behind.
        """
        secret = validate_password(staff_password, user_inputs=(STAFF_LOGIN, KIOSK_KIND))
        if self.is_initialized():
            raise AlreadyInitializedError(_("This data directory already holds a store; nothing was changed."))
        verified = read_key_file(key_file, trust_uncertified=trust_uncertified, roots=roots, at=self.clock())
        from fzmediate.store.database import Database
        from fzmediate.store.models import Meta

        lock = self._acquire()
        try:
            leftovers = [p for p in self.paths.db_companions() if p.exists()]
            if leftovers:
                raise AlreadyInitializedError(
                    _("This data directory already holds database files; use an empty directory for a kiosk.")
                )
            store_id = str(uuid.uuid4())
            device_id = str(uuid.uuid4())
            db_key = ks.new_db_key()
            slot = ks.new_slot(store_id, "user", STAFF_LOGIN, secret, db_key, self.kdf)
            db = Database(self.paths.db, bytearray(db_key))
            completed = False
            try:
                db.migrate(self.paths.backups)
                now = self.clock()
                with db.unit_of_work() as s:
                    for key, value in (
                        ("store_id", store_id),
                        ("device_id", device_id),
                        ("created_at", now.isoformat()),
                        ("kind", KIOSK_KIND),
                    ):
                        s.add(Meta(key=key, value=value))
                kiosk = KioskService(self, db, None, {"store_id": store_id, "device_id": device_id})
                kiosk._install_key(verified, action="kiosk.init")
                kiosk.catalogue.ensure_shipped()
                completed = True
            finally:
                db.close()
                if not completed:  # nothing in it yet, and no slot opens it: leave an empty directory
                    for path in self.paths.db_companions():
                        path.unlink(missing_ok=True)
            ks.KeySlotFile(store_id=store_id, slots=(slot,)).save(self.paths.slots)
            ks.wipe(db_key)
        finally:
            lock.release()
        log.info("kiosk store initialized (office key %s, %s)", verified.key_id, verified.trust)
        return KioskSetup(device_id=device_id, office=verified.office, key_id=verified.key_id, trust=verified.trust)

    def open(self, staff_password: str) -> KioskService:
        """Unlock the kiosk store with the staff password (back-off as at the desk)."""
        from fzmediate.store.database import Database
        from fzmediate.store.models import Meta

        if not self.is_initialized():
            raise NotInitializedError(_("No store has been set up in this data directory yet; run the set-up first."))
        slots = ks.KeySlotFile.load(self.paths.slots)
        ticket = self.backoff.reserve(STAFF_LOGIN)
        if ticket.wait > 0:
            raise BackoffError(
                _("Too many failed attempts. Try again in {seconds} seconds.").format(seconds=int(ticket.wait) + 1),
                retry_after=ticket.wait,
            )
        try:
            key = slots.open("user", STAFF_LOGIN, staff_password.encode("utf-8"))
        except AuthenticationError:
            delay = self.backoff.record_failure(STAFF_LOGIN)
            raise AuthenticationError(
                _("Wrong kiosk staff password. The store was not opened."), retry_after=delay
            ) from None
        self.backoff.reset(STAFF_LOGIN)
        lock = self._acquire()
        try:
            Database.probe(self.paths.db, key)
            db = Database(self.paths.db, key)
            try:
                db.migrate(self.paths.backups)
                with db.reader() as s:
                    meta = {m.key: m.value for m in s.scalars(select(Meta))}
                if meta.get("kind") != KIOSK_KIND:
                    raise WrongStoreKindError(
                        _("This data directory holds a desk store, not a kiosk store; kiosk commands do not use it.")
                    )
                if "store_id" not in meta or "device_id" not in meta:
                    raise StoreDamagedError(_("The database lacks its store identity; it is damaged."))
                kiosk = KioskService(self, db, lock, meta)
                kiosk.catalogue.ensure_shipped()  # an app update that ships a newer bundle
            except BaseException:
                db.close()
                raise
        except BaseException:
            lock.release()
            raise
        return kiosk


class KioskService:
    """An open kiosk store: submit applications, export them, read the catalogue. ``lock()`` closes it."""

    def __init__(self, device: KioskDevice, db: Database, lock: FileLock | None, meta: Mapping[str, str]) -> None:
        from fzmediate.services.catalogue import CatalogueService

        self.device = device
        self._db: Database | None = db
        self._lock = lock
        self.actor = _Actor()
        self.store_id = meta["store_id"]
        self.device_id = meta["device_id"]
        # The desk's catalogue service, on this store: it needs read/write/now/actor, which this class provides.
        self.catalogue: CatalogueService = CatalogueService(cast("Any", self))

    # --- plumbing (also what CatalogueService uses) ----------------------------------------------
    @property
    def db(self) -> Database:
        if self._db is None or not self._db.is_open:
            raise LockedError(_("The store is locked. Unlock it to continue."))
        return self._db

    def now(self) -> datetime:
        return self.device.clock()

    def today(self) -> date:
        return self.now().astimezone(CHINA).date()

    @contextmanager
    def read(self) -> Iterator[OrmSession]:
        with self.db.reader() as s:
            yield s

    @contextmanager
    def write(
        self, action: str, object_type: str, object_id: str, details: dict[str, Any] | None = None
    ) -> Iterator[OrmSession]:
        """One transaction with its audit event (the kiosk keeps its own chain of what it did)."""
        from fzmediate.security.audit import append_event

        with self.db.unit_of_work() as s:
            yield s
            append_event(
                s,
                at=self.now(),
                actor=self.actor.login,
                device=self.device_id,
                action=action,
                object_type=object_type,
                object_id=object_id,
                details=details,
            )

    # --- the office key ----------------------------------------------------------------------------
    def _install_key(self, verified: VerifiedKeyFile, *, action: str) -> None:
        from fzmediate.store.models import KioskOfficeKeyRow

        details = {"trust": verified.trust, "signer": verified.signer_fingerprint[:16]}
        with self.write(action, "office_key", verified.key_id, details) as s:
            for other in s.scalars(select(KioskOfficeKeyRow).where(KioskOfficeKeyRow.active.is_(True))):
                other.active = False
            row = s.get(KioskOfficeKeyRow, verified.key_id)
            if row is None:
                row = KioskOfficeKeyRow(
                    key_id=verified.key_id,
                    public_key=box.b64(verified.public_key),
                    office=verified.office,
                    unit=verified.unit,
                    signer_fingerprint=verified.signer_fingerprint,
                    trust=verified.trust,
                    key_file=verified.raw,
                    imported_at=self.now().astimezone(UTC).replace(tzinfo=None),
                    active=True,
                )
                s.add(row)
            row.active = True

    def replace_office_key(
        self, key_file: bytes, *, trust_uncertified: str | None = None, roots: list[x509.Certificate] | None = None
    ) -> VerifiedKeyFile:
        """Install a newer office key file (a rotated key); new applications are sealed to it."""
        verified = read_key_file(key_file, trust_uncertified=trust_uncertified, roots=roots, at=self.now())
        self._install_key(verified, action="kiosk.office_key")
        return verified

    def _office_key(self, s: OrmSession) -> tuple[str, bytes, str]:
        from fzmediate.store.models import KioskOfficeKeyRow

        row = s.scalars(select(KioskOfficeKeyRow).where(KioskOfficeKeyRow.active.is_(True))).first()
        if row is None:
            raise StoreDamagedError(_("The kiosk holds no office key; set it up again with the office's key file."))
        return row.key_id, box.unb64(row.public_key), row.office

    def office_name(self) -> str:
        """The office this kiosk's applications are sealed to (from its installed key file): the one that
        receives them, named in the privacy notice and on the receipt."""
        with self.read() as s:
            return self._office_key(s)[2]

    # --- applications --------------------------------------------------------------------------------
    def matters(self) -> list[tuple[str, str]]:
        """(code, name) of the matters an application can be filed for."""
        return [(m.code, m.name) for m in self.catalogue.active().matters]

    def submit_application(self, intake: Mapping[str, Any]) -> Receipt:
        """Validate an application, seal it to the office at once, keep only the sealed bytes; return the receipt.

        Raises IntakeError (every problem, by field path) and stores nothing when anything is invalid. The
        received date is today (China): the public cannot backdate an application.
        """
        today = self.today()
        data = dict(intake)
        if data.get("received_on") in (None, ""):
            data["received_on"] = today.isoformat()
        catalogue: Bundle = self.catalogue.active()
        parsed = validate_intake(data, catalogue=catalogue, today=today)
        if parsed.received_on != today:
            raise IntakeError(
                [Problem("received_on", _("received_on: an application filed at a kiosk is received today"))]
            )
        matter = catalogue.matter(parsed.matter_code)
        now = self.now().astimezone(UTC)
        from fzmediate.store.models import KioskOutboxRow, new_time_id

        application_id = new_time_id(int(now.timestamp() * 1000))
        with self.write("kiosk.submit", "application", application_id, {"matter": parsed.matter_code}) as s:
            key_id, public, office = self._office_key(s)
            number = self._next_number(s, today)
            envelope = {
                "format": APPLICATION_FORMAT,
                "version": APPLICATION_VERSION,
                "application_id": application_id,
                "number": number,
                "office_key_id": key_id,
                "kiosk_device_id": self.device_id,
                "submitted_at": now.isoformat(timespec="seconds"),
                "intake": data,
            }
            sealed = box.seal(public, canonical(envelope))
            receipt = Receipt(
                number=number,
                application_id=application_id,
                submitted_at=now.isoformat(timespec="seconds"),
                submitted_on=today.isoformat(),
                matter_code=parsed.matter_code,
                matter_name=matter.name if matter is not None else parsed.matter_code,
                office=office,
                applicants=tuple(mask_name(p.name) for p in parsed.parties if p.role is PartyRole.APPLICANT),
                parties=len(parsed.parties),
            )
            s.add(
                KioskOutboxRow(
                    application_id=application_id,
                    number=number,
                    office_key_id=key_id,
                    matter_code=parsed.matter_code,
                    submitted_at=now.replace(tzinfo=None),
                    sealed=sealed,
                    sha256=hashlib.sha256(sealed).hexdigest(),
                    receipt=json.dumps(asdict(receipt), ensure_ascii=False, sort_keys=True),
                    exports=0,
                )
            )
        log.info("application %s sealed (matter %s)", number, parsed.matter_code)
        return receipt

    def _next_number(self, s: OrmSession, today: date) -> str:
        from fzmediate.store.models import KioskOutboxRow

        prefix = "{0}-{1:%Y%m%d}-".format(self.device_id.replace("-", "")[:6].upper(), today)
        used = s.scalar(
            select(func.count()).select_from(KioskOutboxRow).where(KioskOutboxRow.number.startswith(prefix))
        )
        return "{0}{1:04d}".format(prefix, int(used or 0) + 1)

    def receipt(self, number: str) -> Receipt:
        """A receipt again (to reprint it): masked data only, as it was printed."""
        from fzmediate.errors import NotFoundError
        from fzmediate.store.models import KioskOutboxRow

        with self.read() as s:
            row = s.scalars(select(KioskOutboxRow).where(KioskOutboxRow.number == number.strip())).first()
            if row is None:
                raise NotFoundError(_("No application with this number on this kiosk."))
            fields = json.loads(row.receipt)
        fields["applicants"] = tuple(fields["applicants"])
        return Receipt(**fields)

    def status(self) -> OutboxStatus:
        from fzmediate.store.models import KioskOutboxRow

        with self.read() as s:
            pending = s.scalar(
                select(func.count()).select_from(KioskOutboxRow).where(KioskOutboxRow.exported_at.is_(None))
            )
            total = s.scalar(select(func.count()).select_from(KioskOutboxRow))
        return OutboxStatus(pending=int(pending or 0), exported=int(total or 0) - int(pending or 0))

    # --- export --------------------------------------------------------------------------------------
    def export_applications(self, out: Path, *, include_exported: bool = False) -> ExportResult:
        """Write the applications waiting for export (or all, with ``include_exported``) to ``out`` (0600).

        The file is written first and the rows marked afterwards: a crash in between leaves them pending, so
        they are exported again, which the desk's import takes without duplicates. Nothing to export: no file.
        """
        from fzmediate.store.models import KioskOutboxRow

        with self.read() as s:
            q = select(KioskOutboxRow).order_by(KioskOutboxRow.application_id)
            if not include_exported:
                q = q.where(KioskOutboxRow.exported_at.is_(None))
            rows = [(r.application_id, r.office_key_id, r.sealed, r.sha256) for r in s.scalars(q)]
        if not rows:
            return ExportResult(None, 0)
        now = self.now().astimezone(UTC)
        body = {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "kiosk_device_id": self.device_id,
            "exported_at": now.isoformat(timespec="seconds"),
            "applications": [
                {"application_id": a, "office_key_id": k, "sealed": box.b64(sealed), "sha256": digest}
                for a, k, sealed, digest in rows
            ],
        }
        try:
            atomic_write_bytes(out, json.dumps(body, indent=1, sort_keys=True).encode("ascii"), mode=0o600)
        except OSError as exc:
            raise UsageError(_("Cannot write {name}: {problem}").format(name=out.name, problem=exc.strerror)) from None
        ids = [r[0] for r in rows]
        with self.write("kiosk.export", "application", "*", {"applications": len(ids)}) as s:
            for row in s.scalars(select(KioskOutboxRow).where(KioskOutboxRow.application_id.in_(ids))):
                row.exported_at = now.replace(tzinfo=None)
                row.exports += 1
        log.info("%d sealed applications exported", len(ids))
        return ExportResult(out, len(ids))

    # --- locking -------------------------------------------------------------------------------------
    def lock(self) -> None:
        """Close the store and wipe its key; safe to call twice."""
        if self._db is None:
            return
        db, self._db = self._db, None
        try:
            db.close()
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def __enter__(self) -> KioskService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()
