"""Property-based fuzz of ``case create`` and ``case act`` input (issue 12, "Must hold").

Hypothesis writes JSON *text* (so that it can hold what ``json.dumps`` would never write: integers of
thousands of digits, ``NaN``, duplicate keys, nesting thousands of levels deep), with keys and text drawn
from every Unicode category, lone surrogates and control characters included, plus names, ID numbers and
phones typed as keys. Documents are either free-form or a valid intake/act with one part replaced, so the
fuzz reaches the field validators behind the JSON reader.

For every document the real command runs in-process on one store:

- refused (exit 1 or 2): exactly one line on stderr, no traceback, nothing on stdout;
- accepted (exit 0): the stored case reads back with ``case show --json``, masked and ``--full`` (a stored
  lone surrogate used to break that);
- and at the end, the case tables grew by exactly what was accepted: refused input stored nothing.

``make test`` runs 75 examples of each (150 in all; each example unlocks the store once, most of the time
goes there); ``make soak`` runs 2,000 of each.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fzmediate.domain.intake import PARTY_FIELDS, TOP_FIELDS
from tests.cases_support import APPLICANT_ID
from tests.cases_support import intake as make_intake
from tests.security.cli_store import CliStore, cli_store, received_on, run
from tests.support import ADMIN_PW, soak_scale

EXAMPLES = soak_scale(75, 2000)
FUZZ = "__FUZZ__"
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- JSON text -------------------------------------------------------------------------------------
TRICKY_TEXT = st.sampled_from(
    ["王𠮷", "张三丰", APPLICANT_ID, "13912345678", "a@b.cn", "\x1b[31m", "\u202e", "\ud800", "\udfff", "\x00", "a\nb"]
)
TEXT = st.one_of(st.text(st.characters(exclude_categories=()), max_size=20), TRICKY_TEXT)
KEYS = st.one_of(st.sampled_from([*TOP_FIELDS, *PARTY_FIELDS, "note", "party", "details", "has_conflict"]), TEXT)


def json_string(text: str) -> str:
    return json.dumps(text)  # ASCII escapes: a lone surrogate becomes the \udXXX escape the attack used


SCALARS = st.one_of(
    st.sampled_from(["null", "true", "false", "NaN", "Infinity", "-Infinity", "1e999", "-1e400", "-0", "0.5"]),
    st.integers().map(str),
    st.integers(min_value=25, max_value=6_000).map(lambda n: "9" * n),
    st.floats(allow_nan=False, allow_infinity=False).map(json.dumps),
    TEXT.map(json_string),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
        # Pairs, not a dict: the same key may come twice.
        st.lists(st.tuples(KEYS.map(json_string), children), max_size=4).map(
            lambda pairs: "{" + ",".join(k + ":" + v for k, v in pairs) + "}"
        ),
    ),
    max_leaves=12,
)
DEEP = st.tuples(st.integers(min_value=30, max_value=3_000), st.sampled_from(["[", '{"a":'])).map(
    lambda d: d[1] * d[0] + "1" + ("]" if d[1] == "[" else "}") * d[0]
)

INTAKE_PATHS: list[tuple[str | int, ...]] = [
    ("matter",),
    ("received_on",),
    ("summary",),
    ("facts",),
    ("claims",),
    ("parties",),
    ("parties", 0),
    ("parties", 0, "name"),
    ("parties", 0, "id_number"),
    ("parties", 0, "phone"),
    ("parties", 0, "address"),
    ("parties", 0, "represents"),
    ("parties", 1, "kind"),
    ("parties", 1, "name"),
]


def replaced(data: Any, path: tuple[str | int, ...], raw: str) -> str:
    """``data`` as JSON text with the value at ``path`` replaced by the JSON text ``raw``."""
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = FUZZ
    return json.dumps(data, ensure_ascii=False).replace(json.dumps(FUZZ), raw)


def with_extra(data: dict[str, Any], key: str, raw: str) -> str:
    return "{" + json_string(key) + ": " + raw + ", " + json.dumps(data, ensure_ascii=False)[1:]


#: Free-text fields: odd but valid text here is stored, and must read back.
TEXT_PATHS: list[tuple[str | int, ...]] = [("summary",), ("facts",), ("parties", 0, "address"), ("parties", 1, "name")]
INTAKES = st.one_of(
    st.tuples(st.sampled_from(INTAKE_PATHS), DOCUMENTS).map(
        lambda pv: replaced(make_intake(received_on=received_on()), pv[0], pv[1])
    ),
    st.tuples(st.sampled_from(TEXT_PATHS), TEXT.map(json_string)).map(
        lambda pv: replaced(make_intake(received_on=received_on()), pv[0], pv[1])
    ),
    st.tuples(KEYS, DOCUMENTS).map(lambda kv: with_extra(make_intake(received_on=received_on()), kv[0], kv[1])),
)
ACTIONS = ["accept", "disclose_conflicts"]
DISCLOSURES = st.one_of(
    TEXT.map(lambda text: json.dumps({"has_conflict": False, "details": text})),
    st.tuples(st.sampled_from([("details",), ("has_conflict",), ("mediator",)]), DOCUMENTS).map(
        lambda pv: replaced({"has_conflict": False, "details": "", "mediator": ""}, pv[0], pv[1])
    ),
    st.tuples(KEYS, DOCUMENTS).map(lambda kv: with_extra({"has_conflict": False}, kv[0], kv[1])),
)


# --- the store -------------------------------------------------------------------------------------
@dataclass
class FuzzStore:
    store: CliStore
    #: The case tables before the fuzz, and what accepted input added since (refused input adds nothing).
    baseline: dict[str, int]
    added: Counter[str] = field(default_factory=Counter)


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzStore]:
    for store in cli_store(tmp_path_factory):
        yield FuzzStore(store, store.counts())


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FZMEDIATE_PASSWORD", ADMIN_PW)


@pytest.fixture(autouse=True)
def _quiet_log() -> Iterator[None]:
    """The command logs every refused input at INFO or above: keep pytest's capture from holding thousands."""
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


def check(capsys: pytest.CaptureFixture[str], fuzz: FuzzStore, path: Path, doc: str, *command: str, grows: str) -> None:
    """One example: refused in one line, or accepted and readable. What was stored is counted at the end
    (``test_refused_input_stored_nothing``): counting after every example would unlock the store twice."""
    path.write_bytes(doc.encode("utf-8", "surrogatepass"))
    r = run(capsys, fuzz.store, *command, str(path))
    event("refused, exit {0}".format(r.code) if r.code else "accepted")
    if r.code != 0:
        assert r.code in (1, 2), r
        r.line()
        assert r.out == ""
        return
    fuzz.added[grows] += 1
    case_id = json.loads(r.out)["id"]
    for extra in ((), ("--full",)):
        shown = run(capsys, fuzz.store, "case", "show", case_id, "--json", *extra)
        assert shown.code == 0, shown
        assert json.loads(shown.out)["id"] == case_id


@pytest.mark.soak
@FUZZ_SETTINGS
@given(doc=st.one_of(DOCUMENTS, DEEP, INTAKES, INTAKES))
def test_case_create_refuses_bad_input_in_one_line(
    capsys: pytest.CaptureFixture[str], fuzz_store: FuzzStore, tmp_path: Path, doc: str
) -> None:
    check(capsys, fuzz_store, tmp_path / "intake.json", doc, "case", "create", "--json", grows="cases")


@pytest.mark.soak
@FUZZ_SETTINGS
@given(doc=st.one_of(DOCUMENTS, DEEP, DISCLOSURES, DISCLOSURES), action=st.sampled_from(ACTIONS))
def test_case_act_refuses_bad_input_in_one_line(
    capsys: pytest.CaptureFixture[str], fuzz_store: FuzzStore, tmp_path: Path, doc: str, action: str
) -> None:
    # accept is always refused (the case was accepted already); disclose_conflicts may be recorded.
    command = ("case", "act", fuzz_store.store.accepted, action, "--json")
    check(capsys, fuzz_store, tmp_path / "payload.json", doc, *command, grows="case_events")


def test_refused_input_stored_nothing(fuzz_store: FuzzStore) -> None:
    """Runs after the fuzz (file order): the case tables grew by what was accepted, and by nothing else."""
    after = fuzz_store.store.counts()
    assert after["cases"] == fuzz_store.baseline["cases"] + fuzz_store.added["cases"]
    assert (
        after["case_events"]
        == fuzz_store.baseline["case_events"] + fuzz_store.added["cases"] + fuzz_store.added["case_events"]
    )  # a new case has its registration event
    assert after["case_counters"] >= fuzz_store.baseline["case_counters"]
