"""The district server's recipes (installer/server): the systemd unit passes systemd's own checks, and what the
container recipe copies, runs and probes exists in this checkout. (No container engine runs on the build
machine: the image itself is built at the district, docs/install.md.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "installer" / "server"
INSTALLED = "/opt/fzmediate-server/bin/fzmediate-server"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_systemd_unit_passes_systemd_analyze(tmp_path: Path) -> None:
    unit = (RECIPES / "fzmediate-server.service").read_text(encoding="utf-8")
    assert unit.count(INSTALLED) == 2  # init before serve, both from the server's own environment
    server = Path(sys.executable).with_name("fzmediate-server")
    assert server.is_file(), "the server's console script is not installed"
    # Here: the console script of this environment, the current user, no environment file.
    local = unit.replace(INSTALLED, str(server))
    local = re.sub(r"(?m)^(User|Group)=.*$", "", local)
    local = re.sub(r"(?m)^EnvironmentFile=.*$", "EnvironmentFile=-{0}".format(tmp_path / "none.env"), local)
    path = tmp_path / "fzmediate-server.service"
    path.write_text(local, encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


def test_the_container_recipe_matches_the_project() -> None:
    text = (RECIPES / "Containerfile").read_text(encoding="utf-8")
    for source in re.findall(r"(?m)^COPY (?!--from)(.+?) \S+$", text):
        for name in source.split():
            assert (ROOT / name).exists(), "the recipe copies {0}, which is not in the project".format(name)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "server" in project["optional-dependencies"]
    [entry] = re.findall(r'(?m)^ENTRYPOINT \["([^"]+)"\]', text)
    assert entry in project["scripts"]
    from fzmediate.server.app import create_app

    [probe] = re.findall(r"http://127\.0\.0\.1:8080(/[^']+)", text)
    assert probe in {getattr(r, "path", None) for r in create_app("sqlite://").routes}
    assert "USER fzmediate" in text  # never as root
