"""Every bad input to ``fzmediate`` gets one clear line, never a traceback, and nothing is stored (issue 12, 7).

Each case runs the real command in-process (``fzmediate.cli.main``) against one store: exit code 1 (refused)
or 2 (usage), exactly one line on stderr, nothing on stdout, and the case tables unchanged.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import main as entry
from fzmediate import cli, cli_cases
from fzmediate.services.workspace import Workspace
from tests.cases_support import APPLICANT_ID, RESPONDENT_ID
from tests.cases_support import intake as make_intake
from tests.cli_helpers import ROOT
from tests.security.cli_store import CliStore, Result, cli_store, received_on, run
from tests.support import ADMIN_PW

FUZZ = "__FUZZ__"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliStore]:
    yield from cli_store(tmp_path_factory)


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FZMEDIATE_PASSWORD", ADMIN_PW)


@pytest.fixture(autouse=True)
def _log_handlers() -> Iterator[None]:
    """The command attaches a log file handler per data directory to the root logger: detach them after."""
    root = logging.getLogger()
    before = list(root.handlers)
    yield
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
        handler.close()


def intake_with(path: tuple[str | int, ...], raw: str) -> str:
    """A valid intake as JSON text with the value at ``path`` replaced by the JSON text ``raw``."""
    data: Any = make_intake(received_on=received_on())
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = FUZZ
    return json.dumps(data, ensure_ascii=False).replace(json.dumps(FUZZ), raw)


def with_key(key_json: str, value: str = '"x"') -> str:
    """A valid intake with one more field at the top, its key given as JSON text."""
    text = json.dumps(make_intake(received_on=received_on()), ensure_ascii=False)
    return "{" + key_json + ": " + value + ", " + text[1:]


#: The case tables' row counts after the last refusal (each count unlocks the store: count once per refusal).
#: A test that stores something clears it.
_counts: dict[Path, dict[str, int]] = {}


def refused(capsys: pytest.CaptureFixture[str], store: CliStore, tmp_path: Path, doc: str | bytes, *args: str) -> str:
    """Run ``case create FILE`` (or ``args`` with FILE appended) on ``doc``; return the one error line."""
    path = tmp_path / "input.json"
    path.write_bytes(doc if isinstance(doc, bytes) else doc.encode("utf-8", "surrogatepass"))
    before = _counts.get(store.data) or store.counts()
    r = run(capsys, store, *(args or ("case", "create")), str(path))
    assert r.code == 1, r
    assert r.out == ""
    after = _counts[store.data] = store.counts()
    assert after == before
    return r.line()


BIG = "9" * 5000
INTAKE_CASES = [
    pytest.param(intake_with(("parties", 0, "represents"), BIG), "parties[0].represents", id="int-5000-digits"),
    pytest.param(intake_with(("parties", 0, "represents"), "1" * 31), "30 digits", id="int-31-digits"),
    pytest.param(intake_with(("summary",), "1e999"), "summary: not a finite number", id="float-overflow"),
    pytest.param(intake_with(("summary",), "NaN"), "summary: NaN", id="nan"),
    pytest.param("[" * 100_000 + "]" * 100_000, "nested more than 32 levels", id="nested-100000"),
    pytest.param(intake_with(("facts",), "[" * 40 + "]" * 40), "nested more than 32 levels", id="nested-40-in-field"),
    pytest.param(
        intake_with(("parties", 0, "name"), '"\\ud800"'), "parties[0].name: contains an invalid", id="surrogate"
    ),
    pytest.param(intake_with(("summary",), '"a\\u0007b"'), "summary: control characters", id="control-char"),
    pytest.param(intake_with(("parties", 1, "name"), '"x\\u001b[2Jy"'), "parties[1].name: control", id="ansi-in-value"),
    pytest.param(intake_with(("summary",), '"a\\nb"'), "summary", id="line-break-in-one-line-field"),
    pytest.param(with_key('"matter"', '"PS-TJ-007"'), "matter appears twice", id="duplicate-key"),
    pytest.param(with_key('"nmae"'), "nmae: unknown field", id="unknown-key-is-named"),
    pytest.param(with_key('"' + "k" * 200 + '"'), "k" * 40 + "…", id="long-key-cut-to-40"),
    pytest.param(json.dumps({"matter": "PS-TJ-007"}) + "x", "not valid JSON (line 1", id="not-json"),
    pytest.param("[1, 2]", "expected a JSON object", id="array-root"),
    pytest.param(b"\xff\xfe{}", "not UTF-8", id="not-utf8"),
    pytest.param("{" + '"facts": "' + "x" * (2 * 1024 * 1024) + '"}', "larger than 2 MB", id="too-large"),
]


@pytest.mark.parametrize(("doc", "expected"), INTAKE_CASES)
def test_bad_intake_is_one_line_naming_the_field(
    capsys: pytest.CaptureFixture[str], store: CliStore, tmp_path: Path, doc: str | bytes, expected: str
) -> None:
    line = refused(capsys, store, tmp_path, doc)
    assert expected in line


@pytest.mark.parametrize(
    ("key", "hidden"),
    [
        pytest.param('"王𠮷"', "王𠮷", id="cjk-name"),
        pytest.param(json.dumps(APPLICANT_ID), APPLICANT_ID, id="id-number"),
        pytest.param('"139 1234 5678"', "1234", id="phone-grouped"),
        pytest.param('"ｗａｎｇ＠ｅｘａｍｐｌｅ.ｃｎ"', "ｗａｎｇ", id="email-fullwidth"),
    ],
)
def test_a_key_that_may_be_personal_data_is_never_printed(
    capsys: pytest.CaptureFixture[str], store: CliStore, tmp_path: Path, key: str, hidden: str
) -> None:
    line = refused(capsys, store, tmp_path, with_key(key))
    assert hidden not in line and "not shown" in line
    line = refused(capsys, store, tmp_path, with_key(key + ', "x": 1, ' + key, '"y"'))  # given twice
    assert hidden not in line


def test_control_characters_in_a_key_are_escaped(
    capsys: pytest.CaptureFixture[str], store: CliStore, tmp_path: Path
) -> None:
    line = refused(capsys, store, tmp_path, with_key('"a\\u001b[31mb\\u202ec"'))
    assert "a\\u001b[31mb\\u202ec" in line and "\u202e" not in line


# --- case act ----------------------------------------------------------------------------------


def test_bad_act_payload_is_refused_before_anything_is_stored(
    capsys: pytest.CaptureFixture[str], store: CliStore, tmp_path: Path
) -> None:
    act = ("case", "act", store.registered, "accept", "--payload")
    assert "note: contains an invalid character" in refused(capsys, store, tmp_path, '{"note": "\\udfff"}', *act)
    assert "30 digits" in refused(capsys, store, tmp_path, '{"note": ' + BIG + "}", *act)
    assert "nested more than 32" in refused(capsys, store, tmp_path, '{"note": ' + "[" * 5000 + "}", *act)
    line = refused(capsys, store, tmp_path, json.dumps({"张三": "x", RESPONDENT_ID: 1}), *act)
    assert "张三" not in line and RESPONDENT_ID not in line and "not shown" in line
    assert "expected a JSON object" in refused(capsys, store, tmp_path, '"note"', *act)


def test_a_party_typed_by_name_is_not_echoed(
    capsys: pytest.CaptureFixture[str], store: CliStore, tmp_path: Path
) -> None:
    doc = json.dumps({"party": "李䶮", "consent": "agreed"}, ensure_ascii=False)
    line = refused(capsys, store, tmp_path, doc, "case", "act", store.accepted, "record_consent", "--payload")
    assert "李䶮" not in line and "no party with the id given" in line


def test_act_json_is_masked_unless_full_which_is_audited(
    capsys: pytest.CaptureFixture[str], store: CliStore, tmp_path: Path
) -> None:
    payload = tmp_path / "disclose.json"
    payload.write_text(json.dumps({"has_conflict": False, "details": "无利害关系 13912345678"}), encoding="utf-8")
    act = ("case", "act", store.accepted, "disclose_conflicts", "--payload", str(payload), "--json")
    shows = store.audit_events("case.show")
    _counts.clear()  # this test stores events
    r = run(capsys, store, *act)
    assert r.code == 0, r.err
    masked = json.loads(r.out)
    applicant = masked["parties"][0]
    assert (applicant["name"], applicant["phone"]) == ("王某", "139****5678")
    assert applicant["id_number"] == APPLICANT_ID[:6] + "********" + APPLICANT_ID[-4:]
    assert "13912345678" not in r.out and APPLICANT_ID not in r.out and "王𠮷" not in r.out
    assert masked["events"][-1]["payload"]["details"] == "无利害关系 139****5678"
    assert store.audit_events("case.show") == shows  # nothing shown in full, nothing read in full
    r = run(capsys, store, *act, "--full")
    assert r.code == 0, r.err
    full = json.loads(r.out)
    assert full["parties"][0]["name"] == "王𠮷" and full["parties"][0]["id_number"] == APPLICANT_ID
    assert full["events"][-1]["payload"]["details"] == "无利害关系 13912345678"
    assert store.audit_events("case.show") == shows + 1  # the full view is the audited read
    r = run(capsys, store, "case", "show", store.accepted, "--json")
    assert r.code == 0 and "王𠮷" not in r.out and json.loads(r.out)["parties"][0]["name"] == "王某"


# --- arguments, usage, the guard -----------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("case", "act"), id="missing-arguments"),
        pytest.param(("case", "act", "x", "\x1b[31maccept"), id="ansi-in-action"),
        pytest.param(("case", "show", "\udcff"), id="argument-not-utf8"),
        pytest.param(("case", "frobnicate"), id="unknown-command"),
        pytest.param(("init", "--admin", "a", "--json"), id="json-where-not-offered"),
        pytest.param(("case", "create"), id="no-input-file"),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], store: CliStore, args: tuple[str, ...]
) -> None:
    r = run(capsys, store, *args)
    assert r.code == 2, r
    r.line()
    assert r.out == ""


def test_unexpected_error_is_one_line_and_logged_without_personal_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = " ".join(("王𠮷", APPLICANT_ID, "13912345678"))

    def broken(*_args: object) -> None:
        raise RuntimeError(secret)  # the log shows this source line, never the message

    monkeypatch.setattr(cli_cases, "add_working_days", broken)
    data = tmp_path / "data"
    code = cli.main(["--lang", "en", "workdays", "add", "2026-09-30", "5", "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "unexpected internal error" in err
    assert "王𠮷" not in err and "Traceback" not in err
    log = (data / "logs" / "fzmediate.log").read_text(encoding="utf-8")
    assert "RuntimeError" in log and "cmd_workdays_add" in log  # what broke, and where
    assert "王𠮷" not in log and APPLICANT_ID not in log and "13912345678" not in log


def test_interrupt_exits_130_quietly(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_cases, "add_working_days", interrupted)
    assert cli.main(["--lang", "en", "workdays", "add", "2026-09-30", "5"]) == 130
    assert "Traceback" not in capsys.readouterr().err


def test_desk_start_failure_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.app

    def broken(*_args: object) -> int:
        raise OSError("王𠮷")

    monkeypatch.setattr(ui.app, "run", broken)
    assert entry.main(["desk", "--data-dir", str(tmp_path / "data")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "王𠮷" not in err and "Traceback" not in err


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """``fzmediate … | head``: the reader is gone before the first write; no traceback, no message."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "case", "describe-actions"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            timeout=120,
            env={k: v for k, v in os.environ.items() if not k.startswith("FZMEDIATE_")},
        )
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr) == (1, "")


# --- global options before or after the sub-command ---------------------------------------------


def test_global_options_work_before_and_after_the_subcommand(
    capsys: pytest.CaptureFixture[str], store: CliStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = tmp_path / "default"
    monkeypatch.setenv("FZMEDIATE_DATA_DIR", str(default))
    monkeypatch.setenv("FZMEDIATE_NEW_PASSWORD", ADMIN_PW)
    target = tmp_path / "chosen"
    assert cli.main(["--lang", "en", "--data-dir", str(target), "init", "--admin", "boss"]) == 0
    assert Workspace(target).is_initialized() and not default.exists()
    capsys.readouterr()

    data = str(store.data)
    assert cli.main(["--json", "--user", "admin", "--data-dir", data, "case", "list"]) == 0
    assert store.registered in {row["id"] for row in json.loads(capsys.readouterr().out)}
    assert cli.main(["--lang", "en", "case", "--data-dir", data, "list", "--user", "admin", "--json"]) == 0
    assert store.registered in {row["id"] for row in json.loads(capsys.readouterr().out)}
    # Given twice, the later one wins: here the one after the sub-command.
    assert cli.main(["--data-dir", str(default), "case", "list", "--data-dir", data, "--user", "admin"]) == 0
    assert not default.exists()


def test_help_lists_the_global_options_that_work_there(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--lang", "en", "--help"]) == 0
    text = capsys.readouterr().out
    assert all(option in text for option in ("--data-dir", "--user", "--lang", "--json"))
    assert cli.main(["--lang", "en", "case", "act", "--help"]) == 0
    text = capsys.readouterr().out
    assert all(option in text for option in ("--data-dir", "--user", "--json", "--full", "--payload"))


def test_init_reads_the_new_password_variable_as_the_readme_says(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "a password being set" in readme and "FZMEDIATE_NEW_PASSWORD" in readme
    monkeypatch.delenv("FZMEDIATE_NEW_PASSWORD", raising=False)
    monkeypatch.setenv("FZMEDIATE_PASSWORD", ADMIN_PW)  # the acting user's password is not the new one
    assert cli.main(["--lang", "en", "init", "--admin", "boss", "--data-dir", str(tmp_path / "d")]) == 2
    assert "FZMEDIATE_NEW_PASSWORD" in Result(2, "", capsys.readouterr().err).line()
    assert not Workspace(tmp_path / "d").is_initialized()
