"""An unlocked store bound to the acting user: the door to every service.

Every state-changing call goes through ``Session.write``: one transaction that holds the change and its
audit event, so the log never misses a change and never records one that rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from filelock import FileLock
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.errors import AuthenticationError, LockedError, PermissionDenied, StoreDamagedError
from fzmediate.i18n import _
from fzmediate.security.audit import append_event
from fzmediate.security.keyslots import RECOVERY_LOGIN
from fzmediate.security.roles import Permission, Role, allows
from fzmediate.store.database import Database
from fzmediate.store.models import Meta, User

if TYPE_CHECKING:
    from fzmediate.services.cases import CaseService
    from fzmediate.services.catalogue import CatalogueService
    from fzmediate.services.documents import DocumentService
    from fzmediate.services.maintenance import MaintenanceService
    from fzmediate.services.users import UserService
    from fzmediate.services.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """Who acts: a user, or the recovery code (which may only reset a password)."""

    login: str
    role: Role | None
    legally_qualified: bool
    full_name: str = ""


class Session:
    def __init__(self, workspace: Workspace, db: Database, lock: FileLock, actor: Actor, meta: dict[str, str]) -> None:
        self.workspace = workspace
        self._db: Database | None = db
        self._lock: FileLock | None = lock
        self.actor = actor
        self.store_id = meta["store_id"]
        self.device_id = meta["device_id"]
        from fzmediate.services.cases import CaseService
        from fzmediate.services.catalogue import CatalogueService
        from fzmediate.services.maintenance import MaintenanceService
        from fzmediate.services.users import UserService

        self.users: UserService = UserService(self)
        self.maintenance: MaintenanceService = MaintenanceService(self)
        self.catalogue: CatalogueService = CatalogueService(self)
        self.cases: CaseService = CaseService(self)
        self._documents: DocumentService | None = None

    @classmethod
    def open(
        cls, workspace: Workspace, db: Database, lock: FileLock, login: str, *, failures_before: int = 0
    ) -> Session:
        with db.reader() as s:
            meta = {m.key: m.value for m in s.scalars(select(Meta))}
            if "store_id" not in meta or "device_id" not in meta:
                raise StoreDamagedError(_("The database lacks its store identity; it is damaged."))
            if login == RECOVERY_LOGIN:
                actor = Actor(login, None, False)
            else:
                user = s.scalars(select(User).where(User.login == login)).one_or_none()
                if user is None or not user.active:
                    raise AuthenticationError(_("Wrong user name or password. The database was not opened."))
                actor = Actor(user.login, Role(user.role), user.legally_qualified, user.full_name)
        session = cls(workspace, db, lock, actor, meta)
        session.users.complete_pending_removals()
        if actor.role is not None:
            with session.write("session.unlock", "user", login, {"failed_attempts_before": failures_before}):
                pass
            session.catalogue.ensure_shipped()  # first unlock, or an app update that ships a newer bundle
        return session

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
        if self.actor.role is None or not allows(self.actor.role, permission):
            raise PermissionDenied(
                _("Your role does not allow this operation ({permission}).").format(permission=permission.value)
            )

    @contextmanager
    def write(
        self, action: str, object_type: str, object_id: str, details: dict[str, Any] | None = None
    ) -> Iterator[OrmSession]:
        """A unit of work whose audit event is appended in the same transaction, at commit."""
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
            if db.is_open and self.actor.role is not None:
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
                        )
                except Exception:  # locking must never fail because the last audit write did
                    log.exception("could not record the lock event")
        finally:
            db.close()
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()
