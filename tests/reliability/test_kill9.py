"""``kill -9`` in the middle of a stream of committed writes, over and over.

After each kill the store must reopen, pass ``integrity_check``/``cipher_integrity_check`` and the audit
chain check, and hold every write the service reported as committed (and a user only with a slot).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fzmediate.security.keyslots import KeySlotFile
from fzmediate.services.workspace import Workspace
from tests.support import ADMIN_PW, FAST_KDF

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 50


@pytest.mark.slow
def test_kill9_during_writes_loses_no_committed_write(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ws = Workspace(data, kdf=FAST_KDF)
    ws.initialize("admin", ADMIN_PW)
    rng = random.Random(20261129)
    committed: set[str] = set()
    killed_mid_stream = 0
    for rnd in range(ROUNDS):
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash_writer", str(data), "r{0}x".format(rnd)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.02, 0.4))
        os.kill(child.pid, signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        lines = [ln.split()[1] for ln in out.splitlines() if ln.startswith("committed ")]
        killed_mid_stream += bool(lines)
        committed.update(lines)

        with ws.unlock("admin", ADMIN_PW) as s:
            report = s.maintenance.check()
            assert report.ok, report.problems
            present = {u.login for u in s.users.list()}
        missing = committed - present
        assert not missing, "round {0}: committed writes lost: {1}".format(rnd, sorted(missing)[:5])
        slots = set(KeySlotFile.load(ws.paths.slots).logins())
        assert present <= slots, "users without a key slot"
    assert killed_mid_stream >= ROUNDS // 2  # the kills really landed while writes were flowing
