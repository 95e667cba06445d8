"""100,000 synthetic case rows: SQLCipher (our engine) against plain SQLite on the same workload.

Both go through SQLAlchemy Core with the same PRAGMAs (WAL, synchronous=FULL, temp_store=MEMORY,
secure_delete=ON); the only difference is the encryption. Target: SQLCipher ≤ 1.6× plain.
"""

from __future__ import annotations

import os
import random
import sqlite3
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, Text, create_engine, event, select
from sqlalchemy.pool import StaticPool

from bench.common import header, median, timed
from fzmediate.store.engine import create_store_engine

ROWS = 100_000
LOOKUPS = 5_000
REPEATS = 5

meta = MetaData()
cases = Table(
    "cases",
    meta,
    Column("id", String(36), primary_key=True),
    Column("number", String(32), index=True, nullable=False),
    Column("applicant", Text, nullable=False),
    Column("id_number", Text, nullable=False),
    Column("phone", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("version", Integer, nullable=False),
)


def plain_engine(path: Path) -> Engine:
    def creator() -> sqlite3.Connection:
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        for pragma in ("journal_mode = WAL", "synchronous = FULL", "temp_store = MEMORY", "secure_delete = ON"):
            conn.execute("PRAGMA " + pragma)
        return conn

    engine = create_engine("sqlite://", creator=creator, poolclass=StaticPool, hide_parameters=True)

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def rows(rng: random.Random) -> list[dict[str, object]]:
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    return [
        {
            "id": str(uuid.UUID(int=rng.getrandbits(128))),
            "number": "坪司调〔2026〕{0:06d}号".format(i),
            "applicant": rng.choice(surnames) + rng.choice("伟芳娜敏静丽强磊军洋𠮷䶮"),
            "id_number": "4403101980{0:08d}".format(i),
            "phone": "139{0:08d}".format(i),
            "summary": "物业服务费纠纷，申请人称小区电梯长期故障，请求减免物业费。" * 2,
            "version": 1,
        }
        for i in range(ROWS)
    ]


def workload(make: Callable[[Path], Engine], data: list[dict[str, object]]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make(Path(tmp) / "bench.db")
        with engine.begin() as conn:
            meta.create_all(conn)
        out = {}
        out["insert"] = timed(lambda: _insert(engine, data))
        out["scan"] = timed(lambda: _scan(engine))
        numbers = [str(data[i]["number"]) for i in random.Random(7).sample(range(ROWS), LOOKUPS)]
        out["lookup"] = timed(lambda: _lookups(engine, numbers))
        engine.dispose()
    return out


def _insert(engine: Engine, data: list[dict[str, object]]) -> None:
    with engine.begin() as conn:
        conn.execute(cases.insert(), data)


def _scan(engine: Engine) -> None:
    with engine.connect() as conn:
        assert len(conn.execute(select(cases)).all()) == ROWS


def _lookups(engine: Engine, numbers: list[str]) -> None:
    with engine.connect() as conn:
        for n in numbers:
            conn.execute(select(cases.c.id).where(cases.c.number == n)).one()


def run() -> str:
    data = rows(random.Random(2026))
    key = bytearray(os.urandom(32))
    results: dict[str, dict[str, list[float]]] = {"plain": {}, "sqlcipher": {}}
    for _ in range(REPEATS):
        for name, make in (
            ("plain", plain_engine),
            ("sqlcipher", lambda p: create_store_engine(p, lambda: key)),
        ):
            for op, ms in workload(make, data).items():
                results[name].setdefault(op, []).append(ms)
    lines = [
        header("Store: 100,000 case rows, SQLCipher vs plain SQLite (issue: foundation)"),
        "\nSQLAlchemy Core, same PRAGMAs; median of {0} runs each.\n".format(REPEATS),
        "| operation | plain SQLite | SQLCipher | ratio | target |",
        "|---|---|---|---|---|",
    ]
    labels = {"insert": "insert 100,000 (one transaction)", "scan": "full scan", "lookup": "5,000 indexed lookups"}
    for op, label in labels.items():
        p, c = median(results["plain"][op]), median(results["sqlcipher"][op])
        lines.append("| {0} | {1:.0f} ms | {2:.0f} ms | {3:.2f}× | ≤ 1.6× |".format(label, p, c, c / p))
    return "\n".join(lines) + "\n"
