"""The core never imports Qt (nor the UI package): the CLI, the server and the tests run without it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "fzmediate"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "ui")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def test_no_core_module_imports_qt_or_ui() -> None:
    offenders = [
        "{0}:{1} imports {2}".format(path.relative_to(ROOT), line, name)
        for path in sorted(CORE.rglob("*.py"))
        for line, name in _imports(path)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert not offenders, "\n".join(offenders)


def test_importing_every_core_module_loads_no_qt() -> None:
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in CORE.rglob("*.py")
        if "migrations" not in p.parts and p.name != "__main__.py"
    )
    code = "import importlib, sys\nfor m in {0!r}: importlib.import_module(m.removesuffix('.__init__'))\n".format(
        modules
    ) + "print(sorted(k for k in sys.modules if k.split('.')[0] in {0!r}))".format(FORBIDDEN)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
