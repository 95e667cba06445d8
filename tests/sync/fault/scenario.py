"""Seeded random scenarios: desks of one unit edit cases through the services, sync through the fault proxy,
crash at the client's crash points, and skew their clocks; then the network heals, every desk syncs twice,
and the oracle checks the invariants.

A *world* is one fresh server database with fresh copies of the desk templates (already initialized), enrolled
anew; scenarios run in it one after the other (each scenario heals and is checked at its end, so the next one
starts from a converged state). A failure names the world's seed and the scenario's: ``FZ_SYNC_SEED=<world>``
runs that world again, exactly.

Crashes in scenarios are simulated in the process: the crash hook raises :class:`SimulatedCrash`
(a ``BaseException``) at the named point, so every open transaction rolls back, which is what SQLite does with
a transaction a killed process never committed; the desk's next sync is a fresh client (the client keeps no
state between syncs but the store). ``test_crashpoints`` kills real child processes with SIGKILL.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from fzmediate.errors import FzError
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import Case
from fzmediate.sync import client as sync_client
from fzmediate.sync.apply import apply_changes as real_apply
from fzmediate.sync.client import SyncReport, enroll, sync
from fzmediate.sync.http import RetryPolicy, SyncError
from fzmediate.sync.protocol import BASE_PULL_LIMIT, MAX_PULL_LIMIT, PulledChange
from tests.cases_support import intake, organization, person
from tests.support import ADMIN_PW, FAST_KDF
from tests.sync.fault import oracle as checks
from tests.sync.fault.district import UNIT, District
from tests.sync.fault.proxy import FaultTransport, Ledger

#: The client's crash points (fzmediate/sync/client.py).
CRASH_POINTS: Final = (
    "sync.outbox_read",
    "sync.pushed",
    "sync.before_ack",
    "sync.acked",
    "sync.page_received",
    "sync.cursor_saved",
)
#: Small pages, so that a pull has several and a crash can land between them.
PAGE: Final = 3
SKEW_DAYS: Final = 7
NO_WAIT: Final = RetryPolicy(attempts=4, sleep=lambda _s: None)
FIELDS: Final = ("summary", "facts", "claims")
#: Actions any case in its first states may take, with a valid payload (refusals are simply skipped).
ACTIONS: Final[tuple[tuple[str, dict[str, Any]], ...]] = (
    ("accept", {"note": "材料齐全"}),
    ("disclose_conflicts", {"has_conflict": False}),
    ("issue_rights_notice", {}),
    ("declare_complex", {"reason": "案情复杂"}),
)
NAMES: Final = ("欧阳娜娜", "王𠮷", "张䶮", "李四", "赵敏", "钱多多", "孙小美", "周一")


class SimulatedCrash(BaseException):
    """The process "died" at a crash point (a BaseException: nothing in the client may swallow it)."""


class CrashHook:
    """Stands in for ``fzmediate.security.crashpoints.crashpoint`` inside the client, per thread.

    It also keeps I5's ledger of applied pages: the server sequence numbers handed to ``apply_changes`` become
    committed when ``sync.cursor_saved`` is reached, and a number committed twice for one device is a failure.
    """

    def __init__(self) -> None:
        self._local = threading.local()
        self.committed: dict[str, set[int]] = {}
        self.failures: list[str] = []
        self._lock = threading.Lock()

    def arm(self, point: str | None, nth: int = 1) -> None:
        self._local.target = (point, nth)
        self._local.hits = 0
        self._local.pending = []

    def __call__(self, name: str) -> None:
        local = self._local
        if name == "sync.page_received":
            local.pending = []
        if name == "sync.cursor_saved":
            self._commit(getattr(local, "device", ""), getattr(local, "pending", []))
            local.pending = []
        point, nth = getattr(local, "target", (None, 1))
        if point == name:
            local.hits += 1
            if local.hits == nth:
                raise SimulatedCrash(name)

    def applying(self, device: str, changes: list[PulledChange]) -> None:
        self._local.device = device
        self._local.pending = [c.server_seq for c in changes]

    def _commit(self, device: str, seqs: list[int]) -> None:
        with self._lock:
            done = self.committed.setdefault(device, set())
            twice = done.intersection(seqs)
            if twice:
                self.failures.append("I5 {0} applied {1} twice".format(device, sorted(twice)[:5]))
            done.update(seqs)


@contextmanager
def hooked(monkeypatch: Any) -> Iterator[CrashHook]:
    """Install the crash hook and the small page size in the client for the duration."""
    hook = CrashHook()

    def apply_changes(s: Any, changes: Any, *, local_device: str, now: datetime) -> Any:
        changes = list(changes)
        hook.applying(local_device, changes)
        return real_apply(s, changes, local_device=local_device, now=now)

    monkeypatch.setattr(sync_client, "crashpoint", hook)
    monkeypatch.setattr(sync_client, "apply_changes", apply_changes)
    monkeypatch.setattr(sync_client, "MAX_PULL_LIMIT", PAGE)
    monkeypatch.setattr(sync_client, "BASE_PULL_LIMIT", PAGE)
    yield hook


class SkewClock:
    """The desk's wall clock: the real time (the server checks signatures against it) plus a skew."""

    def __init__(self, skew_s: float = 0.0) -> None:
        self.skew_s = skew_s

    def __call__(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.skew_s)


class Templates:
    """Initialized desk stores, made once; every world copies them (a copy is a new desk that was never
    enrolled; its device id is the template's, unique within a world)."""

    def __init__(self, root: Path, count: int) -> None:
        self.root = root
        self.paths: list[Path] = []
        for i in range(count):
            path = root / "template-{0}".format(i)
            Workspace(path, kdf=FAST_KDF, clock=SkewClock()).initialize(
                "admin", ADMIN_PW, full_name="管理员", unit=UNIT
            )
            self.paths.append(path)

    def copy(self, i: int, dest: Path) -> Path:
        shutil.copytree(self.paths[i], dest)
        (dest / ".lock").unlink(missing_ok=True)
        return dest


@dataclass
class Desk:
    name: str
    ws: Workspace
    session: Session
    clock: SkewClock
    transport: FaultTransport
    cases: list[str] = field(default_factory=list)

    @property
    def device_id(self) -> str:
        return self.session.device_id


@dataclass
class Outcome:
    syncs: int = 0
    failed_syncs: int = 0
    crashes: int = 0
    ops: int = 0
    covered: int = 0


class World:
    """A server database, its listeners, and ``n`` enrolled desks (see the module docstring)."""

    def __init__(
        self, seed: int, district: District, templates: Templates, workdir: Path, hook: CrashHook, n: int
    ) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.district = district
        self.hook = hook
        hook.committed.clear()  # a new server: its numbers start again (and the desks' device ids are reused)
        self.ledger = Ledger()
        self.oracle = checks.Oracle()
        self.desks: list[Desk] = []
        for i in range(n):
            clock = SkewClock(self.rng.uniform(-SKEW_DAYS, SKEW_DAYS) * 86400)
            path = templates.copy(i, workdir / "w{0}-desk{1}".format(seed, i))
            ws = Workspace(path, kdf=FAST_KDF, clock=clock)
            transport = FaultTransport(district.urls, seed=self.rng.randrange(1 << 30), ledger=self.ledger)
            desk = Desk("desk{0}".format(i), ws, ws.unlock("admin", ADMIN_PW), clock, transport)
            enroll(desk.session, district.urls[0], district.code(), transport=transport, retry=NO_WAIT)
            self.desks.append(desk)

    def release(self, desk: Desk) -> None:
        """Close the desk's session (and its store lock), e.g. for a child process to open the store."""
        desk.session.lock()

    def reopen(self, desk: Desk) -> None:
        desk.session = desk.ws.unlock("admin", ADMIN_PW)

    def close(self) -> None:
        for desk in self.desks:
            desk.transport.close()
            desk.session.lock()

    # --- operations -------------------------------------------------------------------------------------

    def _today(self, desk: Desk) -> date:
        return desk.clock().date()

    def _local(self, desk: Desk, work: Callable[[Session], object]) -> None:
        with contextlib.suppress(FzError):  # a refusal (a state the case is not in, …): nothing was written
            work(desk.session)
        self.oracle.note_outbox(desk.session)

    def _known_cases(self, desk: Desk) -> list[str]:
        from sqlalchemy import select

        with desk.session.read() as s:
            return sorted(s.scalars(select(Case.id)))

    def create(self, desk: Desk) -> None:
        received = (datetime.now(UTC) - timedelta(days=SKEW_DAYS + 3)).date().isoformat()
        name = self.rng.choice(NAMES)
        data = intake(received_on=received, parties=[person(name=name), organization()])
        self._local(desk, lambda s: s.cases.create(data, confirm_duplicate=True))

    def act(self, desk: Desk) -> None:
        cases = self._known_cases(desk)
        if not cases:
            return
        case_id = self.rng.choice(cases)
        action, payload = self.rng.choice(ACTIONS)
        self._local(desk, lambda s: s.cases.act(case_id, action, payload))

    def correct(self, desk: Desk) -> None:
        cases = self._known_cases(desk)
        if not cases:
            return
        case_id, name = self.rng.choice(cases), self.rng.choice(FIELDS)
        value = "更正{0}".format(self.rng.randrange(10**6))
        self._local(desk, lambda s: s.cases.correct(case_id, {name: value}, "核对原件", reissue=False))

    def concurrent_edit(self) -> None:
        """Two desks that both hold a case, synced, each correct one field to a different value."""
        if len(self.desks) < 2:
            return
        a, b = self.rng.sample(self.desks, 2)
        shared = sorted(set(self._known_cases(a)) & set(self._known_cases(b)))
        if not shared:
            return
        case_id, name = self.rng.choice(shared), self.rng.choice(FIELDS)
        values = []
        for desk in (a, b):
            with desk.session.read() as s:
                case = s.get(Case, case_id)
                values.append(getattr(case, name) if case is not None else None)
        if values[0] != values[1]:
            return
        new = ("甲{0}".format(self.rng.randrange(10**6)), "乙{0}".format(self.rng.randrange(10**6)))
        done = []
        for desk, value in zip((a, b), new, strict=True):
            before = len(self.oracle.written)

            def edit(s: Session, v: str = value) -> object:
                return s.cases.correct(case_id, {name: v}, "核对原件", reissue=False)

            self._local(desk, edit)
            done.append(len(self.oracle.written) > before)
        if all(done):
            self.oracle.concurrent.append(checks.Concurrent("case", case_id, name, new, (a.device_id, b.device_id)))

    def skew(self, desk: Desk) -> None:
        desk.clock.skew_s = self.rng.uniform(-SKEW_DAYS, SKEW_DAYS) * 86400

    def sync(self, desk: Desk, *, rate: float, crash: float) -> SyncReport | None:
        desk.transport.rate = rate
        point = self.rng.choice(CRASH_POINTS) if self.rng.random() < crash else None
        return self._sync(desk, point, self.rng.randint(1, 2), outcome=None)

    def _sync(self, desk: Desk, point: str | None, nth: int, outcome: Outcome | None) -> SyncReport | None:
        self.hook.arm(point, nth)
        report = None
        try:
            report = sync(desk.session, transport=desk.transport, retry=NO_WAIT)
        except SimulatedCrash:
            if outcome is not None:
                outcome.crashes += 1
        except SyncError:
            if outcome is not None:
                outcome.failed_syncs += 1
        finally:
            self.hook.arm(None)
        self.oracle.note_cursor(desk.session)
        if report is not None:
            learned = report.clock_offset_s + desk.clock.skew_s
            if abs(learned) > 30:
                self.oracle.fail("G9 {0} learned an offset {1:.0f} s off its skew".format(desk.name, learned))
        return report

    def sync_pair(self, rate: float) -> None:
        """Two desks sync at the same time (each thread its own desk; two servers take them in turn)."""
        if len(self.desks) < 2:
            return
        pair = self.rng.sample(self.desks, 2)
        for desk in pair:
            desk.transport.rate = rate
        threads = [threading.Thread(target=self._sync, args=(d, None, 1, None)) for d in pair]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    # --- one scenario -----------------------------------------------------------------------------------

    def scenario(self, seed: int, *, steps: int, rate: float, crash: float) -> Outcome:
        rng = self.rng = random.Random(seed)
        outcome = Outcome()
        for _ in range(steps):
            desk = rng.choice(self.desks)
            roll = rng.random()
            outcome.ops += 1
            if roll < 0.25:
                self.create(desk)
            elif roll < 0.40:
                self.act(desk)
            elif roll < 0.55:
                self.correct(desk)
            elif roll < 0.62:
                self.concurrent_edit()
            elif roll < 0.67:
                self.skew(desk)
            elif roll < 0.72:
                self.sync_pair(rate)
            else:
                desk.transport.rate = rate
                point = rng.choice(CRASH_POINTS) if rng.random() < crash else None
                self._sync(desk, point, rng.randint(1, 2), outcome)
                outcome.syncs += 1
        self.heal(outcome)
        return outcome

    def heal(self, outcome: Outcome) -> None:
        """No more faults; every desk syncs twice (I4: two rounds); then the invariants."""
        for desk in self.desks:
            desk.transport.heal()
        names = vars(sync_client)
        small = names["MAX_PULL_LIMIT"], names["BASE_PULL_LIMIT"]
        # Full pages: healing is not under test.
        names["MAX_PULL_LIMIT"], names["BASE_PULL_LIMIT"] = MAX_PULL_LIMIT, BASE_PULL_LIMIT
        try:
            for _round in range(2):
                for desk in self.desks:
                    report = self._sync(desk, None, 1, outcome)
                    if report is None:
                        self.oracle.fail("heal: {0} could not sync".format(desk.name))
                    elif report.errors:
                        self.oracle.fail("heal: {0} reported {1} refused changes".format(desk.name, report.errors))
        finally:
            names["MAX_PULL_LIMIT"], names["BASE_PULL_LIMIT"] = small
        self.check(outcome)

    def check(self, outcome: Outcome) -> None:
        checks.check_ledger(self.oracle, self.ledger)
        checks.check_server(self.oracle, self.ledger, self.district.db)
        for desk in self.desks:
            outcome.covered += checks.check_desk(self.oracle, desk.session, self.district.db, UNIT, desk.name)
        self.oracle.failures.extend(self.hook.failures)
        self.hook.failures.clear()
