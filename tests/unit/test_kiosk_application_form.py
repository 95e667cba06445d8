"""The kiosk form's core: each page's check names its field and rule, the intake it builds passes the desk's
intake rules, and a problem those rules find is sent back to its page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from fzmediate.catalogue.bundle import load_shipped_bundle
from fzmediate.domain.intake import IntakeError, validate_intake
from fzmediate.i18n import current_locale, set_locale
from fzmediate.kiosk.application import (
    Answers,
    Step,
    build_intake,
    check,
    field_label,
    first_problem,
    message_for,
    step_of,
)

TODAY = date(2026, 11, 29)
GOOD = Answers(
    privacy_accepted=True,
    name="王𠮷",
    id_type="hk_macao_permit",
    id_number="h1234 5678",
    phone="139 1234 5678",
    address="",
    other_kind="person",
    other_name="李某某",
    facts="楼上漏水。",
    claims="请求修复。",
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = current_locale()
    set_locale("en")
    yield
    set_locale(before)


def test_a_complete_answer_set_passes_every_page_and_the_intake_rules() -> None:
    assert first_problem(GOOD, TODAY) is None
    intake = build_intake("PS-TJ-007", "物业管理纠纷行政调解", GOOD)
    parsed = validate_intake(
        {**intake, "received_on": TODAY.isoformat()}, catalogue=load_shipped_bundle().bundle, today=TODAY
    )
    applicant, other = parsed.parties
    assert (applicant.name, applicant.id_type, applicant.id_number) == ("王𠮷", "hk_macao_permit", "H12345678")
    assert applicant.phone == "+8613912345678" and applicant.address == ""
    assert (other.kind.value, other.name) == ("person", "李某某")
    assert parsed.summary == "物业管理纠纷行政调解"


@pytest.mark.parametrize(
    ("change", "step"),
    [
        ({"privacy_accepted": False}, Step.PRIVACY),
        ({"name": "  "}, Step.NAME),
        ({"name": "王\u202e三"}, Step.NAME),
        ({"id_type": "uscc"}, Step.ID_TYPE),
        ({"id_number": "M123"}, Step.ID_NUMBER),
        ({"id_type": "resident_id", "id_number": "110105194912310021"}, Step.ID_NUMBER),  # check digit
        ({"phone": "12"}, Step.PHONE),
        ({"address": "路" * 201}, Step.ADDRESS),
        ({"other_kind": "robot"}, Step.OTHER_KIND),
        ({"other_name": ""}, Step.OTHER_NAME),
        ({"facts": " \n "}, Step.FACTS),
        ({"claims": "a\u0000b"}, Step.CLAIMS),
    ],
)
def test_each_page_names_its_field_and_the_rule(change: dict[str, Any], step: Step) -> None:
    answers = replace(GOOD, **change)
    message = check(step, answers, TODAY)
    assert message.startswith(field_label(step) + ": ") and len(message) > len(field_label(step)) + 8
    assert first_problem(answers, TODAY) == (step, message)  # every page before it is fine


def test_a_number_is_never_repeated_in_its_message() -> None:
    message = check(Step.ID_NUMBER, replace(GOOD, id_type="resident_id", id_number="110105194912310021"), TODAY)
    assert "110105194912310021" not in message


def test_problems_of_the_intake_rules_go_back_to_their_page() -> None:
    intake = build_intake("PS-TJ-007", "x", replace(GOOD, id_number="H1"))
    with pytest.raises(IntakeError) as refused:
        validate_intake(
            {**intake, "received_on": TODAY.isoformat()}, catalogue=load_shipped_bundle().bundle, today=TODAY
        )
    [problem] = refused.value.problems
    assert step_of(problem) is Step.ID_NUMBER
    assert message_for(problem).startswith(field_label(Step.ID_NUMBER) + ": ")
    assert "parties[0]" not in message_for(problem)


def test_clear_forgets_every_answer() -> None:
    answers = replace(GOOD)
    answers.clear()
    assert answers == Answers()
