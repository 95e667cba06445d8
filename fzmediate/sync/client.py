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
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError as PydanticError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.errors import FzError, StoreDamagedError
from fzmediate.i18n import _
from fzmediate.security.audit import head
from fzmediate.security.crashpoints import crashpoint
from fzmediate.security.permissions import may
from fzmediate.services.numbering import DEVICE_CODE_KEY
from fzmediate.store.models import Meta, OutboxEntry, SyncConflict, SyncState
from fzmediate.store.outbox import pending
from fzmediate.sync.apply import MODELS, apply_changes, store_server_conflicts
from fzmediate.sync.http import Channel, RetryPolicy, SyncError, answer_error, http_client
from fzmediate.sync.protocol import (
    MAX_BODY_BYTES,
    MAX_PULL_LIMIT,
    MAX_PUSH_CHANGES,
    AnchorRequest,
    Change,
    EnrollRequest,
    EnrollResponse,
    PullResponse,
    PushRequest,
    PushResponse,
)
from fzmediate.sync.signing import public_b64

if TYPE_CHECKING:
    from fzmediate.desk.token import CancelToken
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

#: Push answers that mean "the server holds this change": the outbox row may go.
HELD: Final = frozenset({"applied", "merged", "duplicate", "conflict"})
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


@dataclass(frozen=True)
class SyncReport:
    """What one sync did: counts only (no personal data), also kept in ``sync_state.last_report``."""

    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    errors: int = 0
    up_to_date: bool = False
    #: Pulled changes that needed nothing (already here, or not a desk's kind of row).
    skipped: int = 0
    clock_offset_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _device_now(session: Session, now: Callable[[], datetime] | None) -> Callable[[], datetime]:
    return now if now is not None else session.now


def _naive(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo is not None else at


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
) -> EnrollResult:
    """Enroll this desk with the district server using a one-time ``code`` (administrators; once)."""
    may(session, "sync.enroll").require()
    already = _("This desk is already enrolled with a district server; nothing was changed.")
    with session.read() as s:
        if enrolled(s) is not None:
            raise AlreadyEnrolledError(already)
    key = Ed25519PrivateKey.generate()
    clock = _device_now(session, now)
    request = EnrollRequest(
        code=code.strip(), device_id=session.device_id, public_key=public_b64(key), role="desk", label=label
    )
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
                enrolled_at=_naive(clock()),
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
        answer.device_id, answer.unit, answer.unit_name, answer.device_code, server_url, channel.offset_s
    )


# --- sync ------------------------------------------------------------------------------------------------------


@dataclass
class _Counts:
    pushed: int = 0
    pulled: int = 0
    skipped: int = 0
    conflicts: int = 0
    errors: int = 0


def sync(
    session: Session,
    *,
    transport: httpx.BaseTransport | None = None,
    token: CancelToken | None = None,
    now: Callable[[], datetime] | None = None,
    retry: RetryPolicy | None = None,
) -> SyncReport:
    """Push the outbox, pull what others changed, send the audit head; one audit event with the counts."""
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
    counts = _Counts()
    with http_client(server_url, transport=transport, ca_pem=ca_pem) as client:
        channel = Channel(
            client,
            now=clock,
            offset_s=offset,
            device_id=session.device_id,
            key=Ed25519PrivateKey.from_private_bytes(key_raw),
            retry=retry,
        )
        _push(session, channel, counts, token)
        more = _pull(session, channel, counts, token, clock)
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
        clock_offset_s=round(channel.offset_s, 3),
    )
    with session.write("sync.run", "store", session.store_id, report.as_dict()) as s:
        row = enrolled(s)
        assert row is not None
        row.last_sync_at = _naive(clock())
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


def _progress(counts: _Counts) -> str:
    """What a progress report says so far (counts only)."""
    return _("Sent {pushed} changes, received {pulled}…").format(pushed=counts.pushed, pulled=counts.pulled)


# --- push ----------------------------------------------------------------------------------------------------


def _wire(row: OutboxEntry) -> Change:
    return Change(
        change_id=row.change_id,
        device_seq=row.device_seq,
        entity=row.entity,
        entity_id=row.entity_id,
        op=row.op,  # type: ignore[arg-type]  # the outbox only ever holds the four ops
        base_version=row.base_version,
        version=row.version,
        payload=row.payload,
        actor=row.actor,
        created_at=row.created_at.replace(tzinfo=UTC),
        schema_version=row.schema_version,
    )


def batch(rows: list[OutboxEntry]) -> list[Change]:
    """The longest prefix of ``rows`` within the push limits (one change even when it alone is larger)."""
    out: list[Change] = []
    size = _ENVELOPE
    for row in rows[:MAX_PUSH_CHANGES]:
        change = _wire(row)
        n = len(change.model_dump_json().encode()) + 1
        if out and size + n > MAX_BODY_BYTES:
            break
        out.append(change)
        size += n
    return out


def _push(session: Session, channel: Channel, counts: _Counts, token: CancelToken | None) -> None:
    stalled = 0
    while True:
        if token is not None:
            token.check()
        with session.read() as s:
            changes = batch(pending(s, limit=MAX_PUSH_CHANGES))
            state = enrolled(s)
            assert state is not None
            acked_before = state.acked_through
        if not changes:
            return
        crashpoint("sync.outbox_read")  # the outbox rows are committed; nothing sent yet
        body = PushRequest(changes=changes).model_dump_json().encode()
        response = channel.call("POST", "/v1/sync/push", body=body)
        crashpoint("sync.pushed")  # the server committed; its answer is not looked at yet
        answer: PushResponse = _parse(PushResponse, response)
        sent = {c.device_seq: c for c in changes}
        crashpoint("sync.before_ack")  # the answer is read; the acknowledging transaction has not run
        _acknowledge(session, channel, answer, sent, counts)
        crashpoint("sync.acked")
        if answer.acked_through > acked_before:
            stalled = 0
            if token is not None:
                token.report(counts.pushed, None, _progress(counts))
            continue
        # No progress: the server wants a change from before our first one (which we deleted once it was
        # acknowledged), or it answers gap for what we resend. Stop rather than loop.
        stalled += 1
        if changes[0].device_seq > answer.acked_through + 1 or stalled >= 2:
            raise SyncError(
                _("The district server lacks changes this desk no longer holds ({code}); ask district IT.").format(
                    code="gap"
                ),
                code="gap",
            )


def _acknowledge(
    session: Session, channel: Channel, answer: PushResponse, sent: dict[int, Change], counts: _Counts
) -> None:
    """Delete the acknowledged outbox rows and store ``acked_through``, in one transaction. A rejected change
    is kept whole in sync_conflicts (the server will never take it; a person decides)."""
    acked = answer.acked_through
    with session.db.unit_of_work() as s:
        state = enrolled(s)
        assert state is not None
        for result in answer.results:
            change = sent.get(result.device_seq)
            if change is None or result.device_seq > acked:
                continue
            if result.status in HELD:
                counts.pushed += 1
                _adopt_version(s, change, result.version)
            if result.status == "conflict":
                counts.conflicts += 1
            elif result.status == "rejected":
                counts.errors += 1
                _keep_rejected(s, change, result.reason, session.device_id)
        s.execute(
            delete(OutboxEntry).where(OutboxEntry.device_id == session.device_id, OutboxEntry.device_seq <= acked)
        )
        state.acked_through = max(state.acked_through, acked)
        state.clock_offset_s = channel.offset_s


def _adopt_version(s: OrmSession, change: Change, version: int | None) -> None:
    """Versions are the server's: the row takes the server's version of the change it acknowledged, unless
    the row changed here since (its own later change will be acknowledged with a newer one)."""
    model = MODELS.get(change.entity)
    if version is None or model is None:
        return
    row = s.get(model, change.entity_id)
    if row is not None and getattr(row, "version", None) == change.version and version != change.version:
        row.version = version  # type: ignore[attr-defined]  # every versioned model has it


def _keep_rejected(s: OrmSession, change: Change, reason: str | None, device_id: str) -> None:
    conflict_id = str(uuid.uuid5(uuid.NAMESPACE_OID, "fzmediate-rejected:" + change.change_id))
    if s.get(SyncConflict, conflict_id) is not None:
        return
    s.add(
        SyncConflict(
            conflict_id=conflict_id,
            origin="server",
            entity=change.entity,
            entity_id=change.entity_id,
            field="*",
            base_value={"op": change.op, "rejected": reason or "", "version": change.version},
            server_value=None,
            client_value=change.payload,
            client_device=device_id,
            client_actor=change.actor,
            created_at=_naive(change.created_at),
        )
    )


# --- pull ----------------------------------------------------------------------------------------------------


def _pull(
    session: Session, channel: Channel, counts: _Counts, token: CancelToken | None, clock: Callable[[], datetime]
) -> bool:
    """Pull and apply pages until the server has no more; returns whether more remained (cancelled)."""
    while True:
        if token is not None and token.cancelled:
            return True
        with session.read() as s:
            state = enrolled(s)
            assert state is not None
            after = state.after
        page: PullResponse = _parse(
            PullResponse,
            channel.call("GET", "/v1/sync/pull", params={"after": after, "limit": MAX_PULL_LIMIT}),
        )
        crashpoint("sync.page_received")  # mid-pull: a page is here, not applied
        apply_page(session, page, after=after, counts=counts, offset_s=channel.offset_s, now=clock())
        crashpoint("sync.cursor_saved")  # the page and its cursor committed; the next page not asked for
        if token is not None:
            token.report(counts.pulled, None, _progress(counts))
        if not page.more:
            return False
        if page.next_after <= after:
            raise answer_error("stalled_cursor")


def apply_page(
    session: Session, page: PullResponse, *, after: int, counts: _Counts | None = None, offset_s: float, now: datetime
) -> None:
    """Apply ``page`` and store its ``next_after`` in one transaction (audited with counts when it held rows)."""
    counts = counts if counts is not None else _Counts()
    if not page.changes and not page.conflicts:
        with session.db.unit_of_work() as s:  # only the cursor moves (past our own changes)
            _set_cursor(s, page.next_after, offset_s)
        return
    details = {"changes": len(page.changes), "after": after, "next_after": page.next_after}
    with session.write("sync.pull", "store", session.store_id, details) as s:
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
