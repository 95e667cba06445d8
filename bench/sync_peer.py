"""The PouchDB peer of bench_sync, measured in the same run: ``bench/pouchdb_peer.js`` under Node.

The packages (pouchdb, express, express-pouchdb, with their LevelDB adapter) are installed by npm into
``build/bench-pouchdb/`` (not committed) the first time. Without node or npm, or when the install fails, the
peer is reported as not measured, with the reason; its figures are never made up.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx

from bench.sync_support import ROOT

PEER_DIR: Final = ROOT / "build" / "bench-pouchdb"
SCRIPT: Final = ROOT / "bench" / "pouchdb_peer.js"
PACKAGES: Final = ("pouchdb", "express", "express-pouchdb")


@dataclass(frozen=True)
class PeerResult:
    seconds: float
    seed_s: float
    requests: int
    up: int
    down: int
    version: str


def _installed() -> str | None:
    """None when the packages are ready; else why the peer cannot run."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node or npm is not installed on this machine"
    if all((PEER_DIR / "node_modules" / p / "package.json").exists() for p in PACKAGES):
        return None
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    if not (PEER_DIR / "package.json").exists():
        (PEER_DIR / "package.json").write_text('{"name": "bench-pouchdb", "private": true}\n', "utf-8")
    try:
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", *PACKAGES],
            cwd=PEER_DIR,
            check=True,
            capture_output=True,
            timeout=900,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        return "npm install failed ({0})".format(type(exc).__name__)
    return None


def _version() -> str:
    meta = json.loads((PEER_DIR / "node_modules" / "pouchdb" / "package.json").read_text("utf-8"))
    return str(meta.get("version", "?"))


def _one(docs: Path, env: dict[str, str]) -> PeerResult:
    with tempfile.TemporaryDirectory(prefix="bench-pouchdb-") as tmp:
        server = subprocess.Popen(
            ["node", str(SCRIPT), "server", tmp],
            cwd=tmp,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert server.stdout is not None
            ports = json.loads(server.stdout.readline())
            stats = "http://127.0.0.1:{0}/".format(ports["stats"])
            httpx.post(stats)  # zero the counters
            out = subprocess.run(
                ["node", str(SCRIPT), "client", tmp, "http://127.0.0.1:{0}".format(ports["port"]), str(docs)],
                cwd=tmp,
                env=env,
                capture_output=True,
                text=True,
                check=True,
                timeout=900,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            traffic = httpx.get(stats).json()
        finally:
            server.terminate()
            server.wait(timeout=20)
    return PeerResult(result["seconds"], result["seed_s"], traffic["requests"], traffic["up"], traffic["down"],
                      _version())  # fmt: skip


def peer_runs(docs: Path, runs: int, _work: Path) -> list[PeerResult] | str:
    """``runs`` replications of ``docs`` (JSON lines), each into a fresh server; or why there are none."""
    missing = _installed()
    if missing is not None:
        return missing
    env = dict(os.environ, NODE_PATH=str(PEER_DIR / "node_modules"))
    try:
        return [_one(docs, env) for _ in range(runs)]
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError, ValueError, KeyError) as exc:
        return "the peer failed to run ({0})".format(type(exc).__name__)
