"""A push's reads and bookkeeping on PostgreSQL, each in one round trip (psycopg's pipeline mode).

Before merging, a push reads, in its transaction: the device's ``acked_through`` (locking the device's row), the
audit head kept for it (locked too, when the push carries one), which of its change ids are logged already, and
the entities its changes touch (locked in key order). Through the ORM session these were six statements and six
round trips, each with SQLAlchemy's execution layers around it; here they travel together (:func:`read`). Its
bookkeeping writes, the device's new ``acked_through`` and the audit head, travel with the numbered write and
the COMMIT (:func:`~fzmediate.server.numbering.commit_numbered`'s ``before``), ahead of the statement that
takes the counter's lock.

The reads cover every change of the request, not only those after ``acked_through`` (not known until the first
statement has run): a retried push also locks the entities of changes the server already holds, which only
makes it wait where it would have waited anyway. SQLite keeps the session's way (:mod:`fzmediate.server.push`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, cast

from pydantic_core import to_json
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from fzmediate.server.merge import ENTITY_COLUMNS, EntityState, Held
from fzmediate.server.models import Anchor, ChangeLog, Device, Entity
from fzmediate.server.pipeline import Compiled, Step, naive, run_in_session
from fzmediate.sync.protocol import AnchorRequest, Change


@dataclass(frozen=True)
class PushReads:
    """What a push reads before it merges: ``acked`` (None: no such device), the audit head kept (sequence and
    hash; None: none yet, or the push carries none), the change ids logged already, the entities (None: not
    held)."""

    acked: int | None
    anchor: tuple[int, str] | None
    ids_taken: set[str]
    held: Held


def read(session: Session, device_id: str, changes: Sequence[Change], *, anchor: bool) -> PushReads:
    """The reads of a push of ``changes`` by ``device_id``, in ``session``'s transaction, in one round trip
    (``anchor``: the push carries an audit head, whose row is read and locked too)."""
    keys = sorted({(c.entity, c.entity_id) for c in changes})
    steps = [Step(_LOCK_DEVICE_SQL, {"device_id": device_id})]
    if anchor:
        steps.append(Step(_LOCK_ANCHOR, {"device_id": device_id}))
    steps += [
        Step(_IDS_TAKEN, {"ids": to_json(sorted({c.change_id for c in changes})).decode()}),
        Step(_ENTITIES, {"keys": to_json(keys).decode()}),
    ]
    rows = run_in_session(session, steps)
    device, *head, taken, entities = rows
    held: Held = dict.fromkeys(keys)
    for row in entities:
        values = dict(zip(ENTITY_COLUMNS, row, strict=True))
        state = EntityState(**values, loaded_version=values["version"])
        held[(state.entity, state.entity_id)] = state
    kept = head[0][0] if head and head[0] else None
    return PushReads(
        acked=int(device[0][0]) if device else None,
        anchor=(int(kept[0]), str(kept[1])) if kept is not None else None,
        ids_taken={str(r[0]) for r in taken},
        held=held,
    )


def acked_step(device_id: str, acked: int) -> Step:
    """The device's new ``acked_through``, as a statement for :func:`~fzmediate.server.numbering.commit_numbered`'s
    ``before`` (its row is locked by :func:`read`)."""
    return Step(_ACK_SQL, ack_values(device_id, acked))


def ack_values(device_id: str, acked: int) -> dict[str, Any]:
    """:data:`ACK`'s values."""
    return {"b_device": device_id, "b_acked": acked}


def anchor_step(device_id: str, head: AnchorRequest, now: datetime) -> Step:
    """The device's audit chain head kept (inserted or replaced), as a statement for ``before``."""
    return Step(_KEEP_ANCHOR, {"device_id": device_id, "seq": head.seq, "hash": head.hash, "now": naive(now)})


def write(session: Session, steps: list[Step]) -> None:
    """``steps`` in ``session``'s transaction, in one round trip (a push that numbers nothing in one)."""
    if steps:
        run_in_session(session, steps)


_DEVICES: Final = cast(Table, Device.__table__)
_ANCHORS: Final = cast(Table, Anchor.__table__)
_LOG: Final = cast(Table, ChangeLog.__table__)
_ENTITY_TABLE: Final = cast(Table, Entity.__table__)

#: The device's ``acked_through``, its row locked until the commit; and its new value (:func:`ack_values`). Plain
#: statements, built once, for both databases (through the ORM, loading and flushing the whole device was a
#: twentieth of a push's server time); PostgreSQL sends them compiled, in its pipelines.
LOCK_DEVICE: Final = (
    select(_DEVICES.c.acked_through).where(_DEVICES.c.device_id == bindparam("device_id")).with_for_update()
)
ACK: Final = (
    update(_DEVICES).where(_DEVICES.c.device_id == bindparam("b_device")).values(acked_through=bindparam("b_acked"))
)
_LOCK_DEVICE_SQL: Final = Compiled.of(LOCK_DEVICE)
_ACK_SQL: Final = Compiled.of(ACK)
_LOCK_ANCHOR: Final = Compiled.of(
    select(_ANCHORS.c.seq, _ANCHORS.c.hash).where(_ANCHORS.c.device_id == bindparam("device_id")).with_for_update()
)
#: The ids travel as one JSON array (psycopg dumps a list parameter value by value in Python: twice the CPU),
#: looked up as ``= ANY(ARRAY(…))``: by the index whatever the table's statistics say (as ``IN (SELECT …)`` the
#: planner, told 3,700 rows by statistics of a young table since grown to 14,000, scanned all of them).
_IDS_TAKEN: Final = Compiled(
    "SELECT {c} FROM {t} WHERE {c} = ANY(ARRAY(SELECT json_array_elements_text(CAST(%(ids)s AS json))))".format(
        c=_LOG.c.change_id.name, t=_LOG.name
    ),
    {},
)
#: Each key looked up (and its row locked) by the primary key, in the order of the JSON array (sorted by
#: :func:`read`, so two pushes touching the same entities wait for each other instead of deadlocking): a
#: subquery with a locking clause is not merged into a join, so the planner cannot choose to scan the table.
_ENTITIES: Final = Compiled(
    "SELECT e.* FROM json_array_elements(CAST(%(keys)s AS json)) AS k CROSS JOIN LATERAL "
    "(SELECT {cols} FROM {t} WHERE entity = k->>0 AND entity_id = k->>1 FOR UPDATE) AS e".format(
        cols=", ".join(ENTITY_COLUMNS), t=_ENTITY_TABLE.name
    ),
    {},
)
_NEW_HEAD: Final = pg_insert(_ANCHORS).values(
    device_id=bindparam("device_id"), seq=bindparam("seq"), hash=bindparam("hash"), updated_at=bindparam("now")
)
_KEEP_ANCHOR: Final = Compiled.of(
    _NEW_HEAD.on_conflict_do_update(
        index_elements=[_ANCHORS.c.device_id],
        set_={
            "seq": _NEW_HEAD.excluded.seq,
            "hash": _NEW_HEAD.excluded.hash,
            "updated_at": _NEW_HEAD.excluded.updated_at,
        },
    )
)
