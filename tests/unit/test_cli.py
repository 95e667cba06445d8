"""The `fzmediate` command end to end: exit codes, localized one-line errors, JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli
from tests.support import ADMIN_PW, MEDIATOR_PW, MEDIATOR_PW_2

PW = {"FZMEDIATE_PASSWORD": ADMIN_PW}
#: `init` reads the first administrator's password as a password being set (README, Command line).
NEW_ADMIN_PW = {"FZMEDIATE_NEW_PASSWORD": ADMIN_PW}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli") / "data"
    r = run_cli("init", "--admin", "admin", "--full-name", "王𠮷", "--data-dir", str(d), env=NEW_ADMIN_PW)
    assert r.code == 0, r.err
    assert "恢复码" in r.out
    r = run_cli(
        "user",
        "add",
        "med1",
        "--role",
        "mediator",
        "--full-name",
        "张䶮",
        "--phone",
        "13912345678",
        "--data-dir",
        str(d),
        "--user",
        "admin",
        env={**PW, "FZMEDIATE_NEW_PASSWORD": MEDIATOR_PW},
    )
    assert r.code == 0, r.err
    return d


def test_user_list_json_is_masked(store: Path) -> None:
    r = run_cli("user", "list", "--json", "--data-dir", str(store), "--user", "admin", env=PW)
    assert r.code == 0, r.err
    rows = {u["login"]: u for u in json.loads(r.out)}
    assert rows["med1"]["role"] == "mediator"
    assert rows["med1"]["full_name"] == "张某"
    assert rows["med1"]["phone"].startswith("139") and "1234" not in rows["med1"]["phone"]


def test_check_passes_and_reports_json(store: Path) -> None:
    r = run_cli("check", "--json", "--data-dir", str(store), "--user", "admin", env=PW)
    assert r.code == 0, r.err
    assert json.loads(r.out)["ok"] is True


def test_wrong_password_exit_1_one_line(store: Path) -> None:
    r = run_cli("user", "list", "--data-dir", str(store), "--user", "admin", env={"FZMEDIATE_PASSWORD": "nope-nope"})
    assert r.code == 1
    assert len(r.err.strip().splitlines()) == 1 and "密码" in r.err


def test_usage_errors_exit_2(store: Path) -> None:
    assert run_cli("user", "frobnicate", "--data-dir", str(store)).code == 2
    r = run_cli("user", "list", "--data-dir", str(store), env=PW)  # no --user
    assert r.code == 2 and "--user" in r.err
    r = run_cli("user", "list", "--data-dir", str(store), "--user", "admin")  # no password, no tty
    assert r.code == 2 and "FZMEDIATE_PASSWORD" in r.err


def test_refused_operation_exit_1(store: Path) -> None:
    r = run_cli(
        "user",
        "add",
        "x1",
        "--role",
        "boss",
        "--data-dir",
        str(store),
        "--user",
        "admin",
        env={**PW, "FZMEDIATE_NEW_PASSWORD": MEDIATOR_PW},
    )
    assert r.code == 1 and "角色" in r.err


def test_english_locale(store: Path) -> None:
    r = run_cli(
        "--lang",
        "en",
        "user",
        "list",
        "--data-dir",
        str(store),
        "--user",
        "admin",
        env={"FZMEDIATE_PASSWORD": "nope-nope"},
    )
    assert r.code == 1 and "Wrong user name or password" in r.err


def test_not_initialized(tmp_path: Path) -> None:
    r = run_cli("check", "--data-dir", str(tmp_path / "none"), "--user", "admin", env=PW)
    assert r.code == 1 and "设置" in r.err


def test_backup_restore_and_passwd_remove(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.fzbackup"
    r = run_cli("backup", str(out), "--data-dir", str(store), "--user", "admin", env=PW)
    assert r.code == 0, r.err and out.exists()
    r = run_cli(
        "user",
        "passwd",
        "med1",
        "--data-dir",
        str(store),
        "--user",
        "admin",
        env={**PW, "FZMEDIATE_NEW_PASSWORD": MEDIATOR_PW_2},
    )
    assert r.code == 0, r.err
    r = run_cli(
        "user",
        "list",
        "--data-dir",
        str(store),
        "--user",
        "med1",
        env={"FZMEDIATE_PASSWORD": MEDIATOR_PW_2},
    )
    assert r.code == 0, r.err
    r = run_cli("user", "remove", "med1", "--data-dir", str(store), "--user", "admin", env=PW)
    assert r.code == 0, r.err
    r = run_cli("restore", str(out), "--data-dir", str(store), "--user", "admin", env=PW)
    assert r.code == 0, r.err
    r = run_cli(
        "user",
        "list",
        "--json",
        "--data-dir",
        str(store),
        "--user",
        "med1",
        env={"FZMEDIATE_PASSWORD": MEDIATOR_PW},
    )
    assert r.code == 0, r.err  # the backup predates both the password change and the removal
