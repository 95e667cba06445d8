"""The intake format: every bad input refused with its field named, nothing half-written, text stored exactly.

Rule checks run against the shipped catalogue without a store; the storage checks go through the services.
Messages are asserted in their English source form, fields by their path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from fzmediate.catalogue.bundle import load_shipped_bundle
from fzmediate.catalogue.model import Bundle
from fzmediate.domain.case import CaseKind, PartyRole
from fzmediate.domain.intake import MAX_LONG_TEXT, Intake, IntakeError, parse_intake_json, validate_intake
from fzmediate.i18n import set_locale
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from tests.cases_support import (
    AGENT_ID,
    APPLICANT_ID,
    RESPONDENT_ID,
    TODAY,
    counts,
    intake,
    organization,
    person,
)
from tests.support import ADMIN_PW
from tests.synthetic import make_resident_id, make_uscc, with_check_digit


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    set_locale("en")
    yield


@pytest.fixture(scope="module")
def catalogue() -> Bundle:
    return load_shipped_bundle().bundle


@pytest.fixture
def session(initialized: Workspace) -> Iterator[Session]:
    with initialized.unlock("admin", ADMIN_PW) as s:
        yield s


def check(data: Any, catalogue: Bundle) -> Intake:
    return validate_intake(data, catalogue=catalogue, today=TODAY)


def refused(data: Any, catalogue: Bundle) -> IntakeError:
    with pytest.raises(IntakeError) as err:
        check(data, catalogue)
    return err.value


def fields_of(err: IntakeError) -> list[str]:
    return [p.field for p in err.problems]


# --- the rules -------------------------------------------------------------------------------------


def test_valid_intake_is_normalized(catalogue: Bundle) -> None:
    agent = person(
        "agent",
        "赵律师",
        id_number=AGENT_ID,
        phone="138 0000 1111",
        represents=0,
        power_of_attorney="特别授权",
        authority="special",
        authority_scope="代为签署调解协议",
    )
    got = check(intake(parties=[person(phone="+86 139-1234-5678"), organization(), agent]), catalogue)
    assert got.matter_code == "PS-TJ-007" and got.kind is CaseKind.MEDIATION
    assert got.procedure_id == "mediation.standard"
    assert got.received_on == date(2026, 11, 27)
    assert [p.role for p in got.parties] == [PartyRole.APPLICANT, PartyRole.RESPONDENT, PartyRole.AGENT]
    assert got.parties[0].phone == "+8613912345678"
    assert got.parties[2].phone == "+8613800001111" and got.parties[2].represents == 0
    assert got.parties[1].id_type == "uscc"


def test_id_type_defaults_by_kind(catalogue: Bundle) -> None:
    applicant = person()
    del applicant["id_type"]
    company = organization()
    del company["id_type"]
    got = check(intake(parties=[applicant, company]), catalogue)
    assert (got.parties[0].id_type, got.parties[1].id_type) == ("resident_id", "uscc")


def test_invalid_id_checksum(catalogue: Bundle) -> None:
    wrong = APPLICANT_ID[:-1] + ("0" if APPLICANT_ID[-1] != "0" else "1")
    err = refused(intake(parties=[person(id_number=wrong), organization()]), catalogue)
    assert fields_of(err) == ["parties[0].id_number"]
    assert "check character" in err.message and wrong not in err.message


def test_impossible_birth_date(catalogue: Bundle) -> None:
    feb30 = with_check_digit("44031019800230" + "123")
    err = refused(intake(parties=[person(id_number=feb30), organization()]), catalogue)
    assert fields_of(err) == ["parties[0].id_number"]
    assert "birth date" in err.message


def test_birth_date_in_the_future(catalogue: Bundle) -> None:
    born = make_resident_id(region="440310", birth=date(2026, 12, 1), seq=5)
    err = refused(intake(parties=[person(), person("respondent", "李四", id_number=born)]), catalogue)
    assert fields_of(err) == ["parties[1].id_number"] and "future" in err.message


def test_unknown_matter_code(catalogue: Bundle) -> None:
    err = refused(intake(matter="PS-TJ-999"), catalogue)
    assert fields_of(err) == ["matter"] and "PS-TJ-999" in err.message
    err = refused(intake(matter="物业纠纷"), catalogue)  # not even shaped like a code: not echoed
    assert fields_of(err) == ["matter"] and "物业纠纷" not in err.message


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('{"matter": "PS-TJ-007",\n "summary": }', 2, 13),
        ('{"matter": "PS-TJ-007"', 1, 23),
        ("", 1, 1),
    ],
)
def test_malformed_json_names_line_and_column(catalogue: Bundle, text: str, line: int, column: int) -> None:
    with pytest.raises(IntakeError) as err:
        parse_intake_json(text, catalogue=catalogue, today=TODAY)
    assert "line {0}, column {1}".format(line, column) in err.value.message


def test_json_oddities(catalogue: Bundle) -> None:
    with pytest.raises(IntakeError, match="twice"):
        parse_intake_json('{"matter": "A-1", "matter": "B-2"}', catalogue=catalogue, today=TODAY)
    with pytest.raises(IntakeError, match="NaN"):
        parse_intake_json('{"matter": NaN}', catalogue=catalogue, today=TODAY)
    with pytest.raises(IntakeError, match="UTF-8"):
        parse_intake_json(b"\xff\xfe{}", catalogue=catalogue, today=TODAY)
    with pytest.raises(IntakeError, match="JSON object"):
        parse_intake_json("[1, 2]", catalogue=catalogue, today=TODAY)
    # A byte-order mark is tolerated.
    got = parse_intake_json(b"\xef\xbb\xbf" + json.dumps(intake()).encode(), catalogue=catalogue, today=TODAY)
    assert got.matter_code == "PS-TJ-007"


def test_organizations_use_uscc_and_persons_do_not(catalogue: Bundle) -> None:
    err = refused(intake(parties=[person(), organization(id_type="resident_id", id_number=RESPONDENT_ID)]), catalogue)
    assert fields_of(err) == ["parties[1].id_type"]
    err = refused(intake(parties=[person(id_type="uscc", id_number=make_uscc()), organization()]), catalogue)
    assert fields_of(err) == ["parties[0].id_type"]


def test_applicant_and_respondent_required(catalogue: Bundle) -> None:
    err = refused(intake(parties=[person(), person(id_number=RESPONDENT_ID)]), catalogue)
    assert fields_of(err) == ["parties"] and "respondent" in err.message
    err = refused(intake(parties=[organization()]), catalogue)
    assert fields_of(err) == ["parties"] and "applicant" in err.message
    err = refused(intake(parties=[]), catalogue)
    assert fields_of(err) == ["parties", "parties"]


def test_applicants_need_document_and_phone_respondents_do_not(catalogue: Bundle) -> None:
    bare = {"role": "respondent", "kind": "person", "name": "李四"}
    assert check(intake(parties=[person(), bare]), catalogue).parties[1].id_number == ""
    err = refused(intake(parties=[{"role": "applicant", "kind": "person", "name": "王五"}, organization()]), catalogue)
    assert fields_of(err) == ["parties[0].id_number", "parties[0].phone"]


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("2026-11-30", "future"),
        ("2026-02-30", "not a valid calendar date"),
        ("27/11/2026", "YYYY-MM-DD"),
        ("2026-1-5", "YYYY-MM-DD"),
        (20261127, "YYYY-MM-DD"),
        (None, "required"),
    ],
)
def test_received_on(catalogue: Bundle, value: Any, rule: str) -> None:
    err = refused(intake(received_on=value), catalogue)
    assert fields_of(err) == ["received_on"] and rule in err.message


def test_received_today_is_fine(catalogue: Bundle) -> None:
    assert check(intake(received_on=TODAY.isoformat()), catalogue).received_on == TODAY


def test_length_limits(catalogue: Bundle) -> None:
    assert check(intake(parties=[person(name="王" * 64), organization()]), catalogue).parties[0].name == "王" * 64
    err = refused(intake(parties=[person(name="王" * 65), organization()]), catalogue)
    assert fields_of(err) == ["parties[0].name"] and "64" in err.message
    assert len(check(intake(facts="事" * MAX_LONG_TEXT), catalogue).facts) == MAX_LONG_TEXT
    err = refused(intake(facts="事" * (MAX_LONG_TEXT + 1)), catalogue)
    assert fields_of(err) == ["facts"]
    err = refused(intake(summary="概" * 501), catalogue)
    assert fields_of(err) == ["summary"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "王\x07五"),
        ("name", "王\n五"),
        ("name", "王\u202e五"),  # right-to-left override: could disguise a name in a list
        ("address", "坪山\x00区"),
        ("id_number", APPLICANT_ID[:6] + "\x1b" + APPLICANT_ID[6:]),
    ],
)
def test_control_characters_refused_in_party_fields(catalogue: Bundle, field: str, value: str) -> None:
    err = refused(intake(parties=[person(**{field: value}), organization()]), catalogue)
    assert fields_of(err) == ["parties[0].{0}".format(field)]


def test_control_characters_in_long_texts(catalogue: Bundle) -> None:
    ok = check(intake(facts="第一段\n\t第二段\r\n第三段"), catalogue)
    assert ok.facts == "第一段\n\t第二段\r\n第三段"
    for field in ("facts", "claims", "summary"):
        err = refused(intake(**{field: "正文\x00正文"}), catalogue)
        assert fields_of(err) == [field] and "control characters" in err.message
    err = refused(intake(summary="一行\n两行"), catalogue)
    assert fields_of(err) == ["summary"]


def test_lone_surrogate_refused(catalogue: Bundle) -> None:
    text = '{"matter": "PS-TJ-007", "facts": "\\ud842"}'
    with pytest.raises(IntakeError) as err:
        parse_intake_json(text, catalogue=catalogue, today=TODAY)
    assert "facts" in fields_of(err.value)


def test_markup_and_rare_characters_kept_literally(catalogue: Bundle) -> None:
    got = check(
        intake(
            summary="<b>物业</b> & 电梯",
            facts="&lt;不是转义&gt; <script>alert(1)</script> 𠮷䶮",
            parties=[person(name="𠮷䶮"), organization(name="坪山<某>物业&公司")],
        ),
        catalogue,
    )
    assert got.summary == "<b>物业</b> & 电梯"
    assert got.facts == "&lt;不是转义&gt; <script>alert(1)</script> 𠮷䶮"
    assert got.parties[0].name == "𠮷䶮" and got.parties[1].name == "坪山<某>物业&公司"


def test_unknown_fields_and_wrong_types(catalogue: Bundle) -> None:
    err = refused(intake(fact="typo"), catalogue)
    assert fields_of(err) == ["fact"]
    err = refused(intake(parties=[person(nmae="王五"), organization()]), catalogue)
    assert fields_of(err) == ["parties[0].nmae"]
    wrong_types: dict[str, Any] = {"name": ["王"]}
    err = refused(intake(summary=42, parties=[person(**wrong_types), organization(kind="company")]), catalogue)
    assert fields_of(err) == ["summary", "parties[0].name", "parties[1].kind"]
    assert "2 more problems" in err.message
    err = refused(intake(parties="王五"), catalogue)
    assert fields_of(err) == ["parties"]
    err = refused(intake(parties=[person(), "李四"]), catalogue)
    assert fields_of(err) == ["parties[1]"]


@pytest.mark.parametrize(
    ("agent_fields", "field"),
    [
        ({"represents": None}, "parties[2].represents"),
        ({"represents": 7}, "parties[2].represents"),
        ({"represents": 2}, "parties[2].represents"),  # itself
        ({"represents": "0"}, "parties[2].represents"),
        ({"represents": True}, "parties[2].represents"),
        ({"power_of_attorney": ""}, "parties[2].power_of_attorney"),
    ],
)
def test_agent_rules(catalogue: Bundle, agent_fields: dict[str, Any], field: str) -> None:
    agent = person(
        "agent", "赵律师", id_number=AGENT_ID, represents=0, power_of_attorney="一般授权", authority="general"
    )
    agent.update(agent_fields)
    if agent.get("represents") is None:
        del agent["represents"]
    err = refused(intake(parties=[person(), organization(), agent]), catalogue)
    assert fields_of(err) == [field]


def test_only_agents_represent(catalogue: Bundle) -> None:
    err = refused(intake(parties=[person(represents=1), organization()]), catalogue)
    assert fields_of(err) == ["parties[0].represents"]
    err = refused(intake(parties=[person(power_of_attorney="全权"), organization()]), catalogue)
    assert fields_of(err) == ["parties[0].power_of_attorney"]
    first = person(
        "agent", "赵律师", id_number=AGENT_ID, represents=0, power_of_attorney="一般授权", authority="general"
    )
    second = person(
        "agent", "钱律师", id_number=RESPONDENT_ID, represents=2, power_of_attorney="一般授权", authority="general"
    )
    err = refused(intake(parties=[person(), organization(), first, second]), catalogue)
    assert fields_of(err) == ["parties[3].represents"]


def test_same_document_twice_refused(catalogue: Bundle) -> None:
    err = refused(intake(parties=[person(), person("respondent", "李四")]), catalogue)
    assert fields_of(err) == ["parties[1].id_number"]


def test_every_problem_is_reported(catalogue: Bundle) -> None:
    err = refused(
        {"matter": "PS-TJ-999", "received_on": "tomorrow", "summary": "", "facts": "x", "claims": "y", "parties": []},
        catalogue,
    )
    assert fields_of(err) == ["matter", "received_on", "summary", "parties", "parties"]
    assert err.field == "matter"


def test_messages_never_carry_personal_values(catalogue: Bundle) -> None:
    wrong = APPLICANT_ID[:-1] + ("0" if APPLICANT_ID[-1] != "0" else "1")
    err = refused(
        intake(parties=[person(name="王" * 70, id_number=wrong, phone="139123"), organization()]),
        catalogue,
    )
    text = " ".join(p.message for p in err.problems)
    assert wrong not in text and "139123" not in text and "王王王" not in text


# --- storage through the services ------------------------------------------------------------------


def test_long_facts_stored_intact(session: Session) -> None:
    facts = ("申请人于2026年3月起多次反映电梯故障。\n" * 1000)[:20_000]
    assert len(facts) == 20_000
    created = session.cases.create(intake(facts=facts, claims="请" * 30_000), confirm_duplicate=True)
    got = session.cases.get(created.id)
    assert got.facts == facts and len(got.claims) == 30_000


def test_markup_stored_literally(session: Session) -> None:
    created = session.cases.create(
        intake(summary="<b>加粗</b> & 其他", parties=[person(name="<i>王</i>&"), organization(name="A&B<物业>")]),
        confirm_duplicate=True,
    )
    got = session.cases.get(created.number)
    assert got.summary == "<b>加粗</b> & 其他"
    assert [p.name for p in got.parties] == ["<i>王</i>&", "A&B<物业>"]


def test_rare_characters_round_trip_through_create_get_search(session: Session) -> None:
    created = session.cases.create(
        intake(parties=[person(name="𠮷䶮"), person("respondent", "龘𪚥", id_number=RESPONDENT_ID)]),
        confirm_duplicate=True,
    )
    got = session.cases.get(created.id)
    assert [p.name for p in got.parties] == ["𠮷䶮", "龘𪚥"]
    assert got.parties[0].name.encode("utf-8") == "𠮷䶮".encode()
    for query in ("𠮷", "䶮", "𠮷䶮", "𪚥", "龘𪚥"):
        assert [c.id for c in session.cases.search(query)] == [created.id], query


def test_compatibility_ideographs_are_not_normalized(session: Session) -> None:
    # U+F900 豈 would become U+8C48 under NFC/NFKC: a name must come back with the code point typed.
    created = session.cases.create(intake(parties=[person(name="\uf900王"), organization()]), confirm_duplicate=True)
    assert session.cases.get(created.id).parties[0].name == "\uf900王"


@pytest.mark.parametrize(
    "bad",
    [
        intake(matter="PS-TJ-999"),
        intake(parties=[person(id_number=APPLICANT_ID[:-1] + "0" if APPLICANT_ID[-1] != "0" else "1"), organization()]),
        intake(received_on="2026-12-01"),
        intake(facts="x" * (MAX_LONG_TEXT + 1)),
        intake(parties=[person()]),
        '{"matter": "PS-TJ-007",',
    ],
    ids=["matter", "checksum", "future", "too-long", "no-respondent", "malformed"],
)
def test_nothing_half_written_after_a_refusal(session: Session, bad: Any) -> None:
    session.cases.create(intake(), confirm_duplicate=True)
    before = counts(session)
    with pytest.raises(IntakeError):
        session.cases.create(json.dumps(bad) if isinstance(bad, dict) else bad, confirm_duplicate=True)
    assert counts(session) == before
    # The refused intake consumed no number either.
    assert session.cases.create(intake(), confirm_duplicate=True).number.endswith("0002号")
