"""The wheel is complete by itself: built from the checkout, installed into a clean virtual environment with
nothing else of the project, it sets up a store and renders a PDF — translations, fonts, catalogue, holiday
tables and migrations all come from the wheel (setup.py's build hook), no Makefile step."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.cases_support import intake, person

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PW = "Tall-Copper-Lantern-47"
MEDIATOR_PW = "Quiet-River-Basket-92"
RARE_NAME = "𠮷永䶮"
#: One worker builds the wheel (under pytest-xdist): setuptools writes build/ and *.egg-info in the checkout.
pytestmark = pytest.mark.xdist_group("wheel")


def _run(args: list[str], *, cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, "{0} failed ({1}):\n{2}\n{3}".format(
        " ".join(args[:4]), done.returncode, done.stdout[-2000:], done.stderr[-4000:]
    )
    return done.stdout


def _source_copy(into: Path) -> Path:
    """The project's files (tracked, and new ones git does not ignore) copied to ``into``: setuptools builds in
    the source folder, and a ``build/`` left there by an earlier build would put stale modules in the wheel."""
    listed = _run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT)
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    return into


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = _source_copy(tmp_path_factory.mktemp("source"))
    _run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(out)], cwd=out)
    [built] = out.glob("fzmediate-*.whl")
    return built


def test_the_wheel_carries_resources_and_compiled_catalogs(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for lang in ("zh_CN", "zh_TW", "en"):
        assert "fzmediate/resources/locale/{0}/LC_MESSAGES/fzmediate.mo".format(lang) in names
    assert "fzmediate/resources/catalogue/pingshan.fzcat.json" in names
    assert "fzmediate/resources/trust/district-roots.pem" in names
    assert any(n.startswith("fzmediate/resources/holidays/") for n in names)
    assert any(n.startswith("fzmediate/store/migrations/versions/") for n in names)
    assert not any(n.endswith((".po", ".pot")) or "/catalogue/source/" in n for n in names)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_a_clean_install_sets_up_a_store_and_renders_a_pdf(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    pip = venv / "bin" / "pip"
    _run([str(pip), "install", "-q", "--disable-pip-version-check", str(wheel)], cwd=tmp_path, timeout=900)
    app = str(venv / "bin" / "fzmediate")
    # Run from a folder outside the checkout, with nothing of it on the path.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    data = tmp_path / "data"

    def fz(*args: str, user: str = "", password: str = "", new_password: str = "") -> str:
        run_env = dict(env, FZMEDIATE_PASSWORD=password, FZMEDIATE_NEW_PASSWORD=new_password)
        who = ["--user", user] if user else []
        return _run([app, "--data-dir", str(data), *who, *args], cwd=tmp_path, env=run_env)

    assert "新建本地加密数据库" in _run([app, "--help"], cwd=tmp_path, env=dict(env, LANG="zh_CN.UTF-8"))
    assert "set up a new encrypted store" in _run([app, "--lang", "en", "--help"], cwd=tmp_path, env=env)
    fz("init", "--admin", "admin", "--unit", "PS-JD-PS", new_password=ADMIN_PW)
    fz("user", "add", "med1", "--role", "mediator", "--full-name", "赵喆", user="admin", password=ADMIN_PW,
       new_password=MEDIATOR_PW)  # fmt: skip
    application = intake()
    application["parties"][0] = person(name=RARE_NAME)
    (tmp_path / "intake.json").write_text(json.dumps(application, ensure_ascii=False), encoding="utf-8")
    created = json.loads(fz("--json", "case", "create", "intake.json", user="med1", password=MEDIATOR_PW))
    fz("doc", "render", "application", "--case", created["number"], "--out", "app.pdf", user="med1",
       password=MEDIATOR_PW)  # fmt: skip
    text = _run(["pdftotext", "app.pdf", "-"], cwd=tmp_path)
    assert RARE_NAME in text and created["number"] in text
    fonts = _run(["pdffonts", "app.pdf"], cwd=tmp_path).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # every font embedded
