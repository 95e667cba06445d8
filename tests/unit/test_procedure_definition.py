"""Procedure definitions as data: the standard ones load and fit the bundle; bad ones are refused clearly."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fzmediate.catalogue.bundle import canonical_bytes, validate_payload
from fzmediate.errors import ValidationError
from fzmediate.i18n import set_locale
from fzmediate.procedure.engine import ProcedureEngine, load_definitions, standard_definitions
from fzmediate.procedure.guards import GUARDS
from fzmediate.resources import resource
from tests.procedure_helpers import bundle, calendar, definitions, matter


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    set_locale("en")
    yield


def mediation() -> dict[str, Any]:
    return copy.deepcopy(standard_definitions()[0])


def action(proc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(a for a in proc["actions"] if a["name"] == name)


def refused(proc: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        load_definitions([proc])
    return info.value.message


def test_standard_definitions_load_and_travel_in_the_signed_bundle() -> None:
    procs = standard_definitions()
    ids = ["mediation.standard", "adjudication.standard", "mediation.public_security", "mediation.traffic"]
    assert [p["id"] for p in procs] == [*ids, "mediation.labour"]
    canonical_bytes(procs)  # plain JSON: no floats, no tuples that would not round-trip
    assert json.loads(json.dumps(procs)) == procs
    source = json.loads(resource("catalogue", "source", "pingshan.json").read_text(encoding="utf-8"))
    signed = validate_payload(dict(source, procedures=procs))
    assert load_definitions(list(signed.procedures)).keys() == {*ids, "mediation.labour"}


def test_every_matter_runs_on_its_procedure_and_every_limit_is_tracked() -> None:
    defs = definitions()
    # Limits no act of the case can start: the party's window to apply (before the case exists), the labour
    # arbitration limitation, and the procurement suspension (it suspends the procurement, not the case).
    untracked = {"application", "arbitration_limitation", "suspension"}
    for m in bundle().matters:
        definition = defs[m.procedure]
        ProcedureEngine(definition, m, calendar())
        tracked = {s.time_limit for s in definition.deadlines_for(m.code)}
        missing = {t.name for t in m.time_limits} - tracked
        assert missing <= untracked, (m.code, missing)


def test_a_matter_of_the_other_kind_is_refused() -> None:
    with pytest.raises(ValidationError, match="is a mediation matter"):
        ProcedureEngine(definitions()["adjudication.standard"], matter("PS-TJ-001"), calendar())


def test_every_guard_used_is_registered_and_every_registered_guard_is_used() -> None:
    used = {g for d in definitions().values() for a in d.actions for g in a.guards}
    assert used == set(GUARDS)


def _unknown_guard(p: dict[str, Any]) -> None:
    action(p, "accept")["guards"].append("sky_is_blue")


def _unknown_state(p: dict[str, Any]) -> None:
    action(p, "accept")["to_state"] = "nowhere"


def _unreachable_terminal(p: dict[str, Any]) -> None:
    p["states"].append({"name": "shredded", "label": "已销毁"})
    p["terminal_states"].append("shredded")


def _dead_end(p: dict[str, Any]) -> None:
    p["states"].append({"name": "limbo", "label": "悬置"})
    p["actions"].append(dict(action(p, "accept"), name="wander", from_states=["accepted"], to_state="limbo"))


def _outcomes_miss_a_choice(p: dict[str, Any]) -> None:
    del action(p, "record_consent")["outcomes"]["targets"]["refused"]


def _kiosk(p: dict[str, Any]) -> None:
    action(p, "accept")["roles"].append("kiosk")


def _guard_without_its_field(p: dict[str, Any]) -> None:
    action(p, "accept")["guards"].append("written_reasons")


def _guard_without_its_acts(p: dict[str, Any]) -> None:
    p["actions"] = [a for a in p["actions"] if a["name"] != "record_consent"]


def _register_as_act(p: dict[str, Any]) -> None:
    p["actions"].append(dict(action(p, "accept"), name="register"))


def _deadline_cycle(p: dict[str, Any]) -> None:
    p["deadlines"].append({"time_limit": "alpha", "starts_at_end_of": "beta"})
    p["deadlines"].append({"time_limit": "beta", "starts_at_end_of": "alpha"})


def _deadline_never_starts(p: dict[str, Any]) -> None:
    p["deadlines"].append({"time_limit": "gamma", "met_by_actions": ["accept"]})


def _typo(p: dict[str, Any]) -> None:
    action(p, "accept")["gaurds"] = []


def _reserved_field(p: dict[str, Any]) -> None:
    action(p, "accept")["payload"].append({"field": "remedies", "type": "text"})


def _suspend_without_resume(p: dict[str, Any]) -> None:
    p["actions"] = [a for a in p["actions"] if a["name"] != "resume"]


def _act_from_terminal(p: dict[str, Any]) -> None:
    action(p, "archive")["from_states"] = ["archived"]


BROKEN: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (_unknown_guard, "action accept: unknown guard sky_is_blue"),
    (_unknown_state, "action accept: unknown state nowhere"),
    (_unreachable_terminal, "terminal state shredded cannot be reached from registered"),
    (_dead_end, "no path leads from state limbo to a terminal state"),
    (_outcomes_miss_a_choice, "outcomes must name a target for every choice of consent"),
    (_kiosk, "actions[0].roles[3]: must be one of 'admin', 'supervisor' or 'mediator'"),
    (_guard_without_its_field, "guard written_reasons reads payload field reasons, which is not declared"),
    (_guard_without_its_acts, "guard consent_of_all_respondents reads the acts record_consent"),
    (_register_as_act, "register is the intake act"),
    (_deadline_cycle, "starts_at_end_of forms a cycle"),
    (_deadline_never_starts, "deadline gamma: nothing starts it"),
    (_typo, "gaurds: unknown field"),
    (_reserved_field, "payload field remedies is reserved for the engine"),
    (_suspend_without_resume, "the procedure can suspend a case but has no resume act"),
    (_act_from_terminal, "action archive starts from terminal state archived"),
]


@pytest.mark.parametrize(("breaker", "expected"), BROKEN, ids=[b.__name__ for b, _e in BROKEN])
def test_broken_definitions_are_refused_with_a_clear_message(
    breaker: Callable[[dict[str, Any]], None], expected: str
) -> None:
    proc = mediation()
    breaker(proc)
    message = refused(proc)
    assert message.startswith("Procedure mediation.standard is invalid: ")
    assert expected in message


def test_duplicate_procedure_ids_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"Procedure mediation\.standard is defined twice"):
        load_definitions([mediation(), mediation()])


def test_a_single_name_is_accepted_where_a_list_is_meant() -> None:
    proc = mediation()
    action(proc, "accept")["from_states"] = "registered"
    loaded = load_definitions([proc])["mediation.standard"].action("accept")
    assert loaded is not None and loaded.from_states == ("registered",)
