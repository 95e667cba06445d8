"""The store's worker process: the only process that ever holds the database key (child side, no Qt).

The desk's GUI process never opens the store. It starts this process (``multiprocessing``, *spawn*) while the
unlock screen shows; :func:`serve` warms the store's imports at once, then answers requests on its pipe.
Every request is ``(kind, call_id, pickled body)``: the reader thread unpickles nothing but that envelope, so
a body that cannot be read (a desk module that fails to import) fails its own request, never the process.

- ``("unlock", 0, (env, login, password))`` opens the :class:`~fzmediate.services.session.Session` here and
  replies ``("unlocked", Opened)`` (the actor and the trust warnings: plain copies) or ``("failed", 0, error, None)``;
- ``("call", call_id, (env, fn, args))`` runs ``fn(session, token, *args)`` (a module-level function of
  :mod:`fzmediate.desk`) and replies ``("done", call_id, result, changes)``, ``("failed", call_id, error,
  changes)`` or ``("cancelled", call_id, changes)``; meanwhile ``token.report`` sends ``("progress", call_id,
  done, total, text)``, and a ``("cancel", call_id)`` from the parent makes ``token.check()`` raise;
- ``("gate", call_id, (env, fn, args))`` runs ``fn(workspace, *args)`` (a function of :mod:`fzmediate.desk.gate`:
  set-up and recovery, before anyone is signed in) and replies like a call (no changes);
- ``("lock", 0, b"")`` locks the session (wiping its key), replies ``("locked",)`` and ends the process.

``env`` is ``(locale, clock)``: the parent's UI locale (messages are localized here) and its clock (tests
move a FakeClock by hand), sent with every request so both processes agree.

Errors cross as data (:func:`encode_error` / :func:`decode_error`): an ``FzError`` is re-created with its
class, localized message, ``field`` and other attributes, whatever its ``__init__`` signature (or, when they
cannot cross, as a plain ``FzError`` with the same message and field); any other exception crosses as
:class:`RemoteFailure` naming only its type — its text may hold personal data — and its traceback goes to
this process's masked log. If the parent dies (the pipe closes, or ``getppid`` changes) the session is locked
and the process ends.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import pickle
import pkgutil
import queue
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fzmediate.desk.token import EventToken
from fzmediate.errors import FzError, LockedError
from fzmediate.gc_tuning import tune_for_bulk_work
from fzmediate.security.kdf import KdfParams

if TYPE_CHECKING:
    from fzmediate.services.session import Actor, Session
    from fzmediate.store.outbox import OpChanges

log = logging.getLogger(__name__)

#: What every request carries: the UI locale and the workspace clock of the parent.
Env = tuple[str, Callable[[], datetime]]

#: How often the child's reader looks whether its parent is still there (seconds).
PARENT_POLL_S = 1.0

#: Imported while the unlock screen shows, so the first unlock and the first screen pay nothing for them: the
#: store, and what the desk's calls import when they run (the :mod:`fzmediate.desk` modules themselves import
#: only plain values, so that the GUI process can name the calls without loading any of this).
WARM_MODULES = (
    "fzmediate.services.workspace",
    "fzmediate.services.session",
    "fzmediate.services.unlock_trust",
    "fzmediate.services.cases",
    "fzmediate.services.users",
    "fzmediate.services.catalogue",
    "fzmediate.services.organisation",
    "fzmediate.store.database",
    "fzmediate.store.models",
    "fzmediate.services.case_engine",
    "fzmediate.services.case_listing",
    "fzmediate.services.case_views",
    "fzmediate.services.intake_inbox",
    "fzmediate.services.session_plans",
    "fzmediate.services.statistics",
    "fzmediate.services.attachments",
    "fzmediate.services.printing",
    "fzmediate.procedure.engine",
    "fzmediate.procedure.forms",
    "fzmediate.procedure.guards",
    "fzmediate.domain.intake",
    "fzmediate.catalogue.org",
)


@dataclass(frozen=True)
class HostSpec:
    """What the child needs to build its ``Workspace``: all picklable (the parent checks)."""

    data_dir: Path
    kdf: KdfParams
    clock: Callable[[], datetime]
    locale: str
    #: Where the parent logs (the same masked rotating file), or None to log nowhere.
    log_dir: Path | None = None


@dataclass(frozen=True)
class Opened:
    """What an unlock tells the GUI process: who is signed in and the unlock's trust warnings."""

    actor: Actor
    trust_warnings: tuple[str, ...]


class RemoteFailure(Exception):
    """An unexpected error in the store process. Only its type name crosses: its text may hold personal data
    (the traceback is in the log file)."""

    def __init__(self, type_name: str) -> None:
        super().__init__(type_name)
        self.type_name = type_name

    def __str__(self) -> str:
        return "unexpected {0} in the store process (details in the log file)".format(self.type_name)


class HostCancelled(Exception):
    """Raised in the store process by ``token.check()`` once the parent cancelled the call (or has gone)."""


class StoreProcessEnded(LockedError):
    """The store process is gone (it crashed or was killed): the session is closed; unlock again."""


# --- errors as data ------------------------------------------------------------------------------------
ErrorPayload = tuple[Any, ...]


def encode_error(exc: BaseException) -> ErrorPayload:
    """``exc`` as a picklable payload for :func:`decode_error` (no exception text unless it is an FzError)."""
    if isinstance(exc, FzError):
        state = dict(vars(exc))
        state["message"], state["field"] = exc.message, exc.field
        faithful = ("fz", type(exc), exc.message, state)
        try:
            pickle.loads(pickle.dumps(faithful))
        except Exception:  # a local class, an attribute that cannot be pickled: keep message and field only
            return ("fz", FzError, exc.message, {"message": exc.message, "field": exc.field})
        return faithful
    return ("other", type(exc).__name__)


def decode_error(payload: ErrorPayload) -> BaseException:
    """The exception an :func:`encode_error` payload stands for, re-created in this process."""
    if payload[0] == "fz":
        _kind, cls, message, state = payload
        # Not ``cls(message)``: subclasses have their own __init__ signatures (keyword-only retry_after …).
        exc: FzError = cls.__new__(cls)
        Exception.__init__(exc, message)
        exc.__dict__.update(state)
        return exc
    if payload[0] == "unpicklable":
        return TypeError(payload[1])
    return RemoteFailure(str(payload[1]))


# --- the child ----------------------------------------------------------------------------------------
class HostToken(EventToken):
    """The cancel token a call gets in the store process (same surface as ``ui.ops.CancelToken``)."""

    cancelled_error = HostCancelled

    def __init__(self, call_id: int, event: threading.Event, send: Callable[[tuple[Any, ...]], None]) -> None:
        super().__init__(event)
        self._id = call_id
        self._send = send

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        self._send(("progress", self._id, done, total, text))


class _Host:
    """One store process: a reader thread (cancels, parent death) and the main thread running requests."""

    def __init__(self, conn: Connection, spec: HostSpec) -> None:
        self.conn = conn
        self.spec = spec
        self.inbox: queue.Queue[tuple[Any, ...] | None] = queue.Queue()
        self._send_lock = threading.Lock()
        self._events: dict[int, threading.Event] = {}
        self._events_lock = threading.Lock()
        self._parent = os.getppid()
        self.gone = threading.Event()
        self.session: Session | None = None
        self._locale = spec.locale
        from fzmediate.services.workspace import Workspace

        self.workspace = Workspace(spec.data_dir, kdf=spec.kdf, clock=spec.clock)

    # --- pipe --------------------------------------------------------------------------------------
    def send(self, message: tuple[Any, ...]) -> None:
        data = pickle.dumps(message)  # before taking the lock: a pickling error must not leave half a message
        with self._send_lock:
            self.conn.send_bytes(data)

    def read(self) -> None:
        """The reader thread: requests to the inbox, cancels to their call's event; None once the parent is gone."""
        try:
            while True:
                if not self.conn.poll(PARENT_POLL_S):
                    if os.getppid() != self._parent:
                        return
                    continue
                message = self.conn.recv()  # (kind, call_id, body bytes): plain types only
                if message[0] == "cancel":
                    with self._events_lock:
                        event = self._events.get(message[1])
                    if event is not None:
                        event.set()
                    continue
                if message[0] in ("call", "gate"):
                    with self._events_lock:  # registered here, so a cancel that follows at once finds it
                        self._events[message[1]] = threading.Event()
                self.inbox.put(message)
        except (EOFError, OSError):
            return
        finally:
            self.gone.set()
            with self._events_lock:
                for event in self._events.values():
                    event.set()  # a running call stops at its next check
            self.inbox.put(None)

    # --- requests ----------------------------------------------------------------------------------
    def apply_env(self, env: Env) -> None:
        locale, clock = env
        if locale != self._locale:
            from fzmediate.i18n import set_locale

            self._locale = set_locale(locale)
        self.workspace.clock = clock

    def unlock(self, body: bytes) -> None:
        try:
            env, login, password = pickle.loads(body)
            self.apply_env(env)
            if self.session is not None:
                raise RuntimeError("a session is already open in this store process")
            session = self.workspace.unlock(login, password)
            self.session = session
            opened = Opened(session.actor, tuple(session.trust_warnings))
        except BaseException as exc:
            self._log(exc)
            self.send(("failed", 0, encode_error(exc), None))
            return
        self.send(("unlocked", opened))

    def call(self, call_id: int, body: bytes) -> None:
        with self._events_lock:
            event = self._events.setdefault(call_id, threading.Event())
        token = HostToken(call_id, event, self.send)
        try:
            try:
                env, fn, args = pickle.loads(body)
                self.apply_env(env)
                if self.session is None:
                    from fzmediate.i18n import _

                    raise LockedError(_("The store is locked. Unlock it to continue."))
                token.check()
                result = fn(self.session, token, *args)
                reply: tuple[Any, ...] = ("done", call_id, result, self._changes())
            except HostCancelled:
                reply = ("cancelled", call_id, self._changes())
            except BaseException as exc:
                self._log(exc)
                reply = ("failed", call_id, encode_error(exc), self._changes())
            try:
                self.send(reply)
            except Exception as exc:  # the result cannot be pickled: say so, by type names only
                log.warning("a result could not cross to the desk: %s", type(exc).__name__)
                message = "cannot cross the store process boundary: {0} ({1})".format(
                    type(reply[2]).__name__, type(exc).__name__
                )
                self.send(("failed", call_id, ("unpicklable", message), reply[-1]))
        finally:
            with self._events_lock:
                self._events.pop(call_id, None)

    def gate(self, call_id: int, body: bytes) -> None:
        """A :mod:`fzmediate.desk.gate` request: ``fn(workspace, *args)``, answered like a call."""
        try:
            try:
                env, fn, args = pickle.loads(body)
                self.apply_env(env)
                reply: tuple[Any, ...] = ("done", call_id, fn(self.workspace, *args), None)
            except BaseException as exc:
                self._log(exc)
                reply = ("failed", call_id, encode_error(exc), None)
            self.send(reply)
        finally:
            with self._events_lock:
                self._events.pop(call_id, None)

    def _changes(self) -> OpChanges | None:
        """What the call's committed writes changed (asked after every call, failed ones too)."""
        if self.session is None or self.session.locked:
            return None
        try:
            return self.session.take_changes()
        except Exception:
            log.exception("could not collect the changes of a call")
            return None

    @staticmethod
    def _log(exc: BaseException) -> None:
        if isinstance(exc, FzError):
            log.info("store call refused: %s", type(exc).__name__)
        else:
            log.error("store call failed", exc_info=(type(exc), exc, exc.__traceback__))

    def lock(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            session.lock()
            log.info("store locked (store process)")

    # --- the loop ----------------------------------------------------------------------------------
    def run(self) -> None:
        try:
            while True:
                message = self.inbox.get()
                if message is None:  # the parent has gone: lock and end
                    return
                kind = message[0]
                if kind == "unlock":
                    self.unlock(message[2])
                elif kind == "call":
                    self.call(message[1], message[2])
                elif kind == "gate":
                    self.gate(message[1], message[2])
                elif kind == "lock":
                    self.lock()
                    with contextlib.suppress(OSError):
                        self.send(("locked",))
                    return
                else:
                    log.warning("unknown message to the store process: %s", type(kind).__name__)
        finally:
            self.lock()


def warm_imports() -> None:
    """Import the store and every desk module now (the first unlock and the first screen then start at once)."""
    for name in WARM_MODULES:
        importlib.import_module(name)
    import fzmediate.desk as desk

    for info in pkgutil.iter_modules(desk.__path__, desk.__name__ + "."):
        if info.name != __name__:
            try:
                importlib.import_module(info.name)
            except Exception:  # a broken module fails again, visibly, when a screen calls it
                log.exception("could not preload %s", info.name)
    with contextlib.suppress(Exception):
        from sqlalchemy.orm import configure_mappers

        configure_mappers()


def serve(conn: Connection, spec: HostSpec) -> None:
    """The store process's entry point (the target of the spawned ``multiprocessing.Process``)."""
    # Ctrl+C in a terminal reaches the whole process group: the parent decides when this process ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from fzmediate.i18n import set_locale

    set_locale(spec.locale)
    if spec.log_dir is not None:
        from fzmediate.logsetup import configure_logging

        configure_logging(spec.log_dir)
    host = _Host(conn, spec)
    reader = threading.Thread(target=host.read, name="fzmediate-store-reader", daemon=True)
    reader.start()
    try:
        warm_imports()
    except Exception:
        log.exception("warming the store process failed")
    tune_for_bulk_work()  # imports warmed: frozen; syncs and searches make many short-lived objects
    try:
        host.run()
    finally:
        with contextlib.suppress(OSError):
            conn.close()
