"""``kill -9`` at every step of a re-key (removing a user), at random instants, and inside ``PRAGMA rekey``.

A re-key deactivates the user, writes the new slots to ``keyslots.pending.json``, re-encrypts every page
in one rollback-journal transaction, then promotes the pending slots. After a kill at any instant, the next
unlock must find a store that:

- every remaining user's password opens, and whose check passes (pages, cipher, audit chain);
- the removed user's old slot cannot open — once the removal was committed (always, if it was
  acknowledged): their password opens nothing and their old key no longer opens the database;
- keeps every write acknowledged before.

And the reported data loss — a crash inside ``PRAGMA rekey`` leaves a hot ``fzmediate.db-journal``; a
``restore`` then applied that journal to the restored database, so both it and the kept copy were
unreadable — is replayed: after each kill the crashed directory is restored from a backup directly, and
both the restored store and the kept ``backups/replaced-*`` copy must open with their passwords.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fzmediate.errors import AuthenticationError, StoreDamagedError
from fzmediate.security.keyslots import KeySlotFile
from fzmediate.services.workspace import Workspace
from fzmediate.store.database import Database
from tests.reliability.forked import Point, ram_folder, run_forked, timed, trace_points
from tests.support import ADMIN_PW, FAST_KDF, MEDIATOR_PW, MEDIATOR_PW_2, SUPERVISOR_PW, soak_scale

USERS = {"admin": ADMIN_PW, "med1": MEDIATOR_PW, "med2": MEDIATOR_PW_2, "sup": SUPERVISOR_PW}
REMOVED = "med2"
JOURNAL = "fzmediate.db-journal"


@dataclass(frozen=True)
class World:
    live: Path
    backup: Path


@pytest.fixture(scope="module")
def ram(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with ram_folder(tmp_path_factory.mktemp("rekey-kill9")) as folder:
        yield folder


@pytest.fixture(scope="module")
def world(ram: Path) -> World:
    live = Workspace(ram / "live", kdf=FAST_KDF)
    live.initialize("admin", ADMIN_PW)
    with live.unlock("admin", ADMIN_PW) as s:
        s.users.add("med1", "mediator", MEDIATOR_PW)
        s.users.add("med2", "mediator", MEDIATOR_PW_2)
        s.users.add("sup", "supervisor", SUPERVISOR_PW)
        s.maintenance.backup(ram / "live.fzbackup")
    return World(live=ram / "live", backup=ram / "live.fzbackup")


def fresh(world: World, into: Path) -> Path:
    shutil.rmtree(into, ignore_errors=True)
    shutil.copytree(world.live, into)
    return into


def remove_user(data: Path) -> None:
    with Workspace(data, kdf=FAST_KDF).unlock("admin", ADMIN_PW) as s:
        s.users.remove(REMOVED)


def examine(data: Path, world: World, *, acknowledged: bool) -> bool:
    """Check the store as the next unlock finds it; returns whether the removal took effect."""
    ws = Workspace(data, kdf=FAST_KDF)
    assert ws.is_initialized()
    with ws.unlock("admin", ADMIN_PW) as s:
        report = s.maintenance.check()
        assert report.ok, report.problems
        active = {u.login for u in s.users.list()}
        known = {u.login for u in s.users.list(include_removed=True)}
    assert known == set(USERS), known  # every user added before (acknowledged) is there
    removed = REMOVED not in active
    assert removed or not acknowledged, "an acknowledged removal was lost"
    assert not ws.paths.pending_slots.exists() and not (data / JOURNAL).exists()
    slots = KeySlotFile.load(ws.paths.slots)
    for login in active - {"admin"}:
        Database.probe(ws.paths.db, slots.open("user", login, USERS[login].encode("utf-8")))
    if removed:
        assert REMOVED not in slots.logins()
        with pytest.raises(AuthenticationError):
            slots.open("user", REMOVED, USERS[REMOVED].encode("utf-8"))
        old_key = KeySlotFile.load(world.live / "keyslots.json").open("user", REMOVED, USERS[REMOVED].encode())
        with pytest.raises(StoreDamagedError):
            Database.probe(ws.paths.db, old_key)  # the key they may have copied opens nothing now
    return removed


def restore_over_crash(crashed: Path, world: World, scratch: Path) -> None:
    """Restore a backup straight over a directory left by a crash; both stores must stay readable."""
    target = scratch / "restored"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(crashed, target)
    kept = Workspace(target, kdf=FAST_KDF).restore(world.backup, "admin", ADMIN_PW)
    assert kept is not None
    assert not (target / JOURNAL).exists()
    with Workspace(target, kdf=FAST_KDF).unlock("admin", ADMIN_PW) as s:
        assert s.maintenance.check().ok
        assert {u.login for u in s.users.list()} == set(USERS)  # the backup's users, removal undone
    copy = scratch / "kept"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(kept, copy)
    examine(copy, world, acknowledged=False)


def rekey_steps(points: list[Point]) -> list[Point]:
    first = next(i for i, p in enumerate(points) if p.name.startswith("rekey."))
    last = max(i for i, p in enumerate(points) if p.name.startswith("rekey."))
    return points[first : last + 2]  # through the audit write that follows the promotion


@pytest.mark.slow
@pytest.mark.soak
def test_kill9_at_every_step_of_rekey_then_restore(world: World, ram: Path) -> None:
    scratch = ram / "steps"
    scratch.mkdir()
    data = scratch / "data"
    points = rekey_steps(trace_points(lambda: remove_user(fresh(world, data)), scratch / "trace"))
    names = [p.name for p in points]
    for step in ("rekey.user-deactivated", "rekey.pending-written", "rekey.journal-mode", "rekey.slots-promoted"):
        assert step in names
    assert examine(data, world, acknowledged=True)
    for point in points:
        target = fresh(world, data)
        outcome = run_forked(lambda t=target: remove_user(t), crashpoint=point.spec)
        assert outcome.killed and not outcome.error, (point, outcome.error)
        if point.name.startswith("rekey."):  # the states a re-key leaves: replay "crash, then restore"
            crashed = scratch / "crashed"
            shutil.rmtree(crashed, ignore_errors=True)
            shutil.copytree(data, crashed)
            restore_over_crash(crashed, world, scratch)
        examine(data, world, acknowledged=False)


@pytest.mark.slow
@pytest.mark.soak
def test_kill9_inside_pragma_rekey_and_at_random_instants(world: World, ram: Path) -> None:
    """Half the kills are aimed inside ``PRAGMA rekey`` (a hot rollback journal), half anywhere."""
    scratch = ram / "random"
    scratch.mkdir()
    data = scratch / "data"
    points = trace_points(lambda: remove_user(fresh(world, data)), scratch / "trace")
    at = {p.name: p.at for p in points}
    rekey_time = at["rekey.pages-rewritten"] - at["rekey.journal-mode"]
    duration = timed(lambda: remove_user(fresh(world, data)))
    rng = random.Random(20261206)
    rounds = soak_scale(45, 800)
    outcomes = {"removed": 0, "kept": 0, "hot-journal": 0}
    for n in range(rounds):
        target = fresh(world, data)
        if n % 2 == 0:  # a timer started as the re-key begins: the kill lands inside PRAGMA rekey
            inside = "rekey.journal-mode#1@{0:.6f}".format(rng.uniform(0.0, rekey_time))
            outcome = run_forked(lambda t=target: remove_user(t), crashpoint=inside)
        else:
            outcome = run_forked(lambda t=target: remove_user(t), kill_after=rng.uniform(0.0, duration * 1.1))
        assert not outcome.error, outcome.error
        hot = (data / JOURNAL).exists()
        outcomes["hot-journal"] += hot
        if hot and outcomes["hot-journal"] <= 3:
            crashed = scratch / "crashed"
            shutil.rmtree(crashed, ignore_errors=True)
            shutil.copytree(data, crashed)
            restore_over_crash(crashed, world, scratch)
        removed = examine(data, world, acknowledged=outcome.acknowledged)
        outcomes["removed" if removed else "kept"] += 1
    print("kill -9 during re-key:", outcomes)  # shown with -s: how the kills landed
    assert outcomes["removed"] and outcomes["kept"], outcomes
    assert outcomes["hot-journal"], "no kill landed inside PRAGMA rekey: {0}".format(outcomes)
