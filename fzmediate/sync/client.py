"""The desk's side of sync with the district server (docs/sync-protocol.md): enrollment, push, pull.

- :func:`enroll` makes the device key inside the store, presents the one-time code, and stores what the
  server assigned (``sync_state``, ``meta.device_code``) in one transaction.
- :func:`sync` pushes the outbox in ``device_seq`` order (≤ 500 changes / 1 MB a request); each answer deletes
  the acknowledged rows and stores ``acked_through`` in one transaction (``outbox.next_device_seq`` keeps the
  numbering gap-free after that). Then it pulls pages and applies each one with its cursor in one
  transaction (``fzmediate.sync.apply``), and sends the audit chain's head.

Every step is safe to interrupt: a push answer that never arrived is sent again and answered ``duplicate``; a
page whose transaction did not commit is pulled again. Only counts are logged and audited.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Protocol

import httpx
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError as PydanticError
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.errors import FzError, StoreDamagedError
from fzmediate.i18n import _
from fzmediate.security.audit import head
from fzmediate.security.crashpoints import crashpoint
from fzmediate.security.permissions import may
from fzmediate.services.numbering import DEVICE_CODE_KEY
from fzmediate.store.models import Meta, OutboxEntry, SyncState
from fzmediate.store.outbox import pending_rows
from fzmediate.sync import office_cert
from fzmediate.sync.acks import Counts, acknowledge, blob_missing, naive
from fzmediate.sync.apply import apply_changes, stage_blobs, store_server_conflicts
from fzmediate.sync.blobs import fetch_for, upload_for
from fzmediate.sync.catalogue_pull import pull_catalogue
from fzmediate.sync.http import Channel, RetryPolicy, SyncError, answer_error, http_client
from fzmediate.sync.intake_pull import pull_applications
from fzmediate.sync.outgoing import Outgoing
from fzmediate.sync.protocol import (
    ANCHOR_HASH_PARAM,
    ANCHOR_SEQ_PARAM,
    BASE_PULL_LIMIT,
    BASE_PUSH_CHANGES,
    FOLLOWS_HEADER,
    HINTS_PARAM,
    MAX_BODY_BYTES,
    MAX_PULL_LIMIT,
    MAX_PUSH_CHANGES,
    PULL_MAX_HEADER,
    PUSH_MAX_HEADER,
    AnchorRequest,
    EnrollRequest,
    EnrollResponse,
    PullHints,
    PullResponse,
    PushResponse,
    Role,
)
from fzmediate.sync.report import SyncReport as SyncReport
from fzmediate.sync.signing import public_b64

if TYPE_CHECKING:
    from fzmediate.desk.token import CancelToken
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

_ENVELOPE: Final = len(b'{"changes":[]}')


class NotEnrolledError(FzError):
    """The desk has no sync_state: an administrator must enroll it first."""


class AlreadyEnrolledError(FzError):
    """Enrollment was asked for a desk that is already enrolled."""


@dataclass(frozen=True)
class EnrollResult:
    device_id: str
    unit: str
    unit_name: str
    device_code: str
    server_url: str
    clock_offset_s: float
    #: The district's certificate for the office key, when the enrollment answer carried one.
    office_certificate: str | None = None


def _device_now(session: Session, now: Callable[[], datetime] | None) -> Callable[[], datetime]:
    return now if now is not None else session.now


def _parse(model: Any, response: httpx.Response) -> Any:
    try:
        return model.model_validate_json(response.content)
    except (PydanticError, ValueError):
        raise answer_error("bad_answer") from None


# --- enrollment ----------------------------------------------------------------------------------------------


def enrolled(s: OrmSession) -> SyncState | None:
    return s.get(SyncState, 1)


def enroll(
    session: Session,
    server_url: str,
    code: str,
    *,
    transport: httpx.BaseTransport | None = None,
    ca_pem: str | None = None,
    label: str = "",
    now: Callable[[], datetime] | None = None,
    retry: RetryPolicy | None = None,
    office_request: str | None = None,
) -> EnrollResult:
    """Enroll this desk with the district server using a one-time ``code`` (administrators; once).

    ``office_request``: a certificate request for the office key (``fzmediate office request``) to send along;
    by default one is made when this user may (``fzmediate.sync.office_cert``)."""
    may(session, "sync.enroll").require()
    already = _("This desk is already enrolled with a district server; nothing was changed.")
    office_request = office_request or office_cert.request_pem(session)
    result = enroll_store(
        session,
        server_url,
        code,
        role="desk",
        already=already,
        transport=transport,
        ca_pem=ca_pem,
        label=label,
        now=now,
        retry=retry,
        office_request=office_request,
    )
    office_cert.after_enroll(session, office_request, result.office_certificate)
    return result


class EnrollingStore(Protocol):
    """What enrollment needs of a store: a desk's session, or an open kiosk (``fzmediate.sync.kiosk_push``)."""

    @property
    def device_id(self) -> str: ...
    @property
    def store_id(self) -> str: ...
    def now(self) -> datetime: ...
    def read(self) -> AbstractContextManager[OrmSession]: ...
    def write(
        self, action: str, object_type: str, object_id: str, details: dict[str, Any] | None = None
    ) -> AbstractContextManager[OrmSession]: ...


def enroll_store(
    session: EnrollingStore,
    server_url: str,
    code: str,
    *,
    role: Role,
    already: str,
    transport: httpx.BaseTransport | None = None,
    ca_pem: str | None = None,
    label: str = "",
    now: Callable[[], datetime] | None = None,
    retry: RetryPolicy | None = None,
    office_request: str | None = None,
) -> EnrollResult:
    """Make the device key inside the store, present ``code`` as a ``role`` device, and store what the server
    assigned in one transaction (AlreadyEnrolledError with ``already`` when the store is enrolled)."""
    with session.read() as s:
        if enrolled(s) is not None:
            raise AlreadyEnrolledError(already)
    key = Ed25519PrivateKey.generate()
    clock = now if now is not None else session.now
    request = EnrollRequest(
        code=code.strip(), device_id=session.device_id, public_key=public_b64(key), role=role, label=label,
        office_request=office_request,
    )  # fmt: skip
    with http_client(server_url, transport=transport, ca_pem=ca_pem) as client:
        channel = Channel(client, now=clock, retry=retry)  # unsigned: the code is the credential
        answer: EnrollResponse = _parse(
            EnrollResponse, channel.call("POST", "/v1/enroll", body=request.model_dump_json().encode())
        )
    if answer.device_id != session.device_id:
        raise answer_error("wrong_device")
    details = {"unit": answer.unit, "device_code": answer.device_code}
    with session.write("sync.enroll", "store", session.store_id, details) as s:
        if enrolled(s) is not None:  # another process enrolled meanwhile
            raise AlreadyEnrolledError(already)
        s.add(
            SyncState(
                id=1,
                server_url=server_url,
                device_key=key.private_bytes_raw(),
                unit=answer.unit,
                unit_name=answer.unit_name,
                role=answer.role,
                device_code=answer.device_code,
                after=0,
                acked_through=0,  # a new device has pushed nothing: its whole outbox (from 1) is still here
                clock_offset_s=channel.offset_s,
                enrolled_at=naive(clock()),
                ca_pem=ca_pem,
            )
        )
        meta = s.get(Meta, DEVICE_CODE_KEY)
        if meta is None:
            s.add(Meta(key=DEVICE_CODE_KEY, value=answer.device_code))
        else:
            meta.value = answer.device_code
    log.info("enrolled with the district server")
    return EnrollResult(
        answer.device_id, answer.unit, answer.unit_name, answer.device_code, server_url, channel.offset_s,
        answer.office_certificate,
    )  # fmt: skip


# --- sync ------------------------------------------------------------------------------------------------------


def sync(
    session: Session,
    *,
    transport: httpx.BaseTransport | None = None,
    token: CancelToken | None = None,
    now: Callable[[], datetime] | None = None,
    retry: RetryPolicy | None = None,
    office_roots: Sequence[x509.Certificate] | None = None,
) -> SyncReport:
    """Push the outbox, pull what others changed, send the audit head; one audit event with the counts.
    ``office_roots``: TESTS ONLY, district roots instead of the shipped ones (``fzmediate.sync.office_cert``)."""
    may(session, "sync.run").require()
    if session.tampered:
        raise StoreDamagedError(
            _("The store failed its integrity checks and is open for inspection only; nothing was changed.")
        )
    with session.read() as s:
        state = enrolled(s)
        if state is None:
            raise NotEnrolledError(
                _("This desk is not enrolled with a district server: an administrator runs fzmediate enroll first.")
            )
        server_url, key_raw, ca_pem, offset = state.server_url, state.device_key, state.ca_pem, state.clock_offset_s
    clock = _device_now(session, now)
    counts = Counts()
    with http_client(server_url, transport=transport, ca_pem=ca_pem) as client:
        channel = Channel(
            client,
            now=clock,
            offset_s=offset,
            device_id=session.device_id,
            key=Ed25519PrivateKey.from_private_bytes(key_raw),
            retry=retry,
        )
        anchored = _push(session, channel, counts, token)
        more, hints = _pull(session, channel, counts, token, clock)
        # What kiosks sealed for this desk's unit; asked for only when the last page's hints say some wait (or a
        # server before hints said nothing).
        waiting = hints.applications if hints is not None else None
        applications = pull_applications(session, channel, token, waiting=waiting)
        counts.errors += applications.errors
        # The district's newest catalogue, verified here against the district's key (CatalogueRefused otherwise).
        catalogue = pull_catalogue(session, channel, hints=hints)
        certificates = office_cert.exchange(session, channel, roots=office_roots)  # fetch, install or request
        if not anchored:  # nothing pushed, or a server before anchors rode with a push
            _anchor(session, channel)
    with session.read() as s:
        left = s.scalar(select(func.count()).select_from(OutboxEntry)) or 0
    report = SyncReport(
        pushed=counts.pushed,
        pulled=counts.pulled,
        conflicts=counts.conflicts,
        errors=counts.errors,
        up_to_date=left == 0 and not more,
        skipped=counts.skipped,
        applications=applications.imported,
        clock_offset_s=round(channel.offset_s, 3),
        office_certificates=certificates,
        catalogue=1 if catalogue.installed is not None else 0,
    )
    with session.write("sync.run", "store", session.store_id, report.as_dict()) as s:
        row = enrolled(s)
        assert row is not None
        row.last_sync_at = naive(clock())
        row.last_report = report.as_dict()
        row.clock_offset_s = channel.offset_s
    log.info(
        "sync done: pushed %d, pulled %d, conflicts %d, errors %d",
        report.pushed,
        report.pulled,
        report.conflicts,
        report.errors,
    )
    return report


def _progress(counts: Counts) -> str:
    """What a progress report says so far (counts only)."""
    return _("Sent {pushed} changes, received {pulled}…").format(pushed=counts.pushed, pulled=counts.pulled)


# --- push ----------------------------------------------------------------------------------------------------


def batch(rows: list[OutboxEntry], limit: int = BASE_PUSH_CHANGES) -> list[Outgoing]:
    """The longest prefix of ``rows`` within the push limits: at most ``limit`` changes (what the server takes)
    and MAX_BODY_BYTES (one change even when it alone is larger)."""
    return encode_batch(rows, limit)[0]


def encode_batch(
    rows: Sequence[OutboxEntry] | Sequence[Row[Any]], limit: int = BASE_PUSH_CHANGES
) -> tuple[list[Outgoing], bytes]:
    """:func:`batch` and the push request's body (``PushRequest``'s JSON, each change encoded once)."""
    out: list[Outgoing] = []
    parts: list[bytes] = []
    size = _ENVELOPE
    for row in rows[:limit]:
        change = Outgoing.of(row)
        part = change.wire()
        if out and size + len(part) + 1 > MAX_BODY_BYTES:
            break
        out.append(change)
        parts.append(part)
        size += len(part) + 1
    return out, b'{"changes":[' + b",".join(parts) + b"]}"


@dataclass
class _Batch:
    """Changes to push: the outbox rows after some ``device_seq``, their request body, and the server's
    ``acked_through`` before them (an answer that moves past it is progress); ``unsent`` counts the uploads that
    did not finish."""

    changes: list[Outgoing]
    body: bytes
    acked_before: int
    unsent: int = 0


def _next_batch(session: Session, limit: int, *, after: int = 0) -> _Batch:
    with session.read() as s:
        changes, body = encode_batch(pending_rows(s, session.device_id, limit=limit, after=after), limit)
        state = enrolled(s)
        assert state is not None
        return _Batch(changes, body, state.acked_through)


def _push(session: Session, channel: Channel, counts: Counts, token: CancelToken | None) -> bool:
    """Push the outbox in batches, up to two requests in flight, and this desk's work beside them. The first
    batch carries the audit chain's head as it is now; returns whether an answer says the server kept it (then
    the sync sends no anchor of its own).

    While batch N is on its way (a worker thread holds the request) the next batch is read and encoded and, to a
    server that keeps pushes in order (its answers say ``FZ-Push-Follows``), sent at once naming N's last
    ``device_seq`` (``follows``): the server lets it wait until N is taken. Otherwise N+1 is sent the moment N's
    answer moves the server's cursor past the whole batch. N's answer is acknowledged while the server works on
    N+1. Every store access stays on this thread. Nothing here is trusted to keep order: the server takes changes
    strictly in ``device_seq`` order, an early batch that overtook its predecessor anyway is answered ``gap`` and
    sent again, and an acknowledgement that never ran (the process stopped) only means those changes are sent
    again and answered ``duplicate``."""
    stalled = 0
    in_order = False  # whether the server keeps pushes in order (learnt from its answers)
    carry: dict[str, int | str] | None = _head_params(session)  # the audit head, with the first batch only
    anchored = False
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="sync-push") as pool:
        limit = BASE_PUSH_CHANGES  # until the server says it takes more (PUSH_MAX_HEADER)
        current = _next_batch(session, limit)
        in_flight: Future[httpx.Response] | None = None
        early: Future[httpx.Response] | None = None  # the next batch, sent before this one's answer came
        while current.changes:
            if in_flight is None:
                if token is not None:
                    token.check()
                crashpoint("sync.outbox_read")  # the outbox rows are committed; nothing of them sent yet
                in_flight = _send(session, channel, pool, current, token, anchor=carry)
                carry = None
            following = _next_batch(session, limit, after=current.changes[-1].device_seq)  # read while N is away
            if in_order and following.changes and not current.unsent and (token is None or not token.cancelled):
                following.acked_before = current.changes[-1].device_seq
                crashpoint("sync.outbox_read")
                early = _send(session, channel, pool, following, token, follows=following.acked_before)
            response = in_flight.result()
            in_flight = None
            crashpoint("sync.pushed")  # the server committed; its answer is not looked at yet
            answer: PushResponse = _parse(PushResponse, response)
            anchored = anchored or answer.anchor is not None
            in_order = response.headers.get(FOLLOWS_HEADER) == "1"
            limit = said_limit(response, PUSH_MAX_HEADER, BASE_PUSH_CHANGES, MAX_PUSH_CHANGES)
            missing = blob_missing(answer)
            progress = answer.acked_through > current.acked_before
            whole = progress and not missing and answer.acked_through >= current.changes[-1].device_seq
            if whole and early is not None:
                in_flight, early = early, None  # on its way while we acknowledge
            elif whole and following.changes and (token is None or not token.cancelled):
                following.acked_before = answer.acked_through
                crashpoint("sync.outbox_read")
                in_flight = _send(session, channel, pool, following, token)  # on its way while we acknowledge
            elif early is not None:
                _settle(early)  # N was not taken whole: N+1 could take nothing; its changes are sent again
                early = None
            crashpoint("sync.before_ack")  # the answer is read; the acknowledging transaction has not run
            acknowledge(session, channel.offset_s, answer, {c.device_seq: c for c in current.changes}, counts)
            crashpoint("sync.acked")
            if missing:  # an upload did not finish: that change and those after it wait for next time
                counts.errors += max(current.unsent, 1)
                return anchored
            if progress:
                stalled = 0
                if token is not None:
                    token.report(counts.pushed, None, _progress(counts))
                current = following if in_flight is not None else _next_batch(session, limit)
                continue
            stalled += 1
            if answer.acked_through < current.acked_before and stalled < 3:
                # Sent early, and it overtook its predecessor after all (the server's wait ran out): the answer
                # is older than what the server holds now. Sent again, in order.
                current = _next_batch(session, limit)
                continue
            # No progress: the server wants a change from before our first one (which we deleted once it was
            # acknowledged), or it answers gap for what we resend. Stop rather than loop.
            if current.changes[0].device_seq > answer.acked_through + 1 or stalled >= 2:
                raise SyncError(
                    _("The district server lacks changes this desk no longer holds ({code}); ask district IT.").format(
                        code="gap"
                    ),
                    code="gap",
                )
            current = _next_batch(session, limit)
    return anchored


def _head_params(session: Session) -> dict[str, int | str]:
    """The audit chain's head as a push carries it (query parameters: signed with the request)."""
    with session.read() as s:
        seq, digest = head(s)
    return {ANCHOR_SEQ_PARAM: seq, ANCHOR_HASH_PARAM: digest}


def said_limit(response: httpx.Response, header: str, base: int, most: int) -> int:
    """How many changes the next push or pull page may carry with the server that gave ``response``: what its
    answers say (``header``: PUSH_MAX_HEADER, PULL_MAX_HEADER; fewer than ``base`` too, a server may be set up
    so), never more than this desk handles (``most``); ``base`` when they say nothing usable (every server of the
    protocol version before the header takes that many). Fewer, bigger requests: a push and a page each have
    fixed costs (a signed request, on the server a transaction and for a push the device's lock and a durable
    commit, on the desk a commit of its encrypted store); with batches of up to 2,000 instead of 500 a
    10,000-case push took about a sixth less time, with pages of 5,000 instead of 2,000 a pull of 10,000 cases
    about a tenth less."""
    said = response.headers.get(header, "")
    if not said.isascii() or not said.isdigit() or int(said) < 1:
        return base
    return min(int(said), most)


def _settle(request: Future[httpx.Response]) -> None:
    """Wait for a request whose answer is of no use any more (whatever became of it, the changes it carried are
    sent again: a change the server took is then answered ``duplicate``)."""
    with suppress(SyncError, httpx.HTTPError):
        request.result()


def _send(
    session: Session,
    channel: Channel,
    pool: ThreadPoolExecutor,
    pushed: _Batch,
    token: CancelToken | None,
    *,
    follows: int | None = None,
    anchor: dict[str, int | str] | None = None,
) -> Future[httpx.Response]:
    """Upload the bytes the batch names (on this thread: they are read from the store), then post the batch
    from a worker thread (``follows``: the last ``device_seq`` of the push still on its way before it;
    ``anchor``: the audit head's parameters, :func:`_head_params`)."""
    cancelled = (lambda: token.cancelled) if token is not None else None
    pushed.unsent = upload_for(session, channel, pushed.changes, cancelled)
    params: dict[str, int | str] = dict(anchor or {})
    if follows is not None:
        params["follows"] = follows
    return pool.submit(channel.call, "POST", "/v1/sync/push", params=params or None, body=pushed.body)


# --- pull ----------------------------------------------------------------------------------------------------


def _pull(
    session: Session, channel: Channel, counts: Counts, token: CancelToken | None, clock: Callable[[], datetime]
) -> tuple[bool, PullHints | None]:
    """Pull and apply pages until the server has no more; returns whether more remained (cancelled) and the
    last page's hints (None from a server before hints, or when cancelled).

    The next page is asked for (from the worker thread) while this one is applied: its cursor is the one this
    page's answer names, which is what the store will hold once this page commits. A page fetched but never
    applied (the process stopped, the apply failed) is simply asked for again next time. The bytes a page's
    documents need are fetched before the next page is asked for, so the channel serves one request at a time."""
    with session.read() as s:
        state = enrolled(s)
        assert state is not None
        after = state.after
    limit = BASE_PULL_LIMIT  # until the server says it serves more (PULL_MAX_HEADER)
    hints: PullHints | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-pull") as pool:
        in_flight: Future[httpx.Response] | None = _ask(pool, channel, after, limit)
        while in_flight is not None:
            response = in_flight.result()
            limit = said_limit(response, PULL_MAX_HEADER, BASE_PULL_LIMIT, MAX_PULL_LIMIT)
            page: PullResponse = _parse(PullResponse, response)
            hints = page.hints
            in_flight = None
            fetched = fetch_for(session, channel, page.changes)  # the bytes the page lacks, checked
            crashpoint("sync.page_received")  # mid-pull: a page is here, not applied
            if page.more and page.next_after <= after:
                raise answer_error("stalled_cursor")
            if page.more and (token is None or not token.cancelled):
                in_flight = _ask(pool, channel, page.next_after, limit)  # on its way while this page is applied
            apply_page(session, page, after=after, counts=counts, offset_s=channel.offset_s, now=clock(), blobs=fetched)
            crashpoint("sync.cursor_saved")  # the page and its cursor committed (the next one may be on its way)
            if token is not None:
                token.report(counts.pulled, None, _progress(counts))
            after = page.next_after
            if page.more and in_flight is None:
                return True, None  # cancelled
    return False, hints


def _ask(pool: ThreadPoolExecutor, channel: Channel, after: int, limit: int) -> Future[httpx.Response]:
    params = {"after": after, "limit": limit, HINTS_PARAM: 1}
    return pool.submit(channel.call, "GET", "/v1/sync/pull", params=params)


def apply_page(
    session: Session,
    page: PullResponse,
    *,
    after: int,
    counts: Counts | None = None,
    offset_s: float,
    now: datetime,
    blobs: Mapping[str, bytes] | None = None,
) -> None:
    """Apply ``page`` and store its ``next_after`` in one transaction (audited with counts when it held rows);
    ``blobs`` are the bytes its documents and attachments need (``fzmediate.sync.blobs.fetch_for``)."""
    counts = counts if counts is not None else Counts()
    if not page.changes and not page.conflicts:
        with session.db.unit_of_work() as s:  # only the cursor moves (past our own changes)
            _set_cursor(s, page.next_after, offset_s)
        return
    details = {"changes": len(page.changes), "after": after, "next_after": page.next_after}
    with session.write("sync.pull", "store", session.store_id, details) as s:
        stage_blobs(s, blobs or {})
        done = apply_changes(s, page.changes, local_device=session.device_id, now=now)
        new_conflicts = store_server_conflicts(s, page.conflicts, now=now)
        _set_cursor(s, page.next_after, offset_s)
    counts.pulled += done.applied
    counts.skipped += done.skipped
    counts.conflicts += done.conflicts + new_conflicts


def _set_cursor(s: OrmSession, next_after: int, offset_s: float) -> None:
    state = enrolled(s)
    assert state is not None
    state.after = next_after
    state.clock_offset_s = offset_s


# --- the audit anchor ----------------------------------------------------------------------------------------


def _anchor(session: Session, channel: Channel) -> None:
    """Send the audit chain's head, so that a rewritten history shows at the server."""
    with session.read() as s:
        seq, digest = head(s)
    channel.call("POST", "/v1/sync/anchor", body=AnchorRequest(seq=seq, hash=digest).model_dump_json().encode())
