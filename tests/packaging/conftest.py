"""The packaging tests that need a built bundle, a .deb or a wheel build run only under ``make dist-test``.

They carry the ``dist`` marker (the wheel's test gets it here too: it builds for two minutes) and are left out
of every run whose ``-m`` expression does not name ``dist``, so ``make test`` never waits for them.
``make dist-test`` builds the bundle and the .deb first and runs ``pytest -m dist tests/packaging``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST_MODULES = ("test_wheel.py", "test_bundle.py", "test_deb.py", "test_nsis.py")
#: Where `make dist` leaves the bundle (FZ_BUNDLE overrides it, e.g. an unpacked release archive).
BUNDLE = Path(os.environ.get("FZ_BUNDLE", ROOT / "dist" / "fzmediate"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.parent == Path(__file__).parent and item.path.name in DIST_MODULES:
            item.add_marker(pytest.mark.dist)
    if "dist" in (config.option.markexpr or ""):
        return
    left_out = [item for item in items if item.get_closest_marker("dist") is not None]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item.get_closest_marker("dist") is None]


@pytest.fixture(scope="session")
def bundle() -> Path:
    """The built one-folder bundle (``make dist``)."""
    if not (BUNDLE / "fzmediate").is_file():
        pytest.fail("no bundle at {0}: run `make dist` (or `make dist-test`) first".format(BUNDLE))
    return BUNDLE


def run(
    args: list[str], *, cwd: Path, env: dict[str, str] | None = None, timeout: int = 300, expect: int = 0
) -> subprocess.CompletedProcess[str]:
    """Run ``args``; fail with its output unless it exits with ``expect``."""
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == expect, "{0} exited {1}:\n{2}\n{3}".format(
        " ".join(args[:4]), done.returncode, done.stdout[-2000:], done.stderr[-4000:]
    )
    return done


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user who installed the app: nothing of this checkout or its venv on the path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and not p.startswith(str(ROOT)))
    env.update(QT_QPA_PLATFORM="offscreen", **extra)
    return env


def needs(tool: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(shutil.which(tool) is None, reason="{0} is not installed".format(tool))
