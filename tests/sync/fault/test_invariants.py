"""Direct checks of the oracle's harder invariants, one situation each (the random scenarios meet them by
chance): I3 a concurrent same-field edit is a conflict everywhere; I4 after it, every difference is covered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from fzmediate.server.models import ConflictRow
from fzmediate.store.models import SyncConflict
from tests.sync.fault import oracle as checks
from tests.sync.fault.district import UNIT, Databases, District, Listener
from tests.sync.fault.scenario import CrashHook, Outcome, Templates, World


@pytest.fixture
def world(
    databases: Databases, listeners: list[Listener], templates: Templates, hook: CrashHook, workdir: Path
) -> Iterator[World]:
    url = databases.fresh()
    district = District(url, listeners if databases.kind == "postgres" else listeners[:1])
    made = World(3, district, templates, workdir, hook, 2)
    try:
        yield made
    finally:
        made.close()
        district.close()
        databases.drop(url)


def test_a_concurrent_same_field_edit_is_a_conflict_on_the_server_and_on_both_desks(world: World) -> None:
    a, b = world.desks
    world.create(a)
    world._sync(a, None, 1, None)
    world._sync(b, None, 1, None)
    (case_id,) = world._known_cases(b)
    for desk, value in ((a, "甲方版本"), (b, "乙方版本")):
        desk.session.cases.correct(case_id, {"summary": value}, "核对原件", reissue=False)
        world.oracle.note_outbox(desk.session)
    world.oracle.concurrent.append(
        checks.Concurrent("case", case_id, "summary", ("甲方版本", "乙方版本"), (a.device_id, b.device_id))
    )
    world.heal(Outcome())
    assert not world.oracle.failures, world.oracle.failures
    with world.district.db.sessions() as s:
        on_server = list(s.scalars(select(ConflictRow).where(ConflictRow.entity_id == case_id)))
    assert {c.field for c in on_server} >= {"summary"}
    for desk in (a, b):
        with desk.session.read() as s:
            fields = {c.field for c in s.scalars(select(SyncConflict).where(SyncConflict.entity_id == case_id))}
        assert "summary" in fields, desk.name
    # Convergence holds for the rest: the server's value stands on the server, each desk's difference is covered.
    assert checks.check_desk(world.oracle, b.session, world.district.db, UNIT, "b") >= 0


def test_a_lost_push_answer_still_teaches_the_server_version(world: World) -> None:
    """The answer to a push is lost after the commit; the retry is answered ``duplicate``, and must still carry
    the version the change made (found by seed 8880012: the desk stayed one version behind the server)."""
    a, b = world.desks
    world.create(a)
    world._sync(a, None, 1, None)
    world._sync(b, None, 1, None)
    (case_id,) = world._known_cases(b)
    b.session.cases.correct(case_id, {"claims": "乙方请求"}, "核对原件", reissue=False)
    world.oracle.note_outbox(b.session)
    world._sync(b, None, 1, None)
    a.session.cases.correct(case_id, {"facts": "甲方事实"}, "核对原件", reissue=False)
    world.oracle.note_outbox(a.session)
    a.transport.actions, a.transport.rate, a.transport.budget = ("drop_response",), 1.0, 1
    assert world._sync(a, None, 1, None) is not None  # the retry within the sync is answered duplicate
    world.heal(Outcome())
    assert not world.oracle.failures, world.oracle.failures
