"""``fzmediate catalogue|case|workdays`` end to end: the real command in a subprocess, exit codes, JSON output.

The commands run on the real clock, so intake dates are computed from today's date.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fzmediate import cli
from fzmediate.catalogue.keys import TrustedKeys
from fzmediate.services.cases import CHINA
from tests.cases_support import APPLICANT_ID, dev_trusted, intake, signed_bundle
from tests.cli_helpers import Result, run_cli

PW = {"FZMEDIATE_PASSWORD": "admin-pass-1"}
MED = {"FZMEDIATE_PASSWORD": "mediator-pass-1"}
KIOSK = {"FZMEDIATE_PASSWORD": "kiosk-pass-1"}
RECEIVED = (date.today() - timedelta(days=3)).isoformat()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli-cases") / "data"
    assert run_cli("init", "--admin", "admin", "--data-dir", str(d), env=PW).code == 0
    for name, role, pw in (("med1", "mediator", "mediator-pass-1"), ("kiosk1", "kiosk", "kiosk-pass-1")):
        r = run_cli(
            "user", "add", name, "--role", role, "--data-dir", str(d), "--user", "admin",
            env={**PW, "FZMEDIATE_NEW_PASSWORD": pw},
        )  # fmt: skip
        assert r.code == 0, r.err
    return d


def as_user(store: Path, user: str, env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return run_cli("--lang", "en", *args, "--data-dir", str(store), "--user", user, env=env, stdin=stdin)


def write_intake(tmp_path: Path, data: dict[str, Any] | str, name: str = "intake.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def one_line(r: Result) -> str:
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    return lines[0]


@pytest.fixture(scope="module")
def created(store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = write_intake(tmp_path_factory.mktemp("intake"), intake(received_on=RECEIVED))
    r = as_user(store, "med1", MED, "case", "create", "--json", path)
    assert r.code == 0, r.err
    data: dict[str, Any] = json.loads(r.out)
    return data


def test_create_from_file_prints_json(created: dict[str, Any]) -> None:
    assert created["number"].startswith("坪山调〔") and created["state"] == "registered"
    assert created["applicants"] == ["王某"] and created["assigned_mediator"] == "med1"


def test_create_from_stdin_prints_id_and_number(store: Path) -> None:
    r = as_user(store, "med1", MED, "case", "create", "-", stdin=json.dumps(intake(received_on=RECEIVED)))
    assert r.code == 0, r.err
    assert r.out.startswith("Case 坪山调〔") and "registered (id " in r.out
    r = as_user(store, "med1", MED, "case", "create", "--json", "-", stdin=json.dumps(intake(received_on=RECEIVED)))
    assert r.code == 0 and json.loads(r.out)["number"].endswith("号")


def test_invalid_intake_exit_1_names_the_field_only(store: Path, tmp_path: Path) -> None:
    wrong = APPLICANT_ID[:-1] + ("0" if APPLICANT_ID[-1] != "0" else "1")
    bad = intake(received_on=RECEIVED)
    bad["parties"][0]["id_number"] = wrong
    r = as_user(store, "med1", MED, "case", "create", "--json", write_intake(tmp_path, bad))
    assert r.code == 1 and r.out == ""
    line = one_line(r)
    assert "parties[0].id_number" in line and wrong not in line and "王𠮷" not in line
    r = as_user(store, "med1", MED, "case", "create", write_intake(tmp_path, '{"matter": "PS-TJ-007",\n  "x": }'))
    assert r.code == 1 and "line 2, column 8" in one_line(r)


def test_create_usage_errors_exit_2(store: Path, tmp_path: Path) -> None:
    assert as_user(store, "med1", MED, "case", "create").code == 2
    r = as_user(store, "med1", MED, "case", "create", str(tmp_path / "missing.json"))
    assert r.code == 2 and "missing.json" in one_line(r)


def test_show_is_the_full_case_file(store: Path, created: dict[str, Any]) -> None:
    r = as_user(store, "med1", MED, "case", "show", created["number"], "--json")
    assert r.code == 0, r.err
    detail = json.loads(r.out)
    assert detail["parties"][0]["name"] == "王𠮷" and detail["parties"][0]["id_number"] == APPLICANT_ID
    assert detail["events"][0]["action"] == "register" and detail["bundle_version"] == 1
    r = as_user(store, "med1", MED, "case", "show", created["id"])
    assert r.code == 0 and APPLICANT_ID in r.out and "王𠮷" in r.out
    r = as_user(store, "med1", MED, "case", "show", "坪山调〔2026〕XXXXXX9999号")
    assert r.code == 1 and "No case" in one_line(r)


def test_list_is_masked_and_searchable(store: Path, created: dict[str, Any]) -> None:
    r = as_user(store, "med1", MED, "case", "list", "--json")
    assert r.code == 0, r.err
    rows = json.loads(r.out)
    assert created["id"] in {row["id"] for row in rows}
    assert "王𠮷" not in r.out and APPLICANT_ID not in r.out and "13912345678" not in r.out
    r = as_user(store, "med1", MED, "case", "list", "--query", "𠮷", "--json")
    assert created["id"] in {row["id"] for row in json.loads(r.out)}
    r = as_user(store, "med1", MED, "case", "list", "--query", APPLICANT_ID[-6:])
    assert r.code == 0 and created["number"] in r.out and "王某" in r.out
    r = as_user(store, "med1", MED, "case", "list", "--query", "无此人", "--overdue", "--json")
    assert r.code == 0 and json.loads(r.out) == []


def test_act_deadlines_and_actions(store: Path, created: dict[str, Any], tmp_path: Path) -> None:
    r = as_user(store, "med1", MED, "case", "deadlines", created["id"], "--json")
    assert r.code == 0, r.err
    assert {d["name"] for d in json.loads(r.out)} >= {"acceptance"}
    r = as_user(store, "med1", MED, "case", "act", created["id"], "hold_session")
    assert r.code == 1 and "hold" not in r.out
    one_line(r)
    r = as_user(store, "med1", MED, "case", "act", created["id"], "accept", "--on", RECEIVED)
    assert r.code == 0, r.err
    assert "accept recorded; state accepted" in r.out
    respondent = json.loads(as_user(store, "med1", MED, "case", "show", created["id"], "--json").out)["parties"][1]
    payload = write_intake(tmp_path, {"party": respondent["id"], "consent": "agreed"}, "consent.json")
    r = as_user(store, "med1", MED, "case", "act", created["id"], "record_consent", "--json", payload)
    assert r.code == 0, r.err
    detail = json.loads(r.out)
    assert detail["version"] == 3 and detail["events"][-1]["payload"]["consent"] == "agreed"
    r = as_user(store, "med1", MED, "case", "actions", created["id"], "--json")
    allowed = {a["name"] for a in json.loads(r.out) if a["allowed"]}
    assert "disclose_conflicts" in allowed and "accept" not in allowed
    r = as_user(store, "med1", MED, "case", "act", created["id"], "accept", "--on", "2026-02-30")
    assert r.code == 2


def test_kiosk_may_file_but_not_read(store: Path, tmp_path: Path) -> None:
    today = datetime.now(CHINA).date().isoformat()  # the CLI counts dates in China time
    r = as_user(store, "kiosk1", KIOSK, "case", "create", write_intake(tmp_path, intake(received_on=today)))
    assert r.code == 0, r.err
    r = as_user(store, "kiosk1", KIOSK, "case", "list")
    assert r.code == 1 and "role" in one_line(r)
    r = as_user(store, "kiosk1", KIOSK, "catalogue", "list", "--json")
    assert r.code == 0 and len(json.loads(r.out)) == 12


def test_catalogue_commands(store: Path) -> None:
    r = as_user(store, "admin", PW, "catalogue", "show", "PS-CJ-003", "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["code"] == "PS-CJ-003"
    r = as_user(store, "admin", PW, "catalogue", "show", "PS-CJ-003")
    assert r.code == 0 and "专利" in r.out
    assert as_user(store, "admin", PW, "catalogue", "show", "PS-XX-001").code == 1
    shipped = Path(cli.__file__).resolve().parents[1] / "resources" / "catalogue" / "pingshan.fzcat.json"
    r = as_user(store, "admin", PW, "catalogue", "import", str(shipped))
    assert r.code == 1 and "not newer" in one_line(r)


def test_catalogue_import_in_process(store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The district's key cannot be swapped from outside the process: trust the test key in-process."""
    keys = dev_trusted()
    monkeypatch.setattr(TrustedKeys, "load", staticmethod(lambda *a: keys))
    monkeypatch.setattr(cli, "configure_logging", lambda *a, **k: None)
    monkeypatch.setenv("FZMEDIATE_PASSWORD", "admin-pass-1")
    bundle = tmp_path / "v2.fzcat.json"
    bundle.write_bytes(signed_bundle(2))
    args = ["--lang", "en", "catalogue", "import", str(bundle), "--data-dir", str(store), "--user", "admin"]
    assert cli.main([*args, "--json"]) == 0
    assert cli.main(args) == 1  # not newer any more
    other = tmp_path / "other.fzcat.json"
    other.write_bytes(signed_bundle(1, bundle_id="shenzhen"))
    assert (
        cli.main(["--lang", "en", "catalogue", "import", str(other), "--data-dir", str(store), "--user", "admin"]) == 1
    )
    assert cli.main([*args[:4], str(other), "--force", *args[5:]]) == 0


def test_workdays_need_no_store(tmp_path: Path) -> None:
    r = run_cli("--lang", "en", "workdays", "add", "2026-09-30", "5")
    assert (r.code, r.out.strip()) == (0, "2026-10-13")
    r = run_cli("--lang", "en", "workdays", "between", "2026-09-30", "2026-10-12", "--json")
    assert json.loads(r.out) == {"from": "2026-09-30", "to": "2026-10-12", "working_days": 4, "provisional": False}
    r = run_cli("--lang", "en", "workdays", "add", "2031-05-01", "3")
    assert r.code == 0 and r.out.strip().endswith("(provisional)")
    r = run_cli("--lang", "en", "workdays", "add", "2026-13-01", "5")
    assert r.code == 2 and "YYYY-MM-DD" in r.err
    assert run_cli("workdays", "add", "2026-09-30", "-1").code == 2
    assert run_cli("workdays", "between", "2026-09-30").code == 2
