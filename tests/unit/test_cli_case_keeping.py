"""``fzmediate case correct`` and ``case void`` end to end: the real command, masked output, refusals by field."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.cases_support import intake
from tests.cli_helpers import Result, run_cli
from tests.support import ADMIN_PW, MEDIATOR_PW, SUPERVISOR_PW

PW = {"FZMEDIATE_PASSWORD": ADMIN_PW}
RECEIVED = (date.today() - timedelta(days=2)).isoformat()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli-keeping") / "data"
    init = ("init", "--admin", "admin", "--unit", "PS-JD-PS", "--data-dir", str(d))
    assert run_cli(*init, env={"FZMEDIATE_NEW_PASSWORD": ADMIN_PW}).code == 0
    for name, role, pw in (("med1", "mediator", MEDIATOR_PW), ("sup1", "supervisor", SUPERVISOR_PW)):
        r = run_cli(
            "user", "add", name, "--role", role, "--data-dir", str(d), "--user", "admin",
            env={**PW, "FZMEDIATE_NEW_PASSWORD": pw},
        )  # fmt: skip
        assert r.code == 0, r.err
    return d


def as_user(store: Path, user: str, password: str, *args: str) -> Result:
    env = {"FZMEDIATE_PASSWORD": password}
    return run_cli("--lang", "en", *args, "--data-dir", str(store), "--user", user, env=env)


def create(store: Path, tmp_path: Path, *, confirm: bool = False) -> dict[str, str]:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(intake(received_on=RECEIVED), ensure_ascii=False), encoding="utf-8")
    extra = ("--confirm-duplicate",) if confirm else ()
    r = as_user(store, "med1", MEDIATOR_PW, "case", "create", "--json", *extra, str(path))
    assert r.code == 0, r.err
    data: dict[str, str] = json.loads(r.out)
    return data


def test_a_correction_prints_masked_values_and_keeps_the_old_ones(store: Path, tmp_path: Path) -> None:
    case = create(store, tmp_path)
    shown = as_user(store, "med1", MEDIATOR_PW, "case", "show", case["id"], "--json", "--full")
    applicant = next(p for p in json.loads(shown.out)["parties"] if p["role"] == "applicant")
    changes = tmp_path / "changes.json"
    changes.write_text(json.dumps({"parties": {applicant["id"]: {"phone": "13911112222"}}}), encoding="utf-8")
    r = as_user(
        store, "med1", MEDIATOR_PW, "case", "correct", case["id"], "--reason", "登记时电话号码录入错误",
        "--changes", str(changes),
    )  # fmt: skip
    assert r.code == 0, r.err
    assert "1 value(s) corrected" in r.out and "139****2222" in r.out and "13911112222" not in r.out
    history = json.loads(as_user(store, "med1", MEDIATOR_PW, "case", "show", case["id"], "--json", "--full").out)
    correction = next(e for e in history["events"] if e["action"] == "correct")
    assert correction["payload"]["reason"] == "登记时电话号码录入错误"
    assert correction["payload"]["changes"][0]["new"].endswith("13911112222")


def test_a_correction_without_a_reason_names_the_field(store: Path, tmp_path: Path) -> None:
    case = create(store, tmp_path, confirm=True)
    changes = tmp_path / "changes.json"
    changes.write_text(json.dumps({"facts": "新的事实。"}, ensure_ascii=False), encoding="utf-8")
    r = as_user(store, "med1", MEDIATOR_PW, "case", "correct", case["id"], "--reason", " ", "--changes", str(changes))
    assert r.code == 1 and "reason" in r.err


def test_void_is_for_supervisors_and_keeps_the_number(store: Path, tmp_path: Path) -> None:
    first = create(store, tmp_path, confirm=True)
    second = create(store, tmp_path, confirm=True)
    args = ("case", "void", second["id"], "--reason", "重复登记", "--duplicate-of", first["number"])
    assert as_user(store, "med1", MEDIATOR_PW, *args).code != 0  # a mediator may not void
    r = as_user(store, "sup1", SUPERVISOR_PW, *args, "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out) == {"case": second["number"], "state": "voided"}
    listed = json.loads(as_user(store, "sup1", SUPERVISOR_PW, "case", "list", "--json").out)
    assert second["id"] not in {c["id"] for c in listed}  # out of the open lists, not deleted
    shown = as_user(store, "sup1", SUPERVISOR_PW, "case", "show", second["id"], "--json")
    assert shown.code == 0 and json.loads(shown.out)["number"] == second["number"]
