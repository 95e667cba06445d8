"""An unlocked store bound to the acting user: the door to every service.

Every state-changing call goes through ``Session.write``: one transaction that holds the change and its
audit event, so the log never misses a change and never records one that rolled back. What each committed
write changed is gathered for ``take_changes`` (the screens refresh from it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from filelock import FileLock
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.errors import AuthenticationError, LockedError, StoreDamagedError
from fzmediate.i18n import _
from fzmediate.security.audit import append_event
from fzmediate.security.keyslots import RECOVERY_LOGIN, SlotKeys
from fzmediate.security.permissions import Permission, may
from fzmediate.services.dto import Actor as Actor
from fzmediate.store.database import Database
from fzmediate.store.models import Meta, User
from fzmediate.store.outbox import NO_CHANGES, OpChanges, collected, track_writes

if TYPE_CHECKING:
    from fzmediate.services.cases import CaseService
    from fzmediate.services.catalogue import CatalogueService
    from fzmediate.services.documents import DocumentService
    from fzmediate.services.maintenance import MaintenanceService
    from fzmediate.services.users import UserService
    from fzmediate.services.workspace import Workspace

log = logging.getLogger(__name__)


class Session:
    def __init__(
        self,
        workspace: Workspace,
        db: Database,
        lock: FileLock,
        actor: Actor,
        meta: dict[str, str],
        keys: SlotKeys | None = None,
    ) -> None:
        self.workspace = workspace
        self._db: Database | None = db
        self._lock: FileLock | None = lock
        self.actor = actor
        self.store_id = meta["store_id"]
        self.device_id = meta["device_id"]
        # The slot's X25519 key opens key shares (office keys); the Ed25519 key signs this user's audit events.
        self._slot_private: bytes | None = keys.slot_private if keys is not None else None
        self._signing: Ed25519PrivateKey | None = (
            Ed25519PrivateKey.from_private_bytes(keys.signing_private)
            if keys is not None and keys.signing_private is not None
            else None
        )
        #: Problems found at unlock that do not stop this user (e.g. another user's unsigned role): shown to
        #: administrators; ``check`` lists them all.
        self.trust_warnings: list[str] = []
        #: Set when the store was opened for inspection despite integrity problems: nothing may be written.
        self.tampered: tuple[str, ...] = ()
        from fzmediate.services.cases import CaseService
        from fzmediate.services.catalogue import CatalogueService
        from fzmediate.services.maintenance import MaintenanceService
        from fzmediate.services.organisation import OrganisationService
        from fzmediate.services.users import UserService

        self.users: UserService = UserService(self)
        self.maintenance: MaintenanceService = MaintenanceService(self)
        self.catalogue: CatalogueService = CatalogueService(self)
        self.cases: CaseService = CaseService(self)
        self.organisation: OrganisationService = OrganisationService(self)
        self._documents: DocumentService | None = None
        #: What the committed writes changed since ``take_changes`` last asked.
        self._changes: OpChanges = NO_CHANGES

    @classmethod
    def open(
        cls,
        workspace: Workspace,
        db: Database,
        lock: FileLock,
        login: str,
        keys: SlotKeys | None = None,
        *,
        failures_before: int = 0,
        inspect: bool = False,
    ) -> Session:
        """Open the store as ``login`` and establish what its signatures support (``services/store_trust.py``).

        ``inspect`` opens a store whose audit chain or genesis fails verification, read-only, so that ``check``
        can name the problems; otherwise such a store is refused.
        """
        with db.reader() as s:
            meta = {m.key: m.value for m in s.scalars(select(Meta))}
            if "store_id" not in meta or "device_id" not in meta:
                raise StoreDamagedError(_("The database lacks its store identity; it is damaged."))
            if meta.get("kind") == "kiosk":  # a kiosk's own store: no desk service may use it
                from fzmediate.services.kiosk import WrongStoreKindError

                raise WrongStoreKindError(
                    _("This data directory holds a kiosk store, not a desk store; desk commands do not use it.")
                )
            if login == RECOVERY_LOGIN:
                actor = Actor(login, None, False)
            else:
                user = s.scalars(select(User).where(User.login == login)).one_or_none()
                if user is None or not user.active:
                    raise AuthenticationError(_("Wrong user name or password. The database was not opened."))
                # No role until a signed grant says which (``_establish_trust``).
                actor = Actor(user.login, None, False, user.full_name)
        session = cls(workspace, db, lock, actor, meta, keys)
        from fzmediate.services.unlock_trust import establish_trust

        establish_trust(session, inspect=inspect)
        session.users.complete_pending_removals()
        if session.actor.role is not None and not session.tampered:
            with session.write("session.unlock", "user", login, {"failed_attempts_before": failures_before}):
                pass
            from fzmediate.services.unlock_trust import after_unlock

            after_unlock(session)
            session.catalogue.ensure_shipped()  # first unlock, or an app update that ships a newer bundle
        return session

    # --- keys of the acting user ---------------------------------------------------------------
    @property
    def signing_key(self) -> Ed25519PrivateKey:
        if self._signing is None:
            raise LockedError(_("The store is locked. Unlock it to continue."))
        return self._signing

    @property
    def slot_private_raw(self) -> bytes:
        """The acting slot's X25519 private key (raw): opens the key shares sealed to this user."""
        if self._slot_private is None or self._db is None:
            raise LockedError(_("The store is locked. Unlock it to continue."))
        return self._slot_private

    @property
    def slot_private_key(self) -> X25519PrivateKey:
        return X25519PrivateKey.from_private_bytes(self.slot_private_raw)

    @property
    def documents(self) -> DocumentService:
        """Documents of cases; created on first use (ReportLab, pikepdf and pyHanko load only then)."""
        if self._documents is None:
            from fzmediate.services.documents import DocumentService

            self._documents = DocumentService(self)
        return self._documents

    # --- plumbing for the services -------------------------------------------------------------
    @property
    def db(self) -> Database:
        if self._db is None or not self._db.is_open:
            raise LockedError(_("The store is locked. Unlock it to continue."))
        return self._db

    @property
    def locked(self) -> bool:
        return self._db is None

    def now(self) -> datetime:
        return self.workspace.clock()

    def require(self, permission: Permission) -> None:
        may(self, permission.value).require()

    @contextmanager
    def write(
        self, action: str, object_type: str, object_id: str, details: dict[str, Any] | None = None
    ) -> Iterator[OrmSession]:
        """A unit of work whose audit event is appended in the same transaction, at commit."""
        if self.tampered:
            raise StoreDamagedError(
                _("The store failed its integrity checks and is open for inspection only; nothing was changed.")
            )
        with self.db.unit_of_work() as s:
            track_writes(s)
            yield s
            s.flush()  # what the work wrote, before the audit event (which changes no entity) is added
            changed = collected(s)
            append_event(
                s,
                at=self.now(),
                actor=self.actor.login,
                device=self.device_id,
                action=action,
                object_type=object_type,
                object_id=object_id,
                details=details,
                signer=self._signing,
            )
        self._changes = self._changes | changed  # only once committed: a rolled-back write changed nothing

    def take_changes(self) -> OpChanges:
        """What the writes since the last call changed (case ids, entity kinds), and forget it: the UI's
        operation helper asks after each operation and tells the screens (``ui/ops.py`` ``changed``)."""
        changes, self._changes = self._changes, NO_CHANGES
        return changes

    @contextmanager
    def read(self) -> Iterator[OrmSession]:
        with self.db.reader() as s:
            yield s

    # --- locking ---------------------------------------------------------------------------------
    def lock(self) -> None:
        """Close every connection, wipe the key, release the data directory. Safe to call twice."""
        if self._db is None:
            return
        db, self._db = self._db, None
        try:
            if db.is_open and self.actor.role is not None and not self.tampered:
                try:
                    with db.unit_of_work() as s:
                        append_event(
                            s,
                            at=self.now(),
                            actor=self.actor.login,
                            device=self.device_id,
                            action="session.lock",
                            object_type="user",
                            object_id=self.actor.login,
                            signer=self._signing,
                        )
                except Exception:  # locking must never fail because the last audit write did
                    log.exception("could not record the lock event")
        finally:
            db.close()
            self._signing = None
            self._slot_private = None
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()
