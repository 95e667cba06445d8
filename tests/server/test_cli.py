"""``fzmediate-server``: init, enroll-code, devices, revoke, stats; and the schema matches the models."""

from __future__ import annotations

import json
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from fzmediate.server.cli import main
from fzmediate.server.db import Database
from fzmediate.server.models import Base
from tests.server.harness import Server


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_migration_creates_what_the_models_describe(server_db: str) -> None:
    db = Database(server_db)
    try:
        with db.engine.connect() as conn:
            diff: list[Any] = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        db.dispose()
    assert diff == []


def test_the_commands(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    url = server.url
    code, out, _err = _run(capsys, "--db", url, "init")
    assert code == 0 and "units loaded" in out
    code, out, _err = _run(capsys, "--db", url, "enroll-code", "--unit", "PS-JD-PS", "--role", "desk")
    assert code == 0 and len(out.splitlines()[0]) == 14 and "UTC" in out
    code, _out, err = _run(capsys, "--db", url, "enroll-code", "--unit", "PS-NOWHERE", "--role", "desk")
    assert code == 1 and "--unit" in err and "PS-NOWHERE" in err
    desk = server.enroll(label="二号窗口")
    kiosk = server.enroll(role="kiosk")
    desk.push(desk.change("case", "c1", "create", {"title": "甲"}))
    code, out, _err = _run(capsys, "--db", url, "devices", "--json")
    listed = {d["device_code"]: d for d in json.loads(out)}
    assert listed[desk.device_code]["label"] == "二号窗口" and listed[kiosk.device_code]["role"] == "kiosk"
    assert _run(capsys, "--db", url, "revoke", kiosk.device_code)[0] == 0
    assert _run(capsys, "--db", url, "revoke", "DXXX")[0] == 1
    code, out, _err = _run(capsys, "--db", url, "stats", "--json")
    counts = json.loads(out)
    assert counts["devices"] == {"desk": 1, "kiosk": 0, "revoked": 1} and counts["changes"] == 1
    assert counts["units"]["PS-JD-PS"]["changes"] == 1 and counts["conflicts_open"] == 0
    code, out, _err = _run(capsys, "--db", url, "stats")
    assert code == 0 and "1 desks" in out


def test_commands_before_init_say_so(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(capsys, "--db", "sqlite:///{0}".format(tmp_path / "none.db"), "devices")
    assert code == 2 and "init" in err


def test_the_database_url_may_come_from_the_environment(
    tmp_path: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A URL with a password stays out of the command line (systemd's EnvironmentFile, a container secret)."""
    url = "sqlite:///{0}".format(tmp_path / "from-env.db")
    monkeypatch.setenv("FZMEDIATE_SERVER_DB", url)
    code, out, _err = _run(capsys, "init")
    assert code == 0 and "units loaded" in out and (tmp_path / "from-env.db").is_file()
    code, out, _err = _run(capsys, "--db", "sqlite:///{0}".format(tmp_path / "other.db"), "devices")
    assert code == 2  # --db wins over the environment: that database was never set up
