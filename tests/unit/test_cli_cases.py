"""``fzmediate catalogue|case|workdays`` end to end: the real command in a subprocess, exit codes, JSON output.

The commands run on the real clock, so intake dates are computed from today's date.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from fzmediate import cli
from fzmediate.catalogue.keys import TrustedKeys
from fzmediate.cli_cases import _due_text, describe_actions, pad, shipped_definitions, table, text_width
from fzmediate.i18n import _
from fzmediate.procedure.definition import ProcedureDefinition
from fzmediate.services.case_views import CaseLabels, case_kind_label, deadline_status_label
from tests.cases_support import APPLICANT_ID, SHIPPED, dev_trusted, intake, shipped_payload, signed_bundle
from tests.cli_helpers import Result, run_cli
from tests.support import ADMIN_PW, KIOSK_PW, MEDIATOR_PW

PW = {"FZMEDIATE_PASSWORD": ADMIN_PW}
MED = {"FZMEDIATE_PASSWORD": MEDIATOR_PW}
KIOSK = {"FZMEDIATE_PASSWORD": KIOSK_PW}
RECEIVED = (date.today() - timedelta(days=3)).isoformat()
#: Received long ago: the acceptance decision is overdue.
RECEIVED_LONG_AGO = (date.today() - timedelta(days=40)).isoformat()
DOC = Path(__file__).resolve().parents[2] / "docs" / "case-actions.md"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli-cases") / "data"
    init = ("init", "--admin", "admin", "--unit", "PS-JD-PS", "--data-dir", str(d))
    assert run_cli(*init, env={"FZMEDIATE_NEW_PASSWORD": ADMIN_PW}).code == 0
    for name, role, pw in (("med1", "mediator", MEDIATOR_PW),):
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
    r = as_user(store, "med1", MED, "case", "create", "--json", "--confirm-duplicate", path)
    assert r.code == 0, r.err
    data: dict[str, Any] = json.loads(r.out)
    return data


def test_create_from_file_prints_json(created: dict[str, Any]) -> None:
    assert created["number"].startswith("坪山调〔") and created["state"] == "registered"
    assert created["applicants"] == ["王某"] and created["assigned_mediator"] == "med1"


def test_create_from_stdin_prints_id_and_number(store: Path) -> None:
    r = as_user(
        store, "med1", MED, "case", "create", "--confirm-duplicate", "-", stdin=json.dumps(intake(received_on=RECEIVED))
    )
    assert r.code == 0, r.err
    assert r.out.startswith("Case 坪山调〔") and "registered (id " in r.out
    r = as_user(
        store,
        "med1",
        MED,
        "case",
        "create",
        "--json",
        "--confirm-duplicate",
        "-",
        stdin=json.dumps(intake(received_on=RECEIVED)),
    )
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
    r = as_user(store, "med1", MED, "case", "show", created["number"], "--json", "--full")
    assert r.code == 0, r.err
    detail = json.loads(r.out)
    assert detail["parties"][0]["name"] == "王𠮷" and detail["parties"][0]["id_number"] == APPLICANT_ID
    assert detail["events"][0]["action"] == "register" and detail["bundle_version"] == SHIPPED
    r = as_user(store, "med1", MED, "case", "show", created["id"])  # browsing: masked, not audited
    assert r.code == 0 and APPLICANT_ID not in r.out and "王𠮷" not in r.out and "王某" in r.out
    r = as_user(store, "med1", MED, "case", "show", created["id"], "--full")  # the audited full view
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
    r = as_user(
        store, "med1", MED, "case", "act", created["id"], "accept", "--on", RECEIVED, "--late-reason", "测试补录"
    )
    assert r.code == 0, r.err
    assert "受理 recorded; state 已受理; next deadline 调解期限" in r.out and "mediation_period" not in r.out
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


def test_no_kiosk_account_in_the_desk_store(store: Path) -> None:
    r = run_cli(
        "user", "add", "kiosk1", "--role", "kiosk", "--data-dir", str(store), "--user", "admin",
        env={**PW, "FZMEDIATE_NEW_PASSWORD": KIOSK_PW},
    )  # fmt: skip
    line = one_line(r)
    assert r.code == 1 and "角色" in line and "kiosk" not in line
    r = as_user(store, "kiosk1", KIOSK, "case", "list")
    assert r.code == 1


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
    monkeypatch.setenv("FZMEDIATE_PASSWORD", ADMIN_PW)
    bundle = tmp_path / "v2.fzcat.json"
    bundle.write_bytes(signed_bundle(SHIPPED + 1))
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


# --- words, not codes --------------------------------------------------------------------------


def in_zh(store: Path, *args: str) -> Result:
    """As med1 in the default locale (zh_CN, like the tests in-process: labels compare with ``_()``)."""
    r = run_cli(*args, "--data-dir", str(store), "--user", "med1", env=MED)
    assert r.code == 0, r.err
    return r


def test_text_output_shows_labels_json_keeps_codes(store: Path, tmp_path: Path) -> None:
    path = write_intake(tmp_path, intake(received_on=RECEIVED, summary="标签测试"))
    case = json.loads(in_zh(store, "case", "create", "--json", "--confirm-duplicate", path).out)
    assert (case["state"], case["state_label"], case["next_due_label"]) == ("registered", "已登记", "移送期限")
    assert case["kind_label"] == case_kind_label("mediation")
    out = in_zh(store, "case", "list", "--query", case["number"]).out
    assert "已登记" in out and "移送期限" in out and "registered" not in out and "transfer" not in out
    out = in_zh(store, "case", "act", case["id"], "accept", "--on", RECEIVED, "--late-reason", "测试补录").out
    assert "受理" in out and "已受理" in out and "调解期限" in out
    assert "accept" not in out and "mediation_period" not in out
    show = in_zh(store, "case", "show", case["id"]).out
    assert "已受理" in show and "调解期限" in show and CaseLabels.none().action("register") in show
    assert "accepted" not in show and "mediation_period" not in show
    data = json.loads(in_zh(store, "case", "show", case["id"], "--json").out)
    assert (data["state"], data["next_due_name"]) == ("accepted", "mediation_period")
    assert (data["state_label"], data["next_due_label"]) == ("已受理", "调解期限")
    assert [(e["action"], e["action_label"]) for e in data["events"]][-1] == ("accept", "受理")
    lines = in_zh(store, "case", "deadlines", case["id"]).out.splitlines()
    rows = {line.split()[0]: line for line in lines}
    assert deadline_status_label("met") in rows["受理期限"] and deadline_status_label("open") in rows["调解期限"]
    text = "\n".join(lines)
    assert "mediation_period" not in text and "acceptance" not in text
    deadlines = json.loads(in_zh(store, "case", "deadlines", case["id"], "--json").out)
    by_name = {d["name"]: d for d in deadlines}
    assert by_name["mediation_period"]["status"] == "open"
    assert by_name["mediation_period"]["status_label"] == deadline_status_label("open")
    out = in_zh(store, "case", "actions", case["id"]).out
    assert "征求对方当事人意见" in out and "record_consent" in out  # the code is what `case act` takes


def test_overdue_is_marked(store: Path, tmp_path: Path) -> None:
    path = write_intake(tmp_path, intake(received_on=RECEIVED_LONG_AGO, summary="逾期测试"))
    case = json.loads(in_zh(store, "case", "create", "--json", "--confirm-duplicate", path).out)
    out = in_zh(store, "case", "list", "--query", case["number"]).out
    assert "受理期限" in out and _("(overdue)") in out
    lines = in_zh(store, "case", "deadlines", case["id"]).out.splitlines()
    flagged = [line for line in lines if line.startswith("!")]
    assert len(flagged) == 1 and "受理期限" in flagged[0] and deadline_status_label("overdue") in flagged[0]


def test_catalogue_text_shows_kinds_and_periods_in_words(store: Path) -> None:
    lines = in_zh(store, "catalogue", "list").out.splitlines()[1:]
    assert len(lines) == len(shipped_payload()["matters"]) >= 15
    assert all(case_kind_label("mediation") in line for line in lines if "PS-TJ-" in line)
    assert all(case_kind_label("adjudication") in line for line in lines if "PS-CJ-" in line)
    rows = json.loads(in_zh(store, "catalogue", "list", "--json").out)
    assert {(r["kind"], r["kind_label"]) for r in rows} == {
        ("mediation", case_kind_label("mediation")),
        ("adjudication", case_kind_label("adjudication")),
    }
    out = in_zh(store, "catalogue", "show", "PS-TJ-007").out
    assert "调解期限" in out and "mediation_period" not in out and "working_days" not in out
    assert case_kind_label("mediation") in out.splitlines()[0]


def test_due_text_marks_provisional_and_overdue() -> None:
    due = date(2031, 1, 6)
    assert _due_text(due, False) == "2031-01-06"
    assert _due_text(None, True) == "—"
    assert _("(provisional)") in _due_text(due, True) and _("(overdue)") not in _due_text(due, True)
    assert _due_text(due, True, overdue=True).endswith(_("(overdue)"))
    # A fullwidth bracket (（暂定）) needs no space before it; an ASCII one gets one.
    assert _due_text(due, True) == "2031-01-06（暂定）"


# --- alignment by display width ------------------------------------------------------------------


def test_text_width_counts_cjk_as_two_columns() -> None:
    assert text_width("abc") == 3
    assert text_width("已受理") == 6
    assert text_width("坪山调〔2026〕") == 14  # 〔〕 are wide too
    assert text_width("𠮷") == 2  # outside the BMP, still wide
    assert text_width("（暂定）") == 8  # fullwidth brackets
    assert text_width("e\u0301") == 1 and text_width("a\u200db") == 2  # combining mark, zero-width joiner
    assert text_width("—") == 1  # ambiguous width: one column, as terminals outside CJK legacy modes show it
    assert pad("受理", 6) == "受理  " and pad("受理期限", 4) == "受理期限"


def test_table_aligns_columns_by_display_width() -> None:
    rows = [["✓", "受理", "accept", ""], ["✗", "认定为复杂案件", "declare_complex", "理由"], ["✓", "x", "y"]]
    lines = table(rows)
    assert lines[0] == "✓  受理            accept"  # trailing padding stripped
    codes = ("accept", "declare_complex", "y")
    starts = [text_width(line[: line.index(code)]) for line, code in zip(lines, codes, strict=True)]
    assert starts == [starts[0]] * 3
    assert lines[1].endswith("declare_complex  理由")
    assert table([]) == []


# --- docs/case-actions.md ------------------------------------------------------------------------


def test_case_actions_doc_is_current() -> None:
    definitions, source = shipped_definitions()
    assert DOC.read_text(encoding="utf-8") == describe_actions(definitions, source), (
        "docs/case-actions.md is stale: run `fzmediate case describe-actions > docs/case-actions.md`"
    )


def _sections(doc: str, d: ProcedureDefinition) -> dict[str, str]:
    part = doc.split("## `{0}`".format(d.id), 1)[1].split("\n## ", 1)[0]
    return {s.split("`", 1)[0]: s for s in part.split("\n### `")[1:]}


def test_case_actions_doc_covers_every_act_and_its_payload() -> None:
    definitions, source = shipped_definitions()
    assert {d.id for d in definitions} >= {"mediation.standard", "adjudication.standard"}
    # Matters with their own rules have their own variants (治安, 交通事故, 劳动争议).
    assert {"mediation.public_security", "mediation.traffic", "mediation.labour"} <= {d.id for d in definitions}
    doc = describe_actions(definitions, source)
    for d in definitions:
        sections = _sections(doc, d)
        assert list(sections) == [a.name for a in d.actions]
        for act in d.actions:
            text = sections[act.name]
            assert text.startswith("{0}` {1}".format(act.name, act.label))
            assert all("`{0}`".format(r) in text.split("- Who:")[1].splitlines()[0] for r in act.roles)
            assert all("`{0}` {1}".format(s, d.state_label(s)) in text for s in act.from_states)
            if not act.payload:
                assert "```json" not in text
                continue
            example = json.loads(text.split("```json\n", 1)[1].split("```", 1)[0])
            assert list(example) == [f.field for f in act.payload]
            for f in act.payload:
                assert "| `{0}` |".format(f.field) in text
                if f.choices:
                    assert example[f.field] in f.choices
    review = _sections(doc, definitions[1])["review"]
    assert "legal qualification" in review and "`hold_hearing`" in review
    assert "`approved` → `reviewed`" in review


def test_describe_actions_command_is_hidden() -> None:
    r = run_cli("--lang", "en", "case", "describe-actions", "adjudication.standard")
    assert r.code == 0, r.err
    assert "## `adjudication.standard`" in r.out and "## `mediation.standard`" not in r.out
    r = run_cli("--lang", "en", "case", "--help")
    assert r.code == 0 and "describe-actions" not in r.out and "deadlines" in r.out
    r = run_cli("--lang", "en", "case", "describe-actions", "no.such")
    assert r.code == 1 and "no.such" in one_line(r)
