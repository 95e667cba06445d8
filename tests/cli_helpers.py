"""Run the real `fzmediate` command in a subprocess, as a user or a script would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None, tmp: Path | None = None) -> Result:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FZMEDIATE_")}
    if tmp is not None:
        full_env["TMPDIR"] = str(tmp)
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=ROOT,
        timeout=120,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)
