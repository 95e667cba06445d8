"""The district view: case statistics across every unit, from what the desks pushed (issue item 7).

Figures, with the desk's definitions (:mod:`fzmediate.services.statistics`): cases received, outcomes, cases
concluded, agreement rate, median duration, open cases, overdue cases and overdue rate; in total and by matter,
street (the unit of the desk that registered the case), outcome and month received. Computed from the server's
``entities``: ``case`` entities (not deleted, not voided) and their outcome acts (``case_event`` entities whose
``action`` is one of :data:`~fzmediate.services.stats_dto.OUTCOME_ACTS`; the latest by ``seq`` counts, its
``on_date`` is the concluded date). Only the few fields needed are read, by portable JSON extraction (SQLite
and PostgreSQL), streamed; case free text and parties are never read. *Overdue*: an open case (state neither
closed nor archived) whose ``next_due`` is before today in China.

No personal data leaves here: only counts, codes and catalogue or unit names. Codes a desk sent that do not
look like codes (a matter code must match :data:`CODE`, a month ``YYYY-MM``) are counted under "unknown", so a
misbehaving desk cannot put a name on the page.

Access (docs/sync-protocol.md, "District view"): ``GET /district/`` (HTML) and ``GET /district/stats.json``
are answered only to a request carrying a district token, issued by ``fzmediate-server district-token``:
as the password of HTTP Basic authentication (a browser asks for it; any user name) or as
``Authorization: Bearer``. The server keeps only the tokens' SHA-256. While no token is active the view does
not exist (404).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta, timezone
from functools import lru_cache
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fzmediate.i18n import _
from fzmediate.server.db import Database
from fzmediate.server.models import DistrictToken, Entity, Unit
from fzmediate.services.stats_dto import OUTCOME_ACTS, Dimension, Outcome, StatRow, outcome_label

CHINA: Final = timezone(timedelta(hours=8), "Asia/Shanghai")
#: States of a closed case file (not "open" for the overdue rate), and of a voided registration (not counted).
CLOSED_STATES: Final = frozenset({"closed", "archived"})
VOIDED_STATE: Final = "voided"
#: What a matter code looks like; anything else is counted as unknown.
CODE: Final = re.compile(r"[A-Za-z0-9_.\-]{1,32}")
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}(?:$|[T ])")
UNKNOWN: Final = "?"
#: The headers every district answer carries: never cached, never framed, nothing loaded from elsewhere.
SECURITY_HEADERS: Final = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
}
REALM: Final = 'Basic realm="fzmediate district", charset="UTF-8"'
TOKEN_BYTES: Final = 24


# --- the figures -------------------------------------------------------------------------------------


@dataclass
class _Group:
    outcomes: dict[Outcome, int] = field(default_factory=dict)
    open: int = 0
    overdue: int = 0
    days: list[int] = field(default_factory=list)

    def add(self, outcome: Outcome, days: int | None, is_open: bool, overdue: bool) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        if days is not None:
            self.days.append(days)
        self.open += is_open
        self.overdue += overdue

    def row(self, key: str, label: str) -> StatRow:
        received = sum(self.outcomes.values())
        concluded = received - self.outcomes.get(Outcome.IN_PROGRESS, 0)
        merits = sum(self.outcomes.get(o, 0) for o in (Outcome.AGREED, Outcome.FAILED, Outcome.DECIDED))
        return StatRow(
            key=key,
            label=label,
            received=received,
            outcomes=tuple((o, self.outcomes[o]) for o in Outcome if o in self.outcomes),
            concluded=concluded,
            success_rate=_ratio(self.outcomes.get(Outcome.AGREED, 0), merits),
            median_days=median(self.days),
            open=self.open,
            overdue=self.overdue,
            overdue_rate=_ratio(self.overdue, self.open),
        )


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def median(values: Iterable[int]) -> float | None:
    """The middle value (odd count) or the mean of the two middle values (even count); None for none."""
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@dataclass(frozen=True)
class DistrictStats:
    """The district's figures: in total and one row per group of each dimension."""

    today: date
    total: StatRow
    by: Mapping[Dimension, tuple[StatRow, ...]]

    def as_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "total": row_json(self.total),
            "by": {str(d): [row_json(r) for r in rows] for d, rows in self.by.items()},
        }


def row_json(row: StatRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "received": row.received,
        "outcomes": {str(o): n for o, n in row.outcomes},
        "concluded": row.concluded,
        "agreement_rate": row.success_rate,
        "median_days": row.median_days,
        "open": row.open,
        "overdue": row.overdue,
        "overdue_rate": row.overdue_rate,
    }


def _day(value: Any) -> date | None:
    """An ISO date (``YYYY-MM-DD``, maybe followed by a time), else None: other text is never taken apart (a
    looser parser would read a date, and show a month, out of an ID number sent in its place)."""
    if not isinstance(value, str) or not _DATE.match(value):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _number(value: Any) -> int:
    """A sequence number as sent (SQLite gives JSON numbers as numbers, PostgreSQL as text); -1 for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return -1


def _text(entity: Any, name: str) -> Any:
    return entity.fields[name].as_string()


@lru_cache(maxsize=1)
def matter_names() -> Mapping[str, str]:
    """Matter code → name, from the catalogue that ships with this build (codes alone when it cannot be read)."""
    try:
        from fzmediate.catalogue.bundle import load_shipped_bundle

        return {m.code: m.name for m in load_shipped_bundle().bundle.matters}
    except Exception:  # the catalogue only names rows: the figures stand without it
        return {}


def district_stats(db: Database, today: date | None = None) -> DistrictStats:
    """The figures of every case the server holds (see the module docs); ``today`` defaults to today in China."""
    day = today or db.now().astimezone(CHINA).date()
    outcome_acts = list(OUTCOME_ACTS)
    groups: dict[Dimension, dict[str, _Group]] = {d: {} for d in Dimension}
    total = _Group()
    with db.sessions() as session:
        unit_names = {code: name for code, name in session.execute(select(Unit.code, Unit.name))}
        # The latest outcome act of each case: (seq, action, on_date).
        latest: dict[str, tuple[int, str, date | None]] = {}
        # ``seq`` is read as text and parsed here: a cast in SQL would fail the whole query on one odd value.
        events = select(
            _text(Entity, "case_id"),
            _text(Entity, "seq"),
            _text(Entity, "action"),
            _text(Entity, "on_date"),
        ).where(Entity.entity == "case_event", _text(Entity, "action").in_(outcome_acts))
        for case_id, seq, action, on_date in _stream(session, events):
            if case_id is None:
                continue
            seen = latest.get(case_id)
            order = _number(seq)
            if seen is None or order >= seen[0]:
                latest[case_id] = (order, action, _day(on_date))
        cases = select(
            Entity.entity_id,
            Entity.unit,
            _text(Entity, "matter_code"),
            _text(Entity, "state"),
            _text(Entity, "received_on"),
            _text(Entity, "next_due"),
        ).where(Entity.entity == "case", Entity.deleted.is_(False))
        for case_id, unit, matter, state, received_on, next_due in _stream(session, cases):
            if state == VOIDED_STATE:
                continue
            received = _day(received_on)
            act = latest.get(case_id)
            outcome = OUTCOME_ACTS[act[1]] if act is not None else Outcome.IN_PROGRESS
            days = (act[2] - received).days if act is not None and act[2] and received else None
            is_open = state not in CLOSED_STATES
            due = _day(next_due)
            overdue = is_open and due is not None and due < day
            keys = {
                Dimension.MATTER: matter if isinstance(matter, str) and CODE.fullmatch(matter) else UNKNOWN,
                Dimension.STREET: unit,
                Dimension.OUTCOME: str(outcome),
                Dimension.MONTH: received.isoformat()[:7] if received else UNKNOWN,
            }
            for dimension, key in keys.items():
                groups[dimension].setdefault(key, _Group()).add(outcome, days, is_open, overdue)
            total.add(outcome, days, is_open, overdue)
    names = {
        Dimension.MATTER: dict(matter_names()),
        Dimension.STREET: unit_names,
        Dimension.OUTCOME: {str(o): outcome_label(o) for o in Outcome},
        Dimension.MONTH: {},
    }
    by: dict[Dimension, tuple[StatRow, ...]] = {}
    for dimension, found in groups.items():
        labels = names[dimension]
        rows = [g.row(k, _("Unknown") if k == UNKNOWN else labels.get(k, k)) for k, g in found.items()]
        by[dimension] = _sorted(dimension, rows)
    return DistrictStats(today=day, total=total.row("*", _("All cases")), by=by)


def _sorted(dimension: Dimension, rows: list[StatRow]) -> tuple[StatRow, ...]:
    """Outcomes in their fixed order; other groups by key, "unknown" last."""
    if dimension is Dimension.OUTCOME:
        order = list(Outcome)
        return tuple(sorted(rows, key=lambda r: order.index(Outcome(r.key))))
    return tuple(sorted(rows, key=lambda r: (r.key == UNKNOWN, r.key)))


def _stream(session: Session, query: Any) -> Iterable[tuple[Any, ...]]:
    """The rows of ``query``, fetched in pages (a district holds hundreds of thousands of entities)."""
    for row in session.execute(query.execution_options(yield_per=2000)):
        yield tuple(row)


# --- access ------------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def issue_token(db: Database, label: str = "") -> str:
    """A new district token (printed once; only its hash is kept)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)

    def work(session: Session) -> None:
        session.add(DistrictToken(token_hash=_token_hash(token), label=label[:100], created_at=db.now()))

    db.transaction(work)
    return token


def revoke_tokens(db: Database) -> int:
    """Revoke every active district token; how many were active."""

    def work(session: Session) -> int:
        result = session.execute(
            update(DistrictToken).where(DistrictToken.revoked_at.is_(None)).values(revoked_at=db.now())
        )
        return int(getattr(result, "rowcount", 0) or 0)

    return db.transaction(work)


def active_tokens(db: Database) -> int:
    with db.sessions() as session:
        return len(session.scalars(select(DistrictToken.token_hash).where(DistrictToken.revoked_at.is_(None))).all())


def presented_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization`` header: a Bearer token, or the password of Basic credentials."""
    if not authorization:
        return None
    scheme, _sep, value = authorization.strip().partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        _user, sep, password = decoded.partition(":")
        return password if sep and password else None
    return None


def allowed(db: Database, authorization: str | None) -> bool | None:
    """True for an active token; False for none or another; None when no token is active (the view is off)."""
    token = presented_token(authorization)
    with db.sessions() as session:
        hashes = session.scalars(select(DistrictToken.token_hash).where(DistrictToken.revoked_at.is_(None))).all()
    if not hashes:
        return None
    if token is None:
        return False
    wanted = _token_hash(token)
    # Compared with every active hash, in constant time each: how far a guess matched is never told.
    return any([hmac.compare_digest(wanted, h) for h in hashes])


# --- the endpoints -----------------------------------------------------------------------------------


def install(app: FastAPI, db: Database) -> None:
    """Add ``GET /district/`` and ``GET /district/stats.json`` to ``app``."""
    from fzmediate.server.district_page import render

    def refused(request: Request) -> Response | None:
        verdict = allowed(db, request.headers.get("authorization"))
        if verdict is None:
            return JSONResponse({"error": "not_found"}, status_code=404, headers=SECURITY_HEADERS)
        if not verdict:
            headers = {**SECURITY_HEADERS, "WWW-Authenticate": REALM}
            return JSONResponse({"error": "unauthorized"}, status_code=401, headers=headers)
        return None

    @app.get("/district/stats.json", include_in_schema=False)
    def district_json(request: Request) -> Response:
        return refused(request) or JSONResponse(district_stats(db).as_json(), headers=SECURITY_HEADERS)

    @app.get("/district/", include_in_schema=False)
    def district_page(request: Request) -> Response:
        answer = refused(request)
        if answer is not None:
            return answer
        return HTMLResponse(render(district_stats(db), generated=db.now()), headers=SECURITY_HEADERS)
