"""Seeded random scenarios against the real server (tests/sync/fault/scenario.py), on PostgreSQL and SQLite.

``FZ_SYNC_SCENARIOS`` scenarios on PostgreSQL (``make test``: 200; ``make soak``: 2,000) and
``FZ_SYNC_SQLITE_SCENARIOS`` on SQLite (a quick tier: 24, at most as many as on PostgreSQL; ``make soak``: 400);
``FZ_SYNC_WORLD_SIZE`` scenarios per world (fresh server database and desks), ``FZ_SYNC_SEED`` the first world's
seed (a failure names the world: ``FZ_SYNC_SEED=<world> FZ_SYNC_SCENARIOS=<world size>`` runs it again alone,
exactly). On PostgreSQL a world of odd seed has two servers on the one database. The worlds are cut into batches
of ``FZ_SYNC_BATCH`` scenarios, one test each, so that parallel workers (pytest-xdist) share them.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import SOAK
from tests.sync.fault import oracle as checks
from tests.sync.fault.conftest import DESKS, env_int
from tests.sync.fault.district import Databases, District, Listener, ProcessListener
from tests.sync.fault.scenario import CrashHook, Outcome, Templates, World

SEED = env_int("FZ_SYNC_SEED", 20261206)
#: Scenarios with two server processes on one PostgreSQL database.
PROCESS_SCENARIOS = env_int("FZ_SYNC_PROCESS_SCENARIOS", 40 if SOAK else 3)
SCENARIOS = env_int("FZ_SYNC_SCENARIOS", 2000 if SOAK else 200)
SQLITE_SCENARIOS = env_int("FZ_SYNC_SQLITE_SCENARIOS", min(SCENARIOS, 400 if SOAK else 24))
WORLD_SIZE = env_int("FZ_SYNC_WORLD_SIZE", 4)
#: Scenarios per test (whole worlds): the unit parallel workers share.
BATCH = max(env_int("FZ_SYNC_BATCH", 20), 1)
STEPS = env_int("FZ_SYNC_STEPS", 14)
#: Chance that a request meets a fault, and that a sync is armed to crash.
RATE = float(os.environ.get("FZ_SYNC_RATE") or 0.25)
CRASH = float(os.environ.get("FZ_SYNC_CRASH") or 0.3)


def batches(kind: str, scenarios: int) -> list[pytest.ParameterSet]:
    """``(kind, first world, scenarios)`` per test: whole worlds of ``WORLD_SIZE``, about ``BATCH`` scenarios."""
    worlds = -(-scenarios // WORLD_SIZE)
    per = max(BATCH // WORLD_SIZE, 1)
    made = []
    for first in range(0, worlds, per):
        count = min(per * WORLD_SIZE, scenarios - first * WORLD_SIZE)
        label = "{0}-worlds{1}-{2}".format(kind, first, first + -(-count // WORLD_SIZE) - 1)
        made.append(pytest.param(kind, first, count, id=label))
    return made


@pytest.mark.soak
@pytest.mark.parametrize(
    ("kind", "first_world", "scenarios"), batches("postgres", SCENARIOS) + batches("sqlite", SQLITE_SCENARIOS)
)
def test_random_scenarios_keep_the_invariants(
    kind: str,
    first_world: int,
    scenarios: int,
    request: pytest.FixtureRequest,
    listeners: list[Listener],
    templates: Templates,
    hook: CrashHook,
    workdir: Path,
    record_property: Callable[[str, object], None],
) -> None:
    databases: Databases = request.getfixturevalue("pg_databases" if kind == "postgres" else "sqlite_databases")
    done = 0
    world_no = first_world
    totals = Outcome()
    started = time.perf_counter()
    failures: list[str] = []
    covered: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    while done < scenarios:
        world_seed = SEED + world_no
        two = databases.kind == "postgres" and world_seed % 2 == 1
        url = databases.fresh()
        district = District(url, listeners if two else listeners[:1])
        world = World(world_seed, district, templates, workdir, hook, DESKS)
        try:
            for i in range(min(WORLD_SIZE, scenarios - done)):
                outcome = world.scenario(world_seed * 1000 + i, steps=STEPS, rate=RATE, crash=CRASH)
                for name in ("syncs", "failed_syncs", "crashes", "ops", "covered"):
                    setattr(totals, name, getattr(totals, name) + getattr(outcome, name))
                done += 1
                covered.update(world.oracle.covered)
                world.oracle.covered.clear()
                if world.oracle.failures:
                    failures = [
                        "world FZ_SYNC_SEED={0} ({1} server(s)), scenario {2}:".format(world_seed, 1 + two, i),
                        *dict.fromkeys(world.oracle.failures),
                    ]
                    if os.environ.get("FZ_SYNC_DEBUG"):
                        failures += checks.history(district.db, world.oracle.suspects)
                        for desk in world.desks:
                            failures.append("{0} = {1}".format(desk.name, desk.device_id[:8]))
                    break
        finally:
            actions.update(world.ledger.actions)
            world.close()
            district.close()
            databases.drop(url)
        if failures:
            break
        world_no += 1
    elapsed = time.perf_counter() - started
    record_property("per_scenario_s", round(elapsed / max(done, 1), 3))
    print(
        "\n{0}: {1} scenarios in {2:.1f} s ({3:.2f} s each); {4} ops, {5} syncs, {6} failed, {7} crashes, "
        "{8} differences covered by conflicts; faults {9}".format(
            databases.kind,
            done,
            elapsed,
            elapsed / max(done, 1),
            totals.ops,
            totals.syncs,
            totals.failed_syncs,
            totals.crashes,
            totals.covered,
            dict(sorted(actions.items())),
        )
        + "\ncovered differences by field: {0}".format(dict(covered.most_common(12)))
    )
    assert not failures, "\n".join(failures[:40])


@pytest.mark.soak
def test_two_server_processes_on_one_postgresql_database(
    pg_databases: Databases, templates: Templates, hook: CrashHook, workdir: Path
) -> None:
    """Two uvicorn processes on the same database URL; desks' requests alternate between them, and two desks
    sync at the same time (``sync_pair``), so pushes and pulls of the two servers interleave."""
    databases = pg_databases
    url = databases.fresh()
    servers = [ProcessListener(), ProcessListener()]
    district = District(url, servers)
    world = World(SEED + 10_000, district, templates, workdir, hook, DESKS)
    started = time.perf_counter()
    try:
        for i in range(PROCESS_SCENARIOS):
            world.scenario(world.seed * 1000 + i, steps=STEPS, rate=RATE, crash=CRASH)
            assert not world.oracle.failures, "\n".join(
                ["two processes, FZ_SYNC_SEED={0}, scenario {1}:".format(SEED, i), *world.oracle.failures][:40]
            )
        elapsed = time.perf_counter() - started
        print("\ntwo server processes: {0} scenarios in {1:.1f} s".format(PROCESS_SCENARIOS, elapsed))
    finally:
        world.close()
        district.close()
        databases.drop(url)
