"""The kiosk's code path cannot reach a desk store: started through its real entry in a fresh interpreter and
walked from the staff password through self-help to a printed guide and out again, it loads none of the desk's
store modules and opens no database but its own — although a desk's data directory sits right beside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cups_server import PrivateCups, pdf_queue
from tests.kiosk_support import make_desk, make_kiosk
from tests.support import KIOSK_PW, FakeClock

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cups() -> Iterator[PrivateCups]:
    with pdf_queue() as server:
        yield server


def test_the_kiosk_walk_opens_no_desk_store(tmp_path: Path, cups: PrivateCups) -> None:
    clock = FakeClock()
    desk = make_desk(tmp_path, clock)
    kiosk = make_kiosk(tmp_path, clock, desk)
    desk_files = {p: p.stat().st_mtime_ns for p in desk.ws.paths.root.rglob("*") if p.is_file()}
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), CUPS_SERVER=cups.server)
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.kiosk_process_walk", str(kiosk.paths.root), KIOSK_PW, "fz-pdf"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert "error" not in seen, seen
    assert seen["exit"] == 0 and seen["fullscreen"] and seen["frameless"]
    assert seen["guide"] == "PS-TJ-007" and len(seen["printed"]) == 1
    assert cups.completed(seen["printed"][0]), cups.error_log()[-2000:]
    assert seen["desk_modules"] == []
    assert seen["databases"] == [str(kiosk.paths.db.resolve())]
    # The desk's directory beside it was not touched.
    assert {p: p.stat().st_mtime_ns for p in desk.ws.paths.root.rglob("*") if p.is_file()} == desk_files
