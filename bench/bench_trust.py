"""Unlock with signed roles and a signed audit chain, and ``check`` of the whole chain, on a big store.

Issue targets: unlock p95 ≤ 500 ms with 100,000 cases and 1,000,000 audit events (the chain is verified from
the user's signed checkpoint, not from the start); ``check`` of 1,000,000 events ≤ 60 s (every hash, link and
signature). The events are written as fzmediate writes them — chained, each signed by its actor's key — but
in bulk, so that seeding takes minutes rather than days of clicks.
"""

from __future__ import annotations

import hashlib
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

from nacl.signing import SigningKey
from sqlalchemy import Table, insert

from bench.bench_cases import seed as seed_cases
from bench.common import header, median, percentile, timed
from fzmediate.security.audit import HEAD_KEY, head
from fzmediate.security.chain_walk import event_message
from fzmediate.security.grants import b64
from fzmediate.security.keyslots import DEFAULT_KDF
from fzmediate.services.dto import CheckReport
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import AuditEvent, Meta, new_id

PASSWORD = "Granite-Orchid-Lantern-58"
EVENTS = 1_000_000
CHUNK = 20_000
UNLOCKS = 30
CHECKS = 3


def seed_events(s: Session, count: int) -> None:
    """Append ``count`` signed, chained events by the acting user (ids and actions only, like real ones)."""
    signer = SigningKey(s.signing_key.private_bytes_raw())
    public = b64(s.signing_key.public_key().public_bytes_raw())
    with s.read() as r:
        seq, prev = head(r)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    table = cast(Table, AuditEvent.__table__)
    done = 0
    while done < count:
        rows = []
        for _ in range(min(CHUNK, count - done)):
            seq += 1
            at += timedelta(seconds=7)
            row = {
                "seq": seq,
                "id": new_id(),
                "at": at.isoformat(timespec="microseconds"),
                "actor": s.actor.login,
                "device": s.device_id,
                "action": "case.act",
                "object_type": "case",
                "object_id": new_id(),
                "details": json.dumps({"action": "session"}, sort_keys=True),
                "prev_hash": prev,
            }
            material = [row[k] for k in ("seq", "id", "at", "actor", "device", "action", "object_type",
                                         "object_id", "details", "prev_hash")]  # fmt: skip
            digest = hashlib.sha256(
                json.dumps(material, ensure_ascii=False, separators=(",", ":")).encode()
            ).hexdigest()
            row.update(hash=digest, signer_key=public, signature=b64(signer.sign(event_message(digest)).signature))
            rows.append(row)
            prev = digest
        with s.db.unit_of_work() as w:
            w.execute(insert(table), rows)
            meta = w.get(Meta, HEAD_KEY)
            assert meta is not None
            meta.value = "{0}:{1}".format(seq, prev)
        done += len(rows)


def run() -> str:
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "data", kdf=DEFAULT_KDF)
        ws.initialize("admin", PASSWORD)
        t0 = time.perf_counter()
        with ws.unlock("admin", PASSWORD) as s:
            seed_cases(s, rng)
            seed_events(s, EVENTS)
        seed_s = time.perf_counter() - t0
        # The first unlock after a million events appeared walks all of them (they are newer than the
        # administrator's checkpoint); every later unlock starts from the checkpoint it leaves.
        catch_up = timed(lambda: ws.unlock("admin", PASSWORD).lock())
        samples = []
        opened: list[Session] = []

        def unlock() -> None:
            session = ws.unlock("admin", PASSWORD)
            session.users.list()  # first query
            opened.append(session)

        for _ in range(UNLOCKS):
            samples.append(timed(unlock))
            opened.pop().lock()
        checks: list[float] = []
        report: list[CheckReport] = []
        with ws.unlock("admin", PASSWORD) as s:
            for _ in range(CHECKS):
                checks.append(timed(lambda: report.append(s.maintenance.check())) / 1000.0)
                assert report[-1].ok, report[-1].problems
            events = report[-1].audit_events
            deep = timed(lambda: report.append(s.maintenance.check(deep=True))) / 1000.0
            assert report[-1].ok, report[-1].problems
    return (
        header("Unlock and check with signed roles and a signed audit chain (issue: least privilege)")
        + "\n`.venv/bin/python -m bench trust`. Store: 100,000 cases and {0:,} audit events, each chained and "
        "signed (Ed25519) by its actor; production KDF (Argon2id 64 MiB, t=3, p=4). Seeding took {1:.0f} s.\n\n".format(
            events, seed_s
        )
        + "| measure | median | p95 | target |\n|---|---|---|---|\n"
        + "| unlock: KDF, open, signed grants, chain since the user's checkpoint, first query ({0} runs) "
        "| {1:.0f} ms | {2:.0f} ms | p95 ≤ 500 ms |\n".format(UNLOCKS, median(samples), percentile(samples, 0.95))
        + "| `check`: pages, grants, every hash, link and signature of {0:,} events ({1} runs) "
        "| {2:.1f} s | — | ≤ 60 s |\n".format(events, CHECKS, median(checks))
        + "| `check --deep` (SQLite integrity_check instead of quick_check; 1 run) | {0:.1f} s | — | — |\n".format(deep)
        + "\nThe first unlock after the million events were added walked all of them once: {0:.1f} s "
        "(it then leaves a checkpoint; a desk that syncs sees only its own and its colleagues' new events).\n".format(
            catch_up / 1000.0
        )
    )
