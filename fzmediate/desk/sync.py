"""The desk's sync with the district server: where it stands, sync now, enroll, and the conflicts (no Qt).

Every function is ``fn(session, token, *args)`` with picklable arguments and results (see ``fzmediate.desk``).
The network work runs here, in the store process, never on the GUI thread. A failed sync is raised as
:class:`SyncFailed`, a light error whose ``offline`` says whether the server could not be reached (normal for a
desk: the screens say "offline", not "error"); the client's own error classes load httpx and cryptography, so
they never cross to the GUI process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from fzmediate.desk.token import CancelToken
from fzmediate.errors import FzError, ValidationError
from fzmediate.i18n import _
from fzmediate.sync.conflict_views import ConflictSide, ConflictView, Resolution
from fzmediate.sync.report import SyncReport

if TYPE_CHECKING:
    from fzmediate.services.session import Session

__all__ = [
    "ConflictSide",
    "ConflictView",
    "EnrollView",
    "Resolution",
    "SyncFailed",
    "SyncReport",
    "SyncView",
    "conflicts",
    "enroll",
    "resolve",
    "run",
    "status",
]

#: A desk gives up quickly when the server cannot be reached (offline is normal; the next sync tries again):
#: three tries, the waits between them at most a few seconds.
DESK_ATTEMPTS: Final = 3
DESK_WAIT_CAP_S: Final = 4.0
#: The learned clock offset the screens mention (seconds), as the contract says.
OFFSET_NOTICE_S: Final = 300.0
#: Server error codes that mean "not reachable now" (network, 5xx, 429 after every retry).
_OFFLINE_CODES: Final = frozenset({"unreachable"})


class SyncFailed(FzError):
    """Sync or enrollment stopped; ``code`` is the server's (or client's) error code, ``offline`` whether the
    server could not be reached at all."""

    def __init__(self, message: str, *, code: str = "", offline: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.offline = offline


@dataclass(frozen=True)
class SyncView:
    """Where sync stands on this desk (no personal data)."""

    enrolled: bool
    server_url: str = ""
    unit: str = ""
    unit_name: str = ""
    device_code: str = ""
    #: When the last sync finished (UTC), None before the first.
    last_sync_at: datetime | None = None
    last_report: SyncReport | None = None
    #: Changes of this desk the server does not hold yet.
    waiting: int = 0
    open_conflicts: int = 0
    #: Server clock minus this computer's clock (seconds).
    clock_offset_s: float = 0.0

    @property
    def clock_off(self) -> bool:
        return abs(self.clock_offset_s) > OFFSET_NOTICE_S


@dataclass(frozen=True)
class EnrollView:
    server_url: str
    unit: str
    unit_name: str
    device_code: str


def transport() -> Any:
    """The HTTP transport of the desk's sync calls: the default (None, the network). Tests replace this to talk
    to a fake server (with the in-thread store)."""
    return None


def _aware(at: datetime | None) -> datetime | None:
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def status(session: Session, token: CancelToken) -> SyncView:
    """Enrollment, the last sync, what waits, the open conflicts."""
    from fzmediate.services import sync as service

    state = service.status(session)
    return SyncView(
        enrolled=state.enrolled,
        server_url=state.server_url,
        unit=state.unit,
        unit_name=state.unit_name,
        device_code=state.device_code,
        last_sync_at=_aware(state.last_sync_at),
        last_report=SyncReport.from_dict(state.last_report),
        waiting=state.waiting,
        open_conflicts=state.open_conflicts,
        clock_offset_s=state.clock_offset_s,
    )


def _failed(exc: FzError) -> SyncFailed:
    """The client's error as a light one (its message already says what happened, no request data)."""
    code = str(getattr(exc, "code", "") or "")
    return SyncFailed(exc.message, code=code, offline=code in _OFFLINE_CODES)


def _retry(token: CancelToken) -> Any:
    from fzmediate.sync.http import RetryPolicy

    def sleep(seconds: float) -> None:  # cancellable: Cancel stops a wait between tries at once
        deadline = time.monotonic() + seconds
        while True:
            token.check()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(0.1, left))

    return RetryPolicy(attempts=DESK_ATTEMPTS, cap_s=DESK_WAIT_CAP_S, sleep=sleep)


def run(session: Session, token: CancelToken) -> SyncReport:
    """Sync now: push what waits, pull what others changed. Progress: ``token.report`` with the counts so far;
    Cancel stops between batches (what was sent or applied stays done)."""
    from fzmediate.services import sync as service

    token.report(0, None, _("Connecting to the district server…"))
    try:
        report = service.run(session, transport=transport(), token=token, retry=_retry(token))
    except FzError as exc:
        if isinstance(exc, SyncFailed) or type(exc).__module__.split(".")[:2] != ["fzmediate", "sync"]:
            raise  # the store's own refusals (a role, a damaged store) cross as they are
        raise _failed(exc) from None
    return report  # fzmediate.sync.report: light, so it unpickles in the GUI process without httpx


def enroll(session: Session, token: CancelToken, server_url: str, code: str, ca_file: str = "") -> EnrollView:
    """Enroll this desk with a one-time code from district IT (administrators; once).

    An ``https`` server is trusted only through the district CA certificate (``ca_file``, PEM) that district IT
    hands out with the code: it is pinned in the store, and the system's certificate store is never used for
    it (docs/sync-protocol.md, "Transport")."""
    from fzmediate.services import sync as service

    url = server_url.strip().rstrip("/")
    if not url.startswith(("https://", "http://")) or len(url) < len("http://x"):
        raise ValidationError(
            _("Server address: a web address such as https://sync.example.org is needed."), field="server"
        )
    if not code.strip():
        raise ValidationError(_("Enrollment code: enter the one-time code from district IT."), field="code")
    ca_pem = _district_ca(ca_file, required=url.startswith("https://"))
    try:
        result = service.enroll_desk(session, url, code, ca_pem=ca_pem, transport=transport())
    except FzError as exc:
        if type(exc).__module__.split(".")[:2] != ["fzmediate", "sync"]:
            raise
        raise _failed(exc) from None
    return EnrollView(result.server_url, result.unit, result.unit_name, result.device_code)


def _district_ca(ca_file: str, *, required: bool) -> str | None:
    """The district CA certificate's PEM text from ``ca_file``; None when none is given and none is needed."""
    from cryptography import x509

    if not ca_file.strip():
        if required:
            raise ValidationError(
                _(
                    "District CA certificate: choose the certificate file (.pem) district IT gave with the code; "
                    "the server is trusted only through it."
                ),
                field="ca",
            )
        return None
    try:
        text = Path(ca_file.strip()).read_text(encoding="ascii")
        certificates = x509.load_pem_x509_certificates(text.encode("ascii"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise ValidationError(
            _("District CA certificate: the file cannot be read as a certificate (PEM)."), field="ca"
        ) from None
    if not certificates:
        raise ValidationError(_("District CA certificate: the file cannot be read as a certificate (PEM)."), field="ca")
    return text


def conflicts(session: Session, token: CancelToken) -> tuple[ConflictView, ...]:
    """The open conflicts, oldest first, personal values masked."""
    from fzmediate.sync.conflicts import open_conflicts

    return open_conflicts(session)


def resolve(
    session: Session, token: CancelToken, conflict_id: str, choice: str, reason: str, value: Any = None
) -> Resolution:
    """Settle a conflict: ``choice`` ``mine`` | ``theirs`` | ``value`` (with ``value``), with a reason
    (supervisors and administrators; see ``fzmediate.sync.conflicts``)."""
    from fzmediate.sync.conflicts import resolve as settle

    return settle(session, conflict_id, choice, reason, value)
