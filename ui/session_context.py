"""The unlocked session as the UI sees it: the one holder of the ``Session`` reference.

Screens never keep the session; they call ``ctx.run(lambda session, token: …)``, which runs on the DB
worker. ``close()`` drops the reference and queues ``session.lock()`` on the DB worker, so work already
queued finishes first and anything asked afterwards fails with ``LockedError``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from fzmediate.errors import LockedError
from fzmediate.i18n import _
from ui.ops import CancelToken, OpHandle, Ops, log_failure

if TYPE_CHECKING:
    # Only for annotations: the store (SQLAlchemy, Alembic) loads when it is first opened, not at start-up.
    from fzmediate.services.session import Actor, Session

log = logging.getLogger(__name__)

T = TypeVar("T")


class SessionContext:
    def __init__(self, ops: Ops, session: Session) -> None:
        self._ops = ops
        self._session: Session | None = session
        #: Who is signed in. Immutable, so it is safe to read on the GUI thread.
        self.actor: Actor = session.actor
        #: Problems the unlock found that did not stop this user (e.g. another user's unsigned role): plain
        #: strings copied once, for administrators to see.
        self.trust_warnings: tuple[str, ...] = tuple(session.trust_warnings)

    @property
    def active(self) -> bool:
        return self._session is not None

    def run(self, fn: Callable[[Session, CancelToken], T], **callbacks: Any) -> OpHandle[T]:
        """Run ``fn(session, token)`` on the DB worker (callbacks as for ``Ops.run_db``)."""
        session = self._session

        def work(token: CancelToken) -> T:
            if session is None:
                raise LockedError(_("The store is locked. Unlock it to continue."))
            return fn(session, token)

        # What the operation's writes changed is broadcast once, on the GUI thread (Ops.changed).
        changes = session.take_changes if session is not None else None
        return self._ops.run_db(work, changes=changes, **callbacks)

    def close(self, on_done: Callable[[], None] | None = None) -> OpHandle[None] | None:
        """Forget the session and lock it on the DB worker. Idempotent; ``on_done`` runs on the GUI thread."""
        session, self._session = self._session, None
        if session is None:
            return None

        def lock(token: CancelToken) -> None:
            session.lock()

        def done(_result: None) -> None:
            log.info("store locked")
            if on_done is not None:
                on_done()

        def failed(exc: BaseException) -> None:
            log_failure(exc)
            if on_done is not None:
                on_done()

        # The job's closure holds the last reference; the worker drops it once the lock has run.
        return self._ops.run_db(lock, on_success=done, on_failure=failed)
