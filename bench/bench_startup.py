"""Cold start of the desk app (`python main.py desk`) until the unlock screen is up. Target ≤ 1.0 s, median of 5.

Measured from just before the process is spawned to the moment the app's event loop has shown its first
screen (the app prints the wall-clock time then, with the hidden ``--exit-when-ready`` flag).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import header, median
from fzmediate.security.keyslots import DEFAULT_KDF
from fzmediate.services.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7


def _once(data: Path) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "desk", "--data-dir", str(data), "--exit-when-ready"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    ).stdout
    ready = float(next(line for line in out.splitlines() if line.startswith("ready ")).split()[1])
    return (ready - t0) * 1000.0


def run() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        Workspace(data, kdf=DEFAULT_KDF).initialize("admin", "Granite-Orchid-Lantern-58")  # so the unlock screen shows
        _once(data)  # warm the page cache once, as after any earlier start on the same PC
        samples = [_once(data) for _ in range(RUNS)]
    return (
        header("Cold start to the unlock screen (issue: foundation)")
        + "\n`python main.py desk` (offscreen) from spawn to first screen shown; {0} runs.\n\n".format(RUNS)
        + "| median | min | max | target |\n|---|---|---|---|\n"
        + "| {0:.0f} ms | {1:.0f} ms | {2:.0f} ms | median ≤ 1000 ms |\n".format(
            median(samples), min(samples), max(samples)
        )
    )
