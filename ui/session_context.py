"""The unlocked session as the UI sees it: the one holder of the ``Session`` reference.

Screens never keep the session. They call ``ctx.call(fn, *args, on_success=…)``: ``fn`` is a module-level
function of :mod:`fzmediate.desk` taking ``(session, token, *args)``; it runs on the DB worker and returns a
DTO. Functions, arguments, results and errors must all be picklable, because in the desk app the store runs
in a worker *process* that ends on lock, so no key copy stays in the GUI process: that form is
:class:`ui.store_process.ProcessSessionContext`, a subclass with the same interface. This class is the
in-thread form (tests, the CLI-like tools): ``call`` checks picklability all the same, so a screen that would
break across the process boundary fails in its tests. ``ctx.run`` (a closure) is the older form, kept for the
few callers not yet moved; it works in the in-thread form only. ``close()`` drops the reference and queues
``session.lock()`` on the DB worker, so work already queued finishes first and anything asked afterwards
fails with ``LockedError``.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from fzmediate.catalogue.localize import localize_tree
from fzmediate.errors import LockedError
from fzmediate.i18n import _
from fzmediate.security.permissions import Decision, may
from ui.ops import CancelToken, OpHandle, Ops, log_failure

if TYPE_CHECKING:
    # Only for annotations: the store (SQLAlchemy, Alembic) loads when it is first opened, not at start-up.
    from fzmediate.services.session import Actor, Session

log = logging.getLogger(__name__)

T = TypeVar("T")


class SessionContext:
    def __init__(self, ops: Ops, session: Session) -> None:
        self._bind(ops, session.actor, tuple(session.trust_warnings))
        self._session: Session | None = session

    def _bind(self, ops: Ops, actor: Actor, trust_warnings: tuple[str, ...]) -> None:
        """What every form of the context knows on the GUI thread (shared with ProcessSessionContext)."""
        self._ops = ops
        #: Who is signed in. Immutable, so it is safe to read on the GUI thread.
        self.actor: Actor = actor
        #: Problems the unlock found that did not stop this user (e.g. another user's unsigned role): plain
        #: strings copied once, for administrators to see.
        self.trust_warnings: tuple[str, ...] = trust_warnings

    @property
    def active(self) -> bool:
        return self._session is not None

    def may(self, action: str) -> Decision:
        """May the signed-in user do ``action`` at all (by role; case-specific answers come from the store)."""
        return may(self.actor, action)

    @property
    def ops(self) -> Ops:
        """The operation helper (its ``changed`` signal is what screens refresh from)."""
        return self._ops

    def call(self, fn: Callable[..., T], *args: Any, **callbacks: Any) -> OpHandle[T]:
        """Run ``fn(session, token, *args)`` on the DB worker; callbacks as for ``Ops.run_db``.

        ``fn`` must be a module-level function (importable by name) and ``args``, the result and any error
        picklable: they will cross a process boundary. Checked here, so a violation fails loudly in tests.
        """
        check_picklable(fn, args)
        session = self._session

        def work(token: CancelToken) -> T:
            if session is None:
                raise LockedError(_("The store is locked. Unlock it to continue."))
            result = fn(session, token, *args)
            check_picklable(result)
            # Catalogue wording in the screen's script (繁體 on a zh_TW desk), here on the worker thread.
            shown: T = localize_tree(result)
            return shown

        changes = session.take_changes if session is not None else None
        return self._ops.run_db(work, changes=changes, **callbacks)

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
        # The job's closure holds the last reference; the worker drops it once the lock has run.
        return self._lock_on_worker(session.lock, on_done)

    def _lock_on_worker(self, lock: Callable[[], None], on_done: Callable[[], None] | None) -> OpHandle[None]:
        """Run ``lock()`` on the DB worker; ``on_done`` runs on the GUI thread whether or not it succeeded."""

        def work(token: CancelToken) -> None:
            lock()

        def done(_result: None) -> None:
            log.info("store locked")
            if on_done is not None:
                on_done()

        def failed(exc: BaseException) -> None:
            log_failure(exc)
            if on_done is not None:
                on_done()

        return self._ops.run_db(work, on_success=done, on_failure=failed)


def check_picklable(*values: object) -> None:
    """Raise TypeError naming the value's type when it could not cross to the store's worker process."""
    for value in values:
        try:
            pickle.loads(pickle.dumps(value))
        except Exception as exc:  # pickling raises many types (PicklingError, AttributeError, TypeError)
            raise TypeError(
                "cannot cross the store process boundary: {0} ({1})".format(type(value).__name__, type(exc).__name__)
            ) from None
