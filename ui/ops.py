"""Background operations: the ONE way widgets run slow work (modelled on Anki's CollectionOp/QueryOp).

Two long-lived workers, each one thread draining one queue:

- the **DB worker** runs every call that touches the store, one at a time, in submission order (a
  ``Session`` is only ever used from this thread);
- the **network worker** has the same shape and is kept separate, so a slow server never holds up the DB.

``ops.run_db(fn, on_success=…, on_failure=…, progress=…)`` queues ``fn(token)`` and returns at once. The
result, the exception or progress reports come back **on the GUI thread** through Qt signals (queued
connections), so callbacks may touch widgets. ``token`` is a :class:`CancelToken`: ``fn`` calls
``token.check()`` between steps (raises :class:`Cancelled` once cancelled) and ``token.report(done,
total, text)`` for progress. With a ``parent`` QObject, callbacks are dropped if the parent has been
deleted meanwhile (no "wrapped C/C++ object has been deleted").

Without ``on_failure`` an error is shown centrally: an ``FzError`` by its localized message, anything else
as a short generic message (the details, which may hold personal data, go to the log file only).

**Changes broadcast** (Anki's ``operation_did_execute``): a DB operation given ``changes=session.take_changes``
asks, on the DB worker once ``fn`` has ended, what its writes changed; when that is anything, ``Ops.changed``
is emitted ONCE on the GUI thread with the :class:`~fzmediate.store.changes.OpChanges` and the operation's
``initiator`` (default: its ``parent``), after the operation's own callback. Every screen refreshes from
that one signal (and may skip a change it initiated itself); no screen wires its refresh to another. A read
changes nothing and emits nothing; so does a refused write, which rolled back. An operation that fails
after some of its writes committed still reports those (they are stored).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from fzmediate.desk.token import Cancelled as Cancelled  # re-exported: operations and callers catch it here
from fzmediate.desk.token import EventToken
from fzmediate.errors import FzError
from fzmediate.i18n import _

if TYPE_CHECKING:
    # Only for annotations: the store (SQLAlchemy) loads when it is first opened, not at start-up.
    from fzmediate.store.changes import OpChanges

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class OpTiming:
    """How long one operation took (seconds, ``time.perf_counter``): queued before it started, running on
    its worker, and on the GUI thread delivering it (its callback plus every screen's ``changed`` handler).
    ``gui`` is what a user can feel as a stall; the benchmarks read these through ``Ops.timing_hook``."""

    op_id: int
    name: str
    waited: float
    ran: float
    gui: float
    outcome: str


@dataclass(frozen=True)
class Progress:
    done: int
    total: int | None = None
    text: str = ""


class CancelToken(EventToken):
    """Passed to every operation: cooperative cancellation and progress reporting."""

    def __init__(self, report: Callable[[Progress], None] | None = None) -> None:
        super().__init__()
        self._report = report

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        """Report progress; delivered to the ``progress`` callback on the GUI thread."""
        if self._report is not None:
            self._report(Progress(done, total, text))


class OpHandle(Generic[T]):
    """A queued or running operation. Only ``cancel()`` and ``finished`` are for callers."""

    def __init__(
        self,
        op_id: int,
        fn: Callable[[CancelToken], T],
        token: CancelToken,
        on_success: Callable[[T], None] | None,
        on_failure: Callable[[BaseException], None] | None,
        on_progress: Callable[[Progress], None] | None,
        on_cancelled: Callable[[], None] | None,
        parent: QObject | None,
        changes: Callable[[], OpChanges] | None = None,
        initiator: object | None = None,
    ) -> None:
        self.id = op_id
        self.fn: Callable[[CancelToken], T] | None = fn
        self.token = token
        self.on_success = on_success
        self.on_failure = on_failure
        self.on_progress = on_progress
        self.on_cancelled = on_cancelled
        self.parent = parent
        #: Asked on the worker once ``fn`` has ended: what its writes changed (``Session.take_changes``).
        self.changes = changes
        self.initiator = initiator if initiator is not None else parent
        self.finished = False
        self.name = getattr(fn, "__qualname__", type(fn).__name__)
        self.submitted_at = time.perf_counter()
        self.started_at = self.ended_at = 0.0

    def cancel(self) -> None:
        """Ask the operation to stop (it stops at its next ``token.check()``; a queued one never starts)."""
        self.token.cancel()

    def parent_alive(self) -> bool:
        return self.parent is None or shiboken6.isValid(self.parent)


class _Bridge(QObject):
    """Lives on the GUI thread; worker threads emit its signals, Qt queues them to the GUI thread."""

    done = Signal(object)  # (op_id, outcome, value, changes or None)
    progressed = Signal(object)  # (op_id, Progress)


_SUCCESS, _FAILURE, _CANCELLED = "success", "failure", "cancelled"


class Worker:
    """One thread, one queue: operations run one after another in submission order."""

    _STOP = object()

    def __init__(self, name: str, bridge: _Bridge) -> None:
        self.name = name
        self._bridge = bridge
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._stopping = False
        self._thread.start()

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def submit(self, handle: OpHandle[Any]) -> None:
        if self._stopping:
            raise RuntimeError("worker {0} is shut down".format(self.name))
        self._queue.put(handle)

    def stop(self, timeout: float | None = None) -> bool:
        """Run what is queued, then end the thread; True when it ended within ``timeout``."""
        if not self._stopping:
            self._stopping = True
            self._queue.put(self._STOP)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _emit(self, signal: Any, payload: object) -> None:
        with contextlib.suppress(RuntimeError):  # the bridge is gone: the app is shutting down
            signal.emit(payload)

    @staticmethod
    def _changes(handle: OpHandle[Any]) -> OpChanges | None:
        """What the operation changed, asked on this thread (the session's); None when nothing."""
        ask, handle.changes = handle.changes, None
        if ask is None:
            return None
        try:
            found = ask()
        except Exception:  # a locked session, say: the operation itself has already ended
            log.exception("could not collect the changes of an operation")
            return None
        return found if found else None

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is self._STOP:
                return
            handle: OpHandle[Any] = item
            fn, handle.fn = handle.fn, None  # drop the reference as soon as it has run (sessions, secrets)
            handle.started_at = time.perf_counter()
            try:
                if handle.token.cancelled or fn is None:
                    raise Cancelled()
                value: Any = fn(handle.token)
                outcome = _SUCCESS
            except Cancelled:
                value, outcome = None, _CANCELLED
            except BaseException as exc:  # every error is delivered; none may kill the worker
                value, outcome = exc, _FAILURE
            del fn
            changed = self._changes(handle)
            handle.ended_at = time.perf_counter()
            self._emit(self._bridge.done, (handle.id, outcome, value, changed))
            # Hold nothing between operations: a finished operation's values (a session) must not linger here.
            del value, changed, handle, item


class Ops(QObject):
    """The background-operation helper. Create one in the GUI thread; call ``shutdown()`` at exit."""

    #: (OpChanges, initiator): a DB operation's writes changed something (emitted on the GUI thread, once).
    changed = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = _Bridge(self)
        self._bridge.done.connect(self._on_done)
        self._bridge.progressed.connect(self._on_progress)
        self._ids = itertools.count(1)
        self._pending: dict[int, OpHandle[Any]] = {}
        self.db = Worker("fzmediate-db", self._bridge)
        #: Called on the GUI thread with an :class:`OpTiming` after each operation is delivered (benchmarks).
        self.timing_hook: Callable[[OpTiming], None] | None = None
        self.net = Worker("fzmediate-net", self._bridge)

    # --- submitting --------------------------------------------------------------------------------
    def run_db(
        self,
        fn: Callable[[CancelToken], T],
        *,
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        progress: Callable[[Progress], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        parent: QObject | None = None,
        changes: Callable[[], OpChanges] | None = None,
        initiator: object | None = None,
    ) -> OpHandle[T]:
        """Queue ``fn(token)`` on the DB worker (all store work, serialised). With ``changes`` (the session's
        ``take_changes``), what the operation changed is broadcast as ``changed(changes, initiator)``."""
        return self._submit(
            self.db, fn, on_success, on_failure, progress, on_cancelled, parent, changes=changes, initiator=initiator
        )

    def run_net(
        self,
        fn: Callable[[CancelToken], T],
        *,
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        progress: Callable[[Progress], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> OpHandle[T]:
        """Queue ``fn(token)`` on the network worker (sync; never touches the store directly)."""
        return self._submit(self.net, fn, on_success, on_failure, progress, on_cancelled, parent)

    def _submit(
        self,
        worker: Worker,
        fn: Callable[[CancelToken], T],
        on_success: Callable[[T], None] | None,
        on_failure: Callable[[BaseException], None] | None,
        progress: Callable[[Progress], None] | None,
        on_cancelled: Callable[[], None] | None,
        parent: QObject | None,
        *,
        changes: Callable[[], OpChanges] | None = None,
        initiator: object | None = None,
    ) -> OpHandle[T]:
        op_id = next(self._ids)
        report = None
        if progress is not None:
            bridge = self._bridge

            def report(p: Progress) -> None:
                with contextlib.suppress(RuntimeError):
                    bridge.progressed.emit((op_id, p))

        handle: OpHandle[T] = OpHandle(
            op_id, fn, CancelToken(report), on_success, on_failure, progress, on_cancelled, parent, changes, initiator
        )
        self._pending[op_id] = handle
        try:
            worker.submit(handle)
        except BaseException:
            del self._pending[op_id]
            raise
        return handle

    @property
    def busy(self) -> bool:
        """True while any operation is queued or running."""
        return bool(self._pending)

    # --- delivery (GUI thread) ---------------------------------------------------------------------
    @Slot(object)
    def _on_progress(self, payload: tuple[int, Progress]) -> None:
        op_id, p = payload
        handle = self._pending.get(op_id)
        if handle is not None and handle.on_progress is not None and handle.parent_alive():
            handle.on_progress(p)

    @Slot(object)
    def _on_done(self, payload: tuple[int, str, Any, OpChanges | None]) -> None:
        op_id, outcome, value, changed = payload
        handle = self._pending.pop(op_id, None)
        if handle is None:
            return
        handle.finished = True
        delivering = time.perf_counter()
        try:
            self._deliver(handle, outcome, value)
        finally:
            # After the operation's own callback (as Anki does), even if it raised or its parent is gone:
            # the other screens must still learn what is stored now.
            if changed is not None:
                self.changed.emit(changed, handle.initiator)
            if self.timing_hook is not None:
                started = handle.started_at or handle.submitted_at
                self.timing_hook(
                    OpTiming(
                        op_id,
                        handle.name,
                        waited=started - handle.submitted_at,
                        ran=(handle.ended_at or started) - started,
                        gui=time.perf_counter() - delivering,
                        outcome=outcome,
                    )
                )

    def _deliver(self, handle: OpHandle[Any], outcome: str, value: Any) -> None:
        if not handle.parent_alive():
            if outcome == _FAILURE:
                log_failure(value)
            return
        if outcome == _SUCCESS:
            if handle.on_success is not None:
                handle.on_success(value)
        elif outcome == _CANCELLED:
            if handle.on_cancelled is not None:
                handle.on_cancelled()
        elif handle.on_failure is not None:
            handle.on_failure(value)
        else:
            log_failure(value)
            show_error(handle.parent if isinstance(handle.parent, QWidget) else None, value)

    # --- shutting down -----------------------------------------------------------------------------
    def shutdown(self, timeout: float = 10.0) -> None:
        """Finish the queued work (a pending lock included), then stop both threads."""
        self.net.stop(timeout)
        if not self.db.stop(timeout):
            log.error("the DB worker did not finish within %.0f s", timeout)


def error_message(exc: BaseException) -> str:
    """What to tell the user: an FzError's localized message, else a generic sentence (no exception text)."""
    if isinstance(exc, FzError):
        return exc.message
    return _("Something went wrong. The details were written to the log file.")


def log_failure(exc: BaseException) -> None:
    """Log an unexpected error with its traceback (FzErrors are expected refusals: one line, no trace)."""
    if isinstance(exc, FzError):
        log.info("operation refused: %s", type(exc).__name__)
    else:
        log.error("operation failed", exc_info=(type(exc), exc, exc.__traceback__))


def show_error(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """The central error display: a window-modal message box that does not block the caller."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, _("fzmediate"), error_message(exc), QMessageBox.StandardButton.Ok, parent
    )
    box.setAccessibleName(_("Error"))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
    return box
