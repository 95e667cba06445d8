"""Compile the Windows installer script against a placeholder bundle, here on Linux (``make nsis``).

    python installer/windows/check_nsis.py [--out build/nsis-check/fzmediate-setup.exe]

The real bundle is built on Windows (docs/install.md); this checks that ``fzmediate.nsi`` compiles with the
layout PyInstaller makes there (``fzmediate.exe``, ``fzmediate-cli.exe``, ``_internal/``) and ``makensis -V2``
(warnings are errors). The result is a working installer of placeholder files, kept only for inspection.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return str(tomllib.load(fh)["project"]["version"])


def placeholder_bundle(where: Path) -> Path:
    """The folder layout of PyInstaller's Windows one-folder build, with placeholder contents."""
    bundle = where / "fzmediate"
    (bundle / "_internal" / "resources").mkdir(parents=True)
    for exe in ("fzmediate.exe", "fzmediate-cli.exe"):
        (bundle / exe).write_bytes(b"MZ placeholder\n")
    (bundle / "_internal" / "resources" / "placeholder.txt").write_text("placeholder\n", encoding="utf-8")
    return bundle


def compile_installer(out: Path, *, bundle: Path | None = None, version: str | None = None) -> str:
    """Run makensis on the script; return its output. Raises RuntimeError (with makensis' output) when the
    script does not compile."""
    makensis = shutil.which("makensis")
    if makensis is None:
        raise SystemExit("makensis is not installed (Debian: apt-get install nsis)")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = bundle or placeholder_bundle(Path(tmp))
        args = [
            makensis,
            "-V2",
            "-WX",  # warnings are errors
            "-DVERSION={0}".format(version or project_version()),
            "-DBUNDLE={0}".format(source),
            "-DOUTFILE={0}".format(out.resolve()),
            str(HERE / "fzmediate.nsi"),
        ]
        done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError("makensis failed ({0}):\n{1}\n{2}".format(done.returncode, done.stdout, done.stderr))
    return done.stdout + done.stderr


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "nsis-check" / "fzmediate-installer.exe")
    args = parser.parse_args(argv)
    try:
        print(compile_installer(args.out), end="")
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
