"""Case search on 100,000 synthetic cases, and registering a case, through the service layer.

Set-up: a real store (SQLCipher, schema at head, the shipped catalogue imported on unlock). The 100,000 cases
(2 parties and the ``register`` event each, plus their search rows) are bulk-inserted in 10,000-case
transactions through the same ORM models (``insert(Model)`` with lists of rows) and the same search-term
function the service uses (``fzmediate.services.search.party_terms``); this seeding bypasses the audit log and
the outbox, which a bulk load of test data has no business filling. The store is then locked and unlocked
again, and everything measured goes through ``session.cases``: searches by name (a 2-character part of a
name, and a rare character), by full ID number and its last 6, by full phone number and its last 4, by full
case number and by a prefix; a page of the case list; the overdue list; the once-a-day recomputation of
the next deadline for 1,000 cases whose stored one has passed; and registering a 2-party case
(``session.cases.create``: validation, numbering, case + parties + event + search rows + 4 outbox rows + the
audit event in one transaction, synchronous=FULL).

Targets (issue "Catalogue, procedure engine and legal clock"): every search median ≤ 50 ms on 100,000 cases;
creating a case median ≤ 20 ms.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from stdnum.cn import ric

from bench.common import header, median, percentile, timed
from fzmediate.security.keyslots import KdfParams
from fzmediate.services.numbering import derived_device_code, format_number
from fzmediate.services.search import party_terms
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import Case, CaseCounter, CaseEventRow, PartyRow, SearchTerm, new_time_id

CASES = 100_000
CHUNK = 10_000
QUERIES = 60
CREATES = 150
STALE = 1_000
# The unlock cost is not measured here (bench_unlock does that): a cheap KDF keeps the set-up short.
KDF = KdfParams(memory_kib=8192, iterations=1, lanes=1)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鑫宇浩然子轩欣怡𠮷䶮堃燚淼"
MATTERS = ("PS-TJ-001", "PS-TJ-002", "PS-TJ-004", "PS-TJ-007", "PS-CJ-001", "PS-CJ-003")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _resident_id(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(20_000))
    body = "440310{0:%Y%m%d}{1:03d}".format(born, rng.randrange(1000))
    return body + ric.calc_check_digit(body + "0")


def _phone(rng: random.Random) -> str:
    return "+86139{0:08d}".format(rng.randrange(100_000_000))


def seed(s: Session, rng: random.Random) -> list[dict[str, Any]]:
    """Bulk-insert CASES cases; returns the party rows (for picking search targets)."""
    code = derived_device_code(s.device_id)
    bundle_id, version = s.catalogue.active_ref()
    bundle = s.catalogue.bundle(bundle_id, version)
    start_ms = int(datetime(2026, 1, 1).timestamp() * 1000)
    today = s.cases.today()
    now = datetime(2026, 11, 1)
    parties_all: list[dict[str, Any]] = []
    counters = {"调": 0, "裁": 0}
    for first in range(0, CASES, CHUNK):
        cases: list[dict[str, Any]] = []
        parties: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        terms: list[dict[str, Any]] = []
        for i in range(first, first + CHUNK):
            matter = bundle.matter(rng.choice(MATTERS))
            assert matter is not None
            series = "调" if matter.kind == "mediation" else "裁"
            counters[series] += 1
            case_id = new_time_id(start_ms + i * 60_000)
            received = date(2026, 1, 1) + timedelta(days=i * 300 // CASES)
            due = received + timedelta(days=rng.randrange(5, 60))
            cases.append(
                {
                    "id": case_id,
                    "number": format_number(series, 2026, code, counters[series]),
                    "kind": matter.kind,
                    "matter_code": matter.code,
                    "bundle_id": bundle_id,
                    "bundle_version": version,
                    "procedure_id": matter.procedure,
                    "state": "registered",
                    "received_on": received,
                    "summary": "物业服务费纠纷",
                    "facts": "申请人称小区电梯长期故障，物业公司未及时维修，请求减免物业费。",
                    "claims": "请求减免物业服务费。",
                    "assigned_mediator": "",
                    "next_due": due,
                    "next_due_name": "acceptance",
                    "next_due_provisional": False,
                    "next_due_as_of": today,  # computed today: the once-a-day refresh is measured on its own
                    "created_at": now,
                    "created_by": "bench",
                    "device_id": s.device_id,
                    "updated_at": now,
                    "version": 1,
                }
            )
            found: set[str] = set()
            for position, role in enumerate(("applicant", "respondent")):
                name, id_number, phone = _name(rng), _resident_id(rng), _phone(rng)
                party: dict[str, Any] = {
                    "id": new_time_id(start_ms + i * 60_000),
                    "case_id": case_id,
                    "position": position,
                    "role": role,
                    "kind": "person",
                    "name": name,
                    "id_type": "resident_id",
                    "id_number": id_number,
                    "phone": phone,
                    "address": "深圳市坪山区",
                    "represents": None,
                    "power_of_attorney": "",
                    "version": 1,
                }
                parties.append(party)
                found |= party_terms(name, id_number, phone)
            events.append(
                {
                    "id": new_time_id(start_ms + i * 60_000),
                    "case_id": case_id,
                    "seq": 1,
                    "action": "register",
                    "on_date": received,
                    "at": now,
                    "actor": "bench",
                    "device": s.device_id,
                    "payload": {"channel": "desk"},
                }
            )
            terms.extend({"term": t, "case_id": case_id} for t in found)
        terms.sort(key=lambda r: r["term"])  # B-tree friendly
        with s.db.unit_of_work() as tx:
            tx.execute(insert(Case), cases)
            tx.execute(insert(PartyRow), parties)
            tx.execute(insert(CaseEventRow), events)
            tx.execute(insert(SearchTerm), terms)
        parties_all.extend(parties)
    with s.db.unit_of_work() as tx:
        for series, value in counters.items():
            tx.add(CaseCounter(device_code=code, series=series, year=2026, last_value=value))
    return parties_all


def _measure(s: Session, queries: list[str]) -> tuple[list[float], int]:
    times, hits = [], 0
    for q in queries:
        t0 = time.perf_counter()
        found = s.cases.search(q)
        times.append((time.perf_counter() - t0) * 1000.0)
        hits += len(found)
    return times, hits


def run() -> str:
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "data", kdf=KDF)
        ws.initialize("admin", "Granite-Orchid-Lantern-58", unit="PS-JD-PS")
        with ws.unlock("admin", "Granite-Orchid-Lantern-58") as s:
            seed_ms = [0.0]
            parties: list[dict[str, Any]] = []
            seed_ms[0] = timed(lambda: parties.extend(seed(s, rng)))
        # Measured on a store opened afresh, as a desk opens it every morning (the seeding's WAL folded in).
        with ws.unlock("admin", "Granite-Orchid-Lantern-58") as s:
            size_mb = (s.db.path.stat().st_size) / 1e6
            targets = rng.sample(parties, QUERIES)
            with s.read() as r:
                cases_seeded = [{"id": i} for i in r.scalars(select(Case.id))]
            numbers = [
                format_number("调", 2026, derived_device_code(s.device_id), rng.randrange(1, 60_000))
                for _ in range(QUERIES)
            ]
            workloads = {
                "name (2-character part)": [p["name"][:2] for p in targets],
                "name (rare character 𠮷)": ["𠮷"] * QUERIES,
                "ID number, full": [p["id_number"] for p in targets],
                "ID number, last 6": [p["id_number"][-6:] for p in targets],
                "phone, full (13912345678)": [p["phone"][3:] for p in targets],
                "phone, last 4": [p["phone"][-4:] for p in targets],
                "case number, full": numbers,
                "case number, prefix (坪山调〔2026〕XXXX)": [n[:12] for n in numbers],
            }
            for queries in workloads.values():  # warm the page cache and the bundle cache once
                s.cases.search(queries[0])
            results = {label: _measure(s, queries) for label, queries in workloads.items()}
            list_times = [timed(lambda: s.cases.list(limit=50)) for _ in range(QUERIES)]
            overdue_times = [timed(lambda: s.cases.list(overdue=True, limit=50)) for _ in range(QUERIES)]
            # The once-a-day refresh of next deadlines that have passed, for STALE cases.
            stale = [c["id"] for c in rng.sample(cases_seeded, STALE)]
            with s.db.unit_of_work() as tx:
                tx.execute(
                    update(Case)
                    .where(Case.id.in_(stale))
                    .values(next_due=date(2026, 1, 31), next_due_as_of=s.cases.today() - timedelta(days=1))
                )
            refresh_ms = timed(s.cases.refresh_due)
            from tests.cases_support import intake  # synthetic people only

            received = s.cases.today().isoformat()
            create_times = [timed(lambda: s.cases.create(intake(received_on=received))) for _ in range(CREATES)]
    lines = [
        header("Cases: search on 100,000 cases and registering a case (issue: catalogue, procedure engine, clock)"),
        "\n{0:,} cases, 2 parties each, bulk-seeded in {1:.0f} s (database {2:.0f} MB); every figure below goes "
        "through `session.cases` on the encrypted store. {3} queries per row (random targets).\n".format(
            CASES, seed_ms[0] / 1000, size_mb, QUERIES
        ),
        "| operation | median | p95 | hits per query (mean, ≤ 50 returned) | target |",
        "|---|---|---|---|---|",
    ]
    for label, (times, hits) in results.items():
        lines.append(
            "| search: {0} | {1:.1f} ms | {2:.1f} ms | {3:.1f} | ≤ 50 ms |".format(
                label, median(times), percentile(times, 0.95), hits / len(times)
            )
        )
    lines.append(
        "| list: newest 50 | {0:.1f} ms | {1:.1f} ms | 50 | — |".format(
            median(list_times), percentile(list_times, 0.95)
        )
    )
    lines.append(
        "| list: overdue, first 50 | {0:.1f} ms | {1:.1f} ms | 50 | — |".format(
            median(overdue_times), percentile(overdue_times, 0.95)
        )
    )
    lines.append(
        "| refresh the next deadline of {0:,} cases whose stored one has passed (once a day) | {1:.0f} ms "
        "(one run) | — | — | — |".format(STALE, refresh_ms)
    )
    lines.append(
        "| create a case with 2 parties ({0} runs) | {1:.1f} ms | {2:.1f} ms | — | ≤ 20 ms |".format(
            CREATES, median(create_times), percentile(create_times, 0.95)
        )
    )
    return "\n".join(lines) + "\n"
