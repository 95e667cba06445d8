"""Act forms as data (fzmediate/procedure/forms.py): every act of every shipped procedure has a form, the form of
a case offers that case's parties, and ``validate`` answers per field, naming the field, with the engine's rules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fzmediate.cli_describe import shipped_definitions
from fzmediate.domain.case import CaseRecord, PartyRole
from fzmediate.i18n import set_locale
from fzmediate.procedure.definition import ProcedureDefinition
from fzmediate.procedure.engine import ActionRefused
from fzmediate.procedure.forms import CHOICE_LABELS, FORM, ActForm, form_for, forms_of, validate
from fzmediate.procedure.payload import normalize_payload
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from tests.documents import case_lifecycles as life


@pytest.fixture(scope="module")
def definitions() -> dict[str, ProcedureDefinition]:
    return {d.id: d for d in shipped_definitions()[0]}


@pytest.fixture
def mediation(definitions: dict[str, ProcedureDefinition]) -> ProcedureDefinition:
    return definitions["mediation.standard"]


@pytest.fixture
def med(initialized: Workspace) -> Iterator[Session]:
    life.staff(initialized)
    with initialized.unlock(*life.MEDIATOR) as s:
        yield s


@pytest.fixture
def case(med: Session) -> CaseRecord:
    created = med.cases.create(life.mediation_intake("2026-11-24"), confirm_duplicate=True)
    return med.cases.get(created.id).record()


def test_every_act_of_every_shipped_procedure_has_a_form(definitions: dict[str, ProcedureDefinition]) -> None:
    assert {"mediation.standard", "adjudication.standard"} <= set(definitions)
    for d in definitions.values():
        forms = forms_of(d)
        assert [f.action for f in forms] == [a.name for a in d.actions]
        for form, act in zip(forms, d.actions, strict=True):
            assert form.label == act.label and form.procedure == d.id and form.case_id is None
            assert [(f.name, f.type, f.required, f.label) for f in form.fields] == [
                (p.field, p.type, p.required, p.label) for p in act.payload
            ]
            for f in form.fields:
                assert f.help, (d.id, act.name, f.name)
                if f.type == "choice":
                    # Every choice the district ships reads in words, not as a code.
                    assert all((f.name, c.value) in CHOICE_LABELS for c in f.choices), (d.id, act.name, f.name)
                    assert f.example == f.choices[0].value
                if f.type == "time_limit":
                    assert f.choice_values == act.extends


def test_a_form_without_a_case_offers_no_parties_and_unknown_acts_are_refused(mediation: ProcedureDefinition) -> None:
    form = form_for(mediation, "record_consent")
    assert form.field("party").choices == ()
    assert [c.label for c in form.field("consent").choices] == ["同意调解", "不同意调解"]
    with pytest.raises(KeyError):
        form_for(mediation, "no_such_act")


def test_the_form_of_a_case_offers_its_qualifying_parties_masked(
    mediation: ProcedureDefinition, case: CaseRecord
) -> None:
    consent = form_for(mediation, "record_consent", case)
    assert consent.case_id == case.id
    respondent = next(p for p in case.parties if p.role is PartyRole.RESPONDENT)
    assert [(c.value, c.label) for c in consent.field("party").choices] == [(respondent.id, "被申请人1 张某")]
    # No roles named: any principal party, never an agent.
    principals = [p.id for p in case.parties if p.role is not PartyRole.AGENT]
    offered = form_for(mediation, "acknowledge_rights_notice", case).field("parties").choices
    assert [c.value for c in offered] == principals and len(principals) < len(case.parties)
    assert all(life.APPLICANT not in c.label and life.RESPONDENT not in c.label for c in offered)


def test_valid_input_gives_the_payload_the_engine_stores(mediation: ProcedureDefinition, case: CaseRecord) -> None:
    applicant, respondent = (p.id for p in case.parties[:2])
    act = mediation.action("acknowledge_rights_notice")
    assert act is not None
    raw = {"parties": [applicant, respondent], "method": "signature", "agents": []}
    payload, errors = validate(form_for(mediation, act.name, case), raw)
    assert errors == {}
    assert payload == normalize_payload(case, act, raw)[0]


def test_each_wrong_field_gets_its_own_message_naming_it(mediation: ProcedureDefinition, case: CaseRecord) -> None:
    agent = next(p.id for p in case.parties if p.role is PartyRole.AGENT)
    form = form_for(mediation, "record_consent", case)
    _payload, errors = validate(form, {"party": agent, "consent": "maybe", "note": "好"})
    assert set(errors) == {"party", "consent"}
    assert errors["party"].startswith("被申请人：") and "委托代理人1 李某" in errors["party"]
    assert errors["consent"].startswith("是否同意调解：") and "agreed" in errors["consent"]

    payload, errors = validate(form, {"note": "好"})
    assert set(errors) == {"party", "consent"} and payload["note"] == "好"
    assert all(message.endswith("必须填写") for message in errors.values()), errors


def test_messages_follow_the_locale_and_cover_the_types(mediation: ProcedureDefinition, case: CaseRecord) -> None:
    set_locale("en")
    form = form_for(mediation, "record_agreement", case)
    applicant = case.parties[0].id
    raw = {
        "terms": [{"obligor": applicant, "obligee": applicant, "content": "x", "amount": "12.345", "deadline": "x"}],
        "signed_by": [applicant, applicant],
    }
    payload, errors = validate(form, raw)
    assert "amount must be a decimal" in errors["terms"]
    assert errors["signed_by"].endswith("is listed twice")
    assert payload["terms"] == [] and payload["signed_by"] == []


def test_a_party_that_is_not_of_the_case_and_form_level_problems(
    mediation: ProcedureDefinition, case: CaseRecord
) -> None:
    form = form_for(mediation, "record_consent", case)
    _payload, errors = validate(form, {"party": "not-a-party", "consent": "agreed", "extra": 1})
    assert set(errors) == {"party", FORM}
    assert "not-a-party" in errors["party"] and "extra" in errors[FORM]
    _payload, errors = validate(form, ["not", "an", "object"])
    assert set(errors) == {FORM}


def test_without_a_case_party_ids_are_left_to_the_engine(mediation: ProcedureDefinition) -> None:
    form: ActForm = form_for(mediation, "record_consent")
    payload, errors = validate(form, {"party": "some-id", "consent": "agreed"})
    assert errors == {} and (payload["party"], payload["consent"]) == ("some-id", "agreed")
    _payload, errors = validate(form, {"party": 7, "consent": "agreed"})
    assert set(errors) == {"party"}


def test_a_form_valid_payload_is_what_the_engine_accepts(
    med: Session, mediation: ProcedureDefinition, case: CaseRecord
) -> None:
    form = form_for(mediation, "accept", case)
    payload, errors = validate(form, {"note": "材料齐全"})
    assert errors == {}
    detail = med.cases.act(case.id, "accept", payload)
    assert detail.events[-1].payload["note"] == "材料齐全"
    _bad, errors = validate(form_for(mediation, "record_consent", case), {"consent": "maybe"})
    assert errors
    with pytest.raises(ActionRefused):  # the engine refuses what the form refused
        med.cases.act(case.id, "record_consent", {"consent": "maybe"})
