"""``kill -9`` at every step of ``restore``, and at random instants: a store is never lost.

Each round copies a prepared data directory, forks a child that restores a backup into it and dies at one
crash point (every point the operation reaches, found by tracing it once) or after a random delay. Then,
in the parent, as at the next start of the app:

- there is a store (unless there was none before and the swap had not begun), no staging folder is left
  and no intent file;
- it is exactly the old store or exactly the new one: old before the intent is on disk, new from then on
  and whenever the child had returned;
- every password valid in that store opens it, and ``check`` passes (pages, cipher, audit chain);
- when the new store is in place, the kept ``backups/replaced-*`` copy opens with the passwords valid
  before, and holds the user added after the backup (an acknowledged write).
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fzmediate.security.keyslots import KeySlotFile
from fzmediate.services.paths import STAGING_PREFIX
from fzmediate.services.workspace import Workspace
from fzmediate.store.database import Database
from tests.reliability.forked import Point, ram_folder, run_forked, timed, trace_points
from tests.support import ADMIN_PW, ADMIN_PW_2, FAST_KDF, MEDIATOR_PW, MEDIATOR_PW_2, OTHER_PW, soak_scale

#: Passwords of each state's users: the store before the restore, and the two backups.
OLD = {"admin": ADMIN_PW_2, "med1": MEDIATOR_PW, "late": MEDIATOR_PW_2}
SAME_BACKUP = {"admin": ADMIN_PW, "med1": MEDIATOR_PW}
FOREIGN_BACKUP = {"admin": OTHER_PW, "stranger": MEDIATOR_PW}


@dataclass(frozen=True)
class World:
    live: Path  # the data directory every round starts from (a copy of it)
    same: Path  # a backup of the live store, made before "late" was added and admin's password changed
    foreign: Path  # a backup of another store


@pytest.fixture(scope="module")
def ram(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with ram_folder(tmp_path_factory.mktemp("restore-kill9")) as folder:
        yield folder


@pytest.fixture
def scratch(ram: Path, request: pytest.FixtureRequest) -> Path:
    folder = ram / request.node.name.replace("[", "-").replace("]", "")
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def world(ram: Path) -> World:
    base = ram / "world"
    live = Workspace(base / "live", kdf=FAST_KDF)
    live.initialize("admin", ADMIN_PW)
    with live.unlock("admin", ADMIN_PW) as s:
        s.users.add("med1", "mediator", MEDIATOR_PW)
        s.maintenance.backup(base / "same.fzbackup")
        s.users.add("late", "mediator", MEDIATOR_PW_2)
        s.users.set_password("admin", ADMIN_PW_2)
    other = Workspace(base / "other", kdf=FAST_KDF)
    other.initialize("admin", OTHER_PW)
    with other.unlock("admin", OTHER_PW) as s:
        s.users.add("stranger", "mediator", MEDIATOR_PW)
        s.maintenance.backup(base / "foreign.fzbackup")
    return World(live=base / "live", same=base / "same.fzbackup", foreign=base / "foreign.fzbackup")


@dataclass(frozen=True)
class Scenario:
    name: str
    start_with_store: bool
    new_users: dict[str, str]
    restore: Callable[[World, Path], object]


SCENARIOS = [
    Scenario(
        "same-store",
        True,
        SAME_BACKUP,
        lambda w, d: Workspace(d, kdf=FAST_KDF).restore(w.same, "admin", ADMIN_PW_2, backup_password=ADMIN_PW),
    ),
    Scenario(
        "replace-store",
        True,
        FOREIGN_BACKUP,
        lambda w, d: Workspace(d, kdf=FAST_KDF).restore(
            w.foreign, "admin", ADMIN_PW_2, backup_password=OTHER_PW, replace_store=True
        ),
    ),
    Scenario(
        "fresh-machine",
        False,
        SAME_BACKUP,
        lambda w, d: Workspace(d, kdf=FAST_KDF).restore(w.same, "admin", ADMIN_PW),
    ),
]


def fresh_round(world: World, scenario: Scenario, into: Path) -> Path:
    shutil.rmtree(into, ignore_errors=True)
    if scenario.start_with_store:
        shutil.copytree(world.live, into)
    return into


def assert_opens(data: Path, users: dict[str, str], *, must_have: str | None = None) -> None:
    """The administrator unlocks the store in ``data`` and its check passes (pages, cipher, audit chain);
    every other password of ``users`` opens its key slot, and that key opens the database."""
    ws = Workspace(data, kdf=FAST_KDF)
    with ws.unlock("admin", users["admin"]) as s:
        report = s.maintenance.check()
        assert report.ok, report.problems
        present = {u.login for u in s.users.list()}
    assert present == set(users), present
    assert must_have is None or must_have in present
    slots = KeySlotFile.load(ws.paths.slots)
    for login, password in users.items():
        if login != "admin":
            Database.probe(ws.paths.db, slots.open("user", login, password.encode("utf-8")))


def examine(data: Path, scenario: Scenario, scratch: Path) -> str:
    """What the next start finds: "old", "new" or "none" (only when there was no store before)."""
    ws = Workspace(data, kdf=FAST_KDF)
    initialized = ws.is_initialized()  # runs the start-up step that finishes an interrupted swap
    leftovers = [p.name for p in data.iterdir() if p.name.startswith(STAGING_PREFIX)] if data.exists() else []
    leftovers += [p.name for p in data.glob(".*.tmp") if not p.name.startswith(".unlock-attempts")]
    assert not leftovers, leftovers
    assert not ws.paths.restore_intent.exists()
    if not initialized:
        assert not scenario.start_with_store, "no store has been set up — the store was lost"
        assert not ws.paths.db.exists()
        return "none"
    logins = set(KeySlotFile.load(ws.paths.slots).logins())
    if logins == set(OLD):
        assert_opens(data, OLD, must_have="late")
        return "old"
    assert logins == set(scenario.new_users), logins
    assert_opens(data, scenario.new_users)
    if scenario.start_with_store:
        kept = sorted((data / "backups").glob("replaced-*"))
        assert len(kept) == 1, kept
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.copytree(kept[0], scratch)
        assert_opens(scratch, OLD, must_have="late")
    return "new"


def swap_steps(points: list[Point]) -> list[Point]:
    """The steps that matter to the swap: from the first ``restore.*`` point on (before it, the restore
    only reads and authenticates; the random kills cover that part too)."""
    first = next(i for i, p in enumerate(points) if p.name.startswith("restore."))
    return points[first:]


def expected_state(points: list[Point], index: int, scenario: Scenario) -> str:
    """Old before the intent file is in place, new from the instant it is (then the swap always completes)."""
    intent = next(i for i, p in enumerate(points) if p.name == "restore.intent-written")
    assert points[intent - 1].name == "atomic.replaced", "the intent is written atomically just before"
    if index >= intent - 1:
        return "new"
    return "old" if scenario.start_with_store else "none"


@pytest.mark.slow
@pytest.mark.soak
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_kill9_at_every_step_of_restore(world: World, scenario: Scenario, scratch: Path) -> None:
    data = scratch / "data"
    points = swap_steps(
        trace_points(lambda: scenario.restore(world, fresh_round(world, scenario, data)), scratch / "trace")
    )
    names = [p.name for p in points]
    assert names.count("restore.moved-new") == 2 and "restore.staged" in names
    assert examine(data, scenario, scratch / "kept") == "new"
    for index, point in enumerate(points):
        target = fresh_round(world, scenario, data)
        outcome = run_forked(lambda t=target: scenario.restore(world, t), crashpoint=point.spec)
        assert outcome.killed and not outcome.error, (point, outcome.error)
        state = examine(data, scenario, scratch / "kept")
        assert state == expected_state(points, index, scenario), (point, state)


@pytest.mark.slow
@pytest.mark.soak
def test_kill9_at_random_instants_of_restore(world: World, scratch: Path) -> None:
    """Half the kills fall anywhere in the operation; half are timed from the moment the staged store is
    ready, so they land at random instants of the swap itself (whatever the machine's load)."""
    rng = random.Random(20261206)
    data = scratch / "data"
    durations, swap_times = {}, {}
    for s in SCENARIOS:
        durations[s.name] = timed(lambda s=s: s.restore(world, fresh_round(world, s, data)))
        at = {
            p.name: p.at for p in trace_points(lambda s=s: s.restore(world, fresh_round(world, s, data)), scratch / "t")
        }
        swap_times[s.name] = at["restore.intent-removed"] - at["restore.staged"]
    seen: dict[str, int] = {"old": 0, "new": 0, "none": 0}
    for n in range(soak_scale(12, 600)):
        scenario = rng.choice(SCENARIOS)
        target = fresh_round(world, scenario, data)
        if n % 2 == 0:
            in_swap = "restore.staged#1@{0:.6f}".format(rng.uniform(0.0, swap_times[scenario.name] * 1.2))
            outcome = run_forked(lambda s=scenario, t=target: s.restore(world, t), crashpoint=in_swap)
        else:
            outcome = run_forked(
                lambda s=scenario, t=target: s.restore(world, t),
                kill_after=rng.uniform(0.0, durations[scenario.name] * 1.1),
            )
        assert not outcome.error, outcome.error
        state = examine(data, scenario, scratch / "kept")
        if outcome.acknowledged:
            assert state == "new", "an acknowledged restore was lost"
        seen[state] += 1
    print("kill -9 during restore:", seen)  # shown with -s: how the kills landed
    assert seen["old"] + seen["none"] and seen["new"], seen  # kills landed before and after the swap
