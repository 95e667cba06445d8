"""Each fault of the proxy, aimed at the first push and at the first pull of a sync, keeps the invariants;
and the proxy's choices are a function of its seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sync.fault.proxy import ACTIONS, FaultTransport
from tests.sync.fault.scenario import Outcome, Templates, World

#: The world of the ``sqlite_world`` fixture (tests/sync/fault/conftest.py): two desks.
WORLD_SEED = 11
WORLD_DESKS = 2


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("target", ["push", "pull"])
def test_one_fault_then_healing_keeps_the_invariants(sqlite_world: World, action: str, target: str) -> None:
    world = sqlite_world
    a, b = world.desks
    world.create(a)
    world.create(b)
    world._sync(b, None, 1, None)
    if target == "pull":
        world._sync(a, None, 1, None)  # pushed: a's next sync is all pull
        world.create(b)
        world._sync(b, None, 1, None)
    a.transport.actions, a.transport.rate, a.transport.budget = (action,), 1.0, 1
    world._sync(a, None, 1, None)  # may fail (a truncated answer is not acted on): the next sync resumes
    assert world.ledger.actions.get(action) == 1
    a.transport.budget = None
    world.heal(Outcome())
    assert not world.oracle.failures, world.oracle.failures


def test_the_faults_follow_the_seed() -> None:
    picks = []
    for _ in range(2):
        transport = FaultTransport(["http://127.0.0.1:9"], seed=42, rate=0.5)
        picks.append([transport._pick() for _ in range(200)])
    assert picks[0] == picks[1]
    assert set(picks[0]) == {"pass", *ACTIONS}


@pytest.mark.parametrize("action", ["drop_response", "reset", "duplicate", "reorder"])
def test_enrollment_survives_a_lost_or_repeated_answer(
    sqlite_world: World, templates: Templates, workdir: Path, action: str
) -> None:
    """The enrollment's answer is lost after the server burnt the code: the client's retry (same code, same
    key) gets the same answer again, and the desk then syncs like any other."""
    world = sqlite_world
    from fzmediate.services.workspace import Workspace
    from fzmediate.sync.client import enroll
    from tests.support import ADMIN_PW, FAST_KDF
    from tests.sync.fault.scenario import NO_WAIT, Desk, SkewClock

    path = templates.copy(2, workdir / "late-desk")
    clock = SkewClock(-3 * 86400)
    ws = Workspace(path, kdf=FAST_KDF, clock=clock)
    transport = FaultTransport(world.district.urls, seed=5, rate=1.0, actions=(action,), ledger=world.ledger)
    transport.budget = 1
    desk = Desk("late", ws, ws.unlock("admin", ADMIN_PW), clock, transport)
    world.desks.append(desk)
    enroll(desk.session, world.district.urls[0], world.district.code(), transport=transport, retry=NO_WAIT)
    world.create(world.desks[0])
    world.create(desk)
    world.heal(Outcome())
    assert not world.oracle.failures, world.oracle.failures
