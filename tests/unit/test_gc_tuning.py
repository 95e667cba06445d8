"""The garbage collector of the processes that do bulk work (fzmediate.gc_tuning): set by the function itself,
by each district server worker as it builds its app, and by ``fzmediate sync``. Checked in child processes, so
this test process keeps CPython's defaults."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from fzmediate.gc_tuning import OLDER, YOUNG

ROOT = Path(__file__).resolve().parents[2]


def _child(code: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=True,
    )
    return done.stdout.strip()


REPORT = "import gc; print(gc.get_threshold(), gc.get_freeze_count() > 1000)"


def test_tuning_freezes_what_the_process_holds_and_collects_the_young_less_often() -> None:
    before = _child(REPORT)
    after = _child("from fzmediate.gc_tuning import tune_for_bulk_work; tune_for_bulk_work(); " + REPORT)
    assert before.endswith("False") and not before.startswith("({0},".format(YOUNG))  # CPython's defaults
    assert after == "({0}, {1}, {1}) True".format(YOUNG, OLDER)


def test_a_server_worker_tunes_its_process_once_its_app_is_built(tmp_path: Path) -> None:
    env = dict(os.environ, FZMEDIATE_SERVER_DB="sqlite:///{0}".format(tmp_path / "server.db"))
    out = _child("from fzmediate.server.app import app_from_env; app = app_from_env(); " + REPORT, env)
    assert out == "({0}, {1}, {1}) True".format(YOUNG, OLDER)


def test_for_a_while_then_as_it_was() -> None:
    """``fzmediate sync`` tunes the collector for the sync only (a process that goes on, such as a test's, gets
    its collector back as it was)."""
    out = _child(
        """
        import gc
        from fzmediate.gc_tuning import bulk_work
        before = gc.get_threshold()
        with bulk_work():
            during = gc.get_threshold(), gc.get_freeze_count() > 1000
        print(during, gc.get_threshold() == before, gc.get_freeze_count())
        """
    )
    assert out == "(({0}, {1}, {1}), True) True 0".format(YOUNG, OLDER)
