"""Kill -9 at each crash point of the sync client (a real child process), resume with a fresh client, and
check the invariants; I7: the resumed desk ends equal to a desk that synced without interruption.

Desk 0 crashes: it holds two cases not pushed yet; desk 1 pushed a case before (so desk 0's pull has several
pages of three); desk 2 is the reference that syncs uninterrupted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sync.fault import oracle as checks
from tests.sync.fault.district import UNIT
from tests.sync.fault.scenario import World

ROOT = Path(__file__).resolve().parents[3]
#: The world of the ``sqlite_world`` fixture (tests/sync/fault/conftest.py): three desks.
WORLD_SEED = 7
WORLD_DESKS = 3
POINTS = [
    "sync.outbox_read",
    "sync.pushed",
    "sync.before_ack",
    "sync.acked",
    "sync.page_received",
    "sync.page_received#2",
    "sync.cursor_saved",
    "sync.cursor_saved#2",
]


def _child(world: World, desk_no: int, crashpoint: str | None) -> subprocess.CompletedProcess[str]:
    desk = world.desks[desk_no]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("FZMEDIATE_CRASHPOINT", None)
    if crashpoint:
        env["FZMEDIATE_CRASHPOINT"] = crashpoint
    world.release(desk)
    try:
        return subprocess.run(
            [sys.executable, "-m", "tests.sync.fault.child", str(desk.ws.paths.root), str(desk.clock.skew_s)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        world.reopen(desk)


@pytest.mark.parametrize("point", POINTS)
def test_a_sync_killed_at_a_crash_point_resumes_to_the_same_state(sqlite_world: World, point: str) -> None:
    world = sqlite_world
    crashing, other, reference = world.desks
    world.create(other)
    world.create(other)
    assert world._sync(other, None, 1, None) is not None
    world.create(crashing)
    world.create(crashing)
    world.correct(crashing)

    died = _child(world, 0, point)
    assert died.returncode == -signal.SIGKILL, (died.returncode, died.stderr[-2000:])
    world.oracle.note_cursor(crashing.session)

    resumed = _child(world, 0, None)  # a fresh client, in a fresh process
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    world.oracle.note_cursor(crashing.session)
    for desk in (other, reference, crashing, other, reference):
        assert world._sync(desk, None, 1, None) is not None

    checks.check_server(world.oracle, world.ledger, world.district.db)
    for desk in world.desks:
        checks.check_desk(world.oracle, desk.session, world.district.db, UNIT, desk.name)
    assert not world.oracle.failures, world.oracle.failures
    # I7: the desk killed mid-sync holds what the uninterrupted reference holds, and what the server holds.
    db = world.district.db
    hashes = {checks.state_hash(checks.converged_state(d.session, db, UNIT)) for d in (crashing, reference)}
    assert hashes == {checks.state_hash(checks.converged_state(None, db, UNIT))}
