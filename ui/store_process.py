"""The store in a worker process, parent side: the GUI process never holds the database key.

:class:`StoreProcess` is one spawned process running :func:`fzmediate.desk.store_host.serve`, and its pipe.
:class:`StoreLauncher` keeps one started ahead while the unlock screen shows (the child warms the store's
imports meanwhile), so pressing Unlock waits only for the key derivation. After a successful unlock the
process belongs to a :class:`ProcessSessionContext`, which has exactly the interface of
:class:`~ui.session_context.SessionContext` (it is a subclass): ``ctx.call(fn, *args, …)`` queues, on the DB
worker, a job that sends the request and waits there for the reply. So Ops keeps its ordering, callbacks
still arrive on the GUI thread, progress and cancellation cross the pipe, and what a write changed comes back
with the reply for the ``changed`` broadcast. ``close()`` queues the lock: the child locks the session (wiping
the key) and ends; the next unlock uses a fresh process.

If the process dies (a crash, ``kill -9``), the context notices within a fraction of a second (a timer
on the GUI thread looks at the process's sentinel: one zero-timeout wait, on Windows as on Linux) and calls
its ``on_ended`` with a message, and a call in flight fails with :class:`StoreProcessEnded` (a ``LockedError``).

Every exchange on the pipe runs on the DB worker thread (one at a time); the GUI thread only starts
processes and watches their sentinels.
"""

from __future__ import annotations

import itertools
import logging
import logging.handlers
import multiprocessing
import pickle
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from PySide6.QtCore import QTimer

from fzmediate.catalogue.localize import localize_tree
from fzmediate.desk.store_host import (
    Env,
    HostSpec,
    Opened,
    RemoteFailure,
    StoreProcessEnded,
    decode_error,
    serve,
)
from fzmediate.errors import LockedError
from fzmediate.i18n import _, current_locale
from ui.ops import Cancelled, CancelToken, OpHandle, Ops, log_failure
from ui.session_context import SessionContext, check_picklable

if TYPE_CHECKING:
    from fzmediate.services.workspace import Workspace
    from fzmediate.store.changes import OpChanges

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How long a lock may take before the process is terminated (seconds).
STOP_TIMEOUT_S = 5.0
#: How often a waiting call looks whether it was cancelled (seconds; a reply wakes it at once).
CANCEL_POLL_S = 0.05
#: How often the GUI thread looks whether the store process is still there (milliseconds).
WATCH_MS = 300


def ended_message() -> str:
    return _("The store process ended unexpectedly. Unlock again to continue.")


def spec_for(workspace: Workspace) -> HostSpec:
    """The spec of a store process for ``workspace``: its directory, KDF cost and clock, the UI locale, and the
    directory of the masked log file this process writes (if any)."""
    spec = HostSpec(
        Path(workspace.paths.root), workspace.kdf, workspace.clock, current_locale(), log_dir=_current_log_dir()
    )
    check_picklable(spec)
    return spec


def _current_log_dir() -> Path | None:
    from fzmediate.security.masking import PiiRedactingFilter

    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler) and any(
            isinstance(f, PiiRedactingFilter) for f in handler.filters
        ):
            return Path(handler.baseFilename).parent
    return None


class StoreProcess:
    """One store process. ``unlock``, ``call`` and ``stop`` block: run them on the DB worker only."""

    def __init__(self, spec: HostSpec) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a process that runs Qt and threads
        self._conn, child = context.Pipe(duplex=True)
        self._process = context.Process(target=serve, args=(child, spec), name="fzmediate-store", daemon=True)
        self._process.start()
        child.close()
        self._clock = spec.clock
        self._ids = itertools.count(1)
        self._stopped = False
        #: An unlock succeeded: the process holds a session (and the key) until it is asked to lock.
        self._holds_session = False

    # --- state (any thread) ------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def sentinel(self) -> int:
        """A file descriptor that becomes readable when the process has ended."""
        return self._process.sentinel

    @property
    def alive(self) -> bool:
        return not self._stopped and not wait([self._process.sentinel], 0)

    # --- requests (DB worker) ------------------------------------------------------------------------
    def unlock(self, login: str, password: str) -> Opened:
        """Open the store in the process; its actor and trust warnings, or the unlock's error."""
        self._send("unlock", 0, (self._env(), login, password))
        message = self._receive(None, 0)
        if message[0] == "unlocked":
            self._holds_session = True
            opened: Opened = message[1]
            return opened
        raise decode_error(message[2])

    def call(self, fn: Callable[..., T], args: tuple[Any, ...], token: CancelToken, changes: list[OpChanges]) -> T:
        """Run ``fn(session, token, *args)`` in the process. What its writes changed is appended to ``changes``
        (failed and cancelled calls too: what committed is stored)."""
        call_id = next(self._ids)
        self._send("call", call_id, (self._env(), fn, args))
        message = self._receive(token, call_id)
        if message[-1] is not None:
            changes.append(message[-1])
        if message[0] == "done":
            result: T = message[2]
            return result
        if message[0] == "cancelled":
            raise Cancelled()
        raise decode_error(message[2])

    def gate_call(self, fn: Callable[..., T], args: tuple[Any, ...], token: CancelToken) -> T:
        """Run ``fn(workspace, *args)`` (a function of :mod:`fzmediate.desk.gate`) in the process."""
        call_id = next(self._ids)
        self._send("gate", call_id, (self._env(), fn, args))
        message = self._receive(token, call_id)
        if message[0] == "done":
            result: T = message[2]
            return result
        raise decode_error(message[2])

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Lock the session (if any) and end the process; terminate it if it does not end in time. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if not self._holds_session:
            # Nothing to lock (it may still be warming its imports): end it now rather than wait for it.
            self._process.terminate()
            self._process.join(timeout)
            self._conn.close()
            return
        deadline = time.monotonic() + timeout
        try:
            self._conn.send(("lock", 0, b""))
            while True:
                ready = wait([self._conn, self._process.sentinel], max(0.0, deadline - time.monotonic()))
                if self._conn in ready:
                    if self._conn.recv()[0] == "locked":
                        break
                elif ready or time.monotonic() >= deadline:
                    break
        except Exception:  # already gone (nothing is left to lock), or a reply this process cannot read
            log.info("the store process did not confirm the lock")
        self._process.join(max(0.1, deadline - time.monotonic()))
        if self._process.is_alive():
            log.error("the store process did not end in time; terminating it")
            self._process.terminate()
            self._process.join(1.0)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(1.0)
        self._conn.close()

    # --- the pipe ------------------------------------------------------------------------------------
    def _env(self) -> Env:
        return (current_locale(), self._clock)

    def _ended(self) -> NoReturn:
        raise StoreProcessEnded(ended_message())

    def _send(self, kind: str, call_id: int, body: object) -> None:
        if self._stopped:
            raise LockedError(_("The store is locked. Unlock it to continue."))
        data = pickle.dumps(body)
        try:
            self._conn.send((kind, call_id, data))
        except (OSError, ValueError):
            self._ended()

    def _receive(self, token: CancelToken | None, call_id: int) -> tuple[Any, ...]:
        """Wait for the final reply to ``call_id``, passing progress on and a cancel across."""
        cancel_sent = False
        while True:
            if token is not None and token.cancelled and not cancel_sent:
                self._send("cancel", call_id, None)
                cancel_sent = True
            ready = wait([self._conn, self._process.sentinel], CANCEL_POLL_S)
            if self._conn in ready:
                try:
                    message: tuple[Any, ...] = self._conn.recv()
                except (EOFError, OSError):
                    self._ended()
                except Exception as exc:  # a reply this process cannot read (a class it cannot import)
                    raise RemoteFailure(type(exc).__name__) from None
                if message[0] == "progress":
                    if token is not None and message[1] == call_id:
                        token.report(message[2], message[3], message[4])
                    continue
                if message[0] != "unlocked" and message[1] != call_id:
                    log.warning("a stale reply from the store process was dropped")
                    continue
                return message
            if ready:  # only the sentinel: the process has ended without answering
                self._ended()


class StoreLauncher:
    """Keeps one store process started ahead while the store is locked, so unlocking need not wait for it."""

    def __init__(self, ops: Ops, spec: Callable[[], HostSpec]) -> None:
        self._ops = ops
        self._spec = spec
        self._ready: StoreProcess | None = None

    def prestart(self) -> StoreProcess:
        """The process started ahead, starting one if there is none (or it has died)."""
        ready = self._ready
        if ready is None or not ready.alive:
            self._ready = StoreProcess(self._spec())
            if ready is not None:
                self._dispose(ready)
        assert self._ready is not None
        return self._ready

    def hand_over(self, store: StoreProcess) -> None:
        """``store`` now holds a session (its context will end it): the next prestart starts a fresh one."""
        if self._ready is store:
            self._ready = None

    def shutdown(self) -> None:
        """End the process started ahead (after the work already queued on the DB worker)."""
        ready, self._ready = self._ready, None
        if ready is not None:
            self._dispose(ready)

    def _dispose(self, store: StoreProcess) -> None:
        def stop(token: CancelToken) -> None:
            store.stop()

        try:
            self._ops.run_db(stop, on_failure=log_failure)
        except RuntimeError:  # the DB worker is shut down already: nothing else uses the pipe
            store.stop()


def run_gate(
    ops: Ops, launcher: StoreLauncher | None, workspace: Workspace, fn: Callable[..., T], *args: Any, **callbacks: Any
) -> OpHandle[T]:
    """Run ``fn(workspace, *args)`` (a function of :mod:`fzmediate.desk.gate`) on the DB worker: in the store
    process started ahead when there is a ``launcher``, else here (the in-thread form tests use); callbacks as
    for ``Ops.run_db``. Call on the GUI thread."""
    if launcher is None:

        def here(token: CancelToken) -> T:
            return fn(workspace, *args)

        return ops.run_db(here, **callbacks)
    check_picklable(fn, args)
    store = launcher.prestart()

    def there(token: CancelToken) -> T:
        return store.gate_call(fn, args, token)

    return ops.run_db(there, **callbacks)


class ProcessSessionContext(SessionContext):
    """The session context whose session lives in a store process (same interface as SessionContext)."""

    def __init__(
        self, ops: Ops, store: StoreProcess, opened: Opened, on_ended: Callable[[str], None] | None = None
    ) -> None:
        self._bind(ops, opened.actor, tuple(opened.trust_warnings))
        self._session = None  # never here: that is the point
        self._store: StoreProcess | None = store
        #: Called on the GUI thread with a message when the process ends unexpectedly.
        self.on_ended = on_ended
        # Owned by Ops (GUI thread): never deleted by a collector running on another thread.
        self._watch: QTimer | None = QTimer(ops)
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self._look)
        self._watch.start()

    @property
    def active(self) -> bool:
        return self._store is not None

    @property
    def pid(self) -> int | None:
        """The store process's id (None once closed)."""
        return self._store.pid if self._store is not None else None

    def call(self, fn: Callable[..., T], *args: Any, **callbacks: Any) -> OpHandle[T]:
        """Run ``fn(session, token, *args)`` in the store process; callbacks as for ``Ops.run_db``."""
        check_picklable(fn, args)
        store = self._store
        changes: list[OpChanges] = []

        def work(token: CancelToken) -> T:
            if store is None:
                raise LockedError(_("The store is locked. Unlock it to continue."))
            # Catalogue wording in the screen's script (繁體 on a zh_TW desk), here on the worker thread.
            shown: T = localize_tree(store.call(fn, args, token, changes))
            return shown

        def take_changes() -> OpChanges:
            if changes:
                return changes.pop()
            from fzmediate.store.changes import NO_CHANGES

            return NO_CHANGES

        return self._ops.run_db(work, changes=take_changes, **callbacks)

    def run(self, fn: Callable[..., T], **callbacks: Any) -> OpHandle[T]:
        """Not available: a closure cannot cross to the store process (use ``call`` with a module-level fn)."""
        raise NotImplementedError(
            "ctx.run(closure) cannot reach a store in a worker process: "
            "use ctx.call(fn, *args) with a module-level fn of fzmediate.desk"
        )

    def close(self, on_done: Callable[[], None] | None = None) -> OpHandle[None] | None:
        """Lock: the process locks the session and ends (after the work already queued). Idempotent."""
        self._stop_watch()
        store, self._store = self._store, None
        if store is None:
            return None
        return self._lock_on_worker(store.stop, on_done)

    def _stop_watch(self) -> None:
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.stop()
            watch.deleteLater()

    def _look(self) -> None:
        store = self._store
        if store is None or store.alive:
            return
        self._stop_watch()
        log.error("the store process ended unexpectedly")
        if self.on_ended is not None:
            self.on_ended(ended_message())
