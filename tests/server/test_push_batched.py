"""Push takes a request's changes in a bounded number of SQL statements, whatever the number of changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from fzmediate.server.models import ChangeLog, ConflictRow, Entity
from tests.server.harness import Server
from tests.support import sql_statements

#: Statements one push may run besides its changes' work: signature, nonce, rate bucket, device, counter…
_BOUND = 60


def _statuses(answer: dict[str, Any]) -> list[str]:
    return [r["status"] for r in answer["results"]]


def test_a_500_change_push_runs_a_bounded_number_of_statements(server: Server) -> None:
    a, b = server.enroll(), server.enroll()
    # b holds 100 cases a will edit: half of a's edits meet b's own edit of the same field (conflicts).
    held = [b.change("case", "held-{0}".format(i), "create", {"title": "甲", "note": "x"}) for i in range(100)]
    assert set(_statuses(b.push(*held))) == {"applied"}
    b.push(
        *[
            b.change("case", "held-{0}".format(i), "patch", {"note": {"old": "x", "new": "b"}}, base_version=1)
            for i in range(0, 100, 2)
        ]
    )
    batch = []
    for i in range(200):  # a new case, then an edit of it in the same request: the edit sees the create
        batch.append(a.change("case", "new-{0}".format(i), "create", {"title": "乙", "note": "x"}))
        batch.append(
            a.change("case", "new-{0}".format(i), "patch", {"title": {"old": "乙", "new": "丙"}}, base_version=1)
        )
    for i in range(100):
        batch.append(
            a.change("case", "held-{0}".format(i), "patch", {"note": {"old": "x", "new": "a"}}, base_version=1)
        )
    assert len(batch) == 500
    with sql_statements(server.app.state.db.engine) as seen:
        answer = a.push(*batch)
    assert answer["acked_through"] == 500
    statuses = _statuses(answer)
    assert statuses.count("conflict") == 50 and statuses.count("applied") == 450
    assert len(seen) <= _BOUND, len(seen)
    with server.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ChangeLog)) == 100 + 50 + 500
        assert s.scalar(select(func.count()).select_from(ConflictRow)) == 50
        new = s.get(Entity, ("case", "new-7"))
        assert new is not None and new.fields == {"title": "丙", "note": "x"} and new.version == 2
        assert new.last_server_seq is not None
        edited, kept = s.get(Entity, ("case", "held-1")), s.get(Entity, ("case", "held-2"))
        assert edited is not None and edited.fields["note"] == "a"
        assert kept is not None and kept.fields["note"] == "b"


def test_a_retried_500_change_push_runs_a_bounded_number_of_statements(server: Server) -> None:
    a = server.enroll()
    batch = [a.change("case", "c-{0}".format(i), "create", {"title": "甲"}) for i in range(500)]
    first = a.push(*batch)
    with sql_statements(server.app.state.db.engine) as seen:
        again = a.push(*batch)
    assert set(_statuses(again)) == {"duplicate"}
    assert [r["server_seq"] for r in again["results"]] == [r["server_seq"] for r in first["results"]]
    assert len(seen) <= _BOUND, len(seen)
