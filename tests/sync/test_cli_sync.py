"""``fzmediate enroll`` and ``fzmediate sync --json``, in process, against the fake server."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from fzmediate import cli, cli_sync
from fzmediate.services.workspace import Workspace
from tests.support import ADMIN_PW
from tests.sync.fake_server import CODE, FakeServer


def test_enroll_then_sync_json(
    initialized: Workspace, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server = FakeServer()  # the real clock: the CLI's workspace signs with it
    transport: httpx.BaseTransport = server.transport()
    monkeypatch.setattr(cli_sync, "transport_for_cli", lambda: transport)
    monkeypatch.setenv("FZMEDIATE_PASSWORD", ADMIN_PW)
    base = ["--data-dir", str(data_dir), "--user", "admin", "--lang", "en"]
    assert cli.main([*base, "enroll", "--server", "http://district.test", "--code", CODE]) == 0
    out = capsys.readouterr().out
    assert "D00001" in out and "PS-JD-PS" in out
    assert cli.main([*base, "sync", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {"pushed", "pulled", "conflicts", "errors", "up_to_date"}
    assert report["errors"] == 0 and report["conflicts"] == 0 and report["up_to_date"] is True
    assert report["pushed"] == len(server.log)  # a new store has no case changes yet
    assert cli.main([*base, "sync"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert cli.main([*base, "enroll", "--server", "http://district.test", "--code", CODE]) == 1
    assert "already enrolled" in capsys.readouterr().err
