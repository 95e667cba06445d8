"""``fzmediate case describe-actions``: the Markdown reference of every act (docs/case-actions.md).

Developer documentation for script writers, committed to the repository: English text around the
district's Chinese labels, deliberately not translated, so that the file does not depend on the locale of
whoever regenerates it (a test checks that it is current). The fields of each act come from its form
(:mod:`fzmediate.procedure.forms`), the same the desk renders.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence

from fzmediate.errors import NotFoundError
from fzmediate.i18n import _
from fzmediate.procedure.definition import INTAKE_ACTION, ActionSpec, DeadlineSpec, ProcedureDefinition
from fzmediate.procedure.forms import FormField, form_for
from fzmediate.procedure.payload import TERM_KEYS

_TYPE_WORDS = {
    "text": "text",
    "text_list": "list of texts",
    "date": "date (YYYY-MM-DD)",
    "integer": "whole number",
    "decimal": 'amount as text ("1200.50")',
    "boolean": "true or false",
    "choice": "one of the choices",
    "party": "party id",
    "parties": "list of party ids",
    "login": "user name",
    "terms": "list of terms (objects)",
    "time_limit": "time limit name",
}


def _md(text: str) -> str:
    """Text for a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _code(names: Iterable[str]) -> str:
    return ", ".join("`{0}`".format(n) for n in names)


def _states_text(d: ProcedureDefinition, names: Iterable[str]) -> str:
    return ", ".join("`{0}` {1}".format(n, d.state_label(n)) for n in names)


def _field_type(f: FormField) -> str:
    words = _TYPE_WORDS.get(f.type, f.type)
    if f.party_roles:
        words += " ({0})".format(" or ".join(f.party_roles))
    if f.minimum is not None:
        words += ", at least {0}".format(f.minimum)
    return words


def _leads_to(d: ProcedureDefinition, act: ActionSpec) -> str:
    if act.clock == "resume":
        return "back to the state the case was in when it was suspended"
    if act.outcomes is not None:
        targets = "; ".join(
            "`{0}` → `{1}` {2}".format(choice, target, d.state_label(target))
            for choice, target in act.outcomes.targets.items()
        )
        return "by `{0}`: {1}".format(act.outcomes.field, targets)
    if act.to_state is not None:
        return _states_text(d, [act.to_state])
    return "stays in the same state (the act records something)"


def _time_limits(d: ProcedureDefinition, act: ActionSpec) -> list[str]:
    """The time limits the act starts, meets, stops or extends, e.g. "starts `mediation_period` (not for PS-TJ-005)"."""
    by_limit: dict[str, list[DeadlineSpec]] = {}
    for spec in d.deadlines:
        by_limit.setdefault(spec.time_limit, []).append(spec)
    relations: list[tuple[str, Callable[[DeadlineSpec], frozenset[str]]]] = [
        ("starts", d.starters),
        ("meets", d.meeters),
        ("stops", lambda spec: frozenset(spec.stopped_by_actions)),
    ]
    if act.extends:
        relations.append(
            ("extends", lambda spec: frozenset({act.name}) if spec.time_limit in act.extends else frozenset())
        )
    out: list[str] = []
    for verb, of in relations:
        names = []
        for name, specs in by_limit.items():
            general = [s for s in specs if not s.matters]
            special = [s for s in specs if s.matters]
            yes = [m for s in special if act.name in of(s) for m in s.matters]
            no = [m for s in special if act.name not in of(s) for m in s.matters]
            if any(act.name in of(s) for s in general):
                names.append("`{0}`".format(name) + (" (not for {0})".format(", ".join(no)) if no else ""))
            elif yes:
                names.append("`{0}` ({1} only)".format(name, ", ".join(yes)))
        if names:
            out.append("{0} {1}".format(verb, ", ".join(names)))
    return out


def _action_markdown(d: ProcedureDefinition, act: ActionSpec) -> list[str]:
    who = _code(act.roles)
    if act.requires_legally_qualified:
        who += "; the user must hold a legal qualification"
    if act.requires_different_actor_from:
        who += "; not someone who did {0} in this case".format(
            ", ".join("`{0}` {1}".format(a, d.action_label(a)) for a in act.requires_different_actor_from)
        )
    lines = [
        "### `{0}` {1}".format(act.name, act.label),
        "",
        "- From: {0}".format(_states_text(d, act.from_states)),
        "- Leads to: {0}".format(_leads_to(d, act)),
        "- Who: {0}".format(who),
        "- Repeatable: {0}".format("yes" if act.repeatable else "no, once per case"),
    ]
    if act.clock == "suspend":
        lines.append("- Clock: every time limit of the case stands still until `resume`")
    if act.guards:
        lines.append("- Checks: {0}".format(_code(act.guards)))
    limits = _time_limits(d, act)
    if limits:
        lines.append("- Time limits: {0}".format("; ".join(limits)))
    if act.owed_after:
        lines.append("- Owed before closing once {0} happened".format(_code(act.owed_after)))
    if act.states_remedies:
        lines.append("- The remedy routes and their deadlines are copied from the matter into the event")
    lines.append("")
    if act.payload:
        form = form_for(d, act.name)
        lines += ["| Field | Type | Required | Choices | Label |", "|---|---|---|---|---|"]
        lines += [
            "| `{0}` | {1} | {2} | {3} | {4} |".format(
                f.name,
                _md(_field_type(f)),
                "yes" if f.required else "no",
                _code(f.choice_values),
                _md(f.label),
            )
            for f in form.fields
        ]
        example = {f.name: f.example for f in form.fields}
        lines += ["", "```json", json.dumps(example, ensure_ascii=False, indent=2), "```"]
    else:
        lines.append("No data: `fzmediate case act ID {0}`.".format(act.name))
    lines.append("")
    return lines


def _procedure_markdown(d: ProcedureDefinition) -> list[str]:
    lines = ["## `{0}` {1}".format(d.id, d.title), ""]
    if d.description:
        lines += [d.description, ""]
    lines += ["| State | Label | |", "|---|---|---|"]
    for state in d.states:
        note = "initial" if state.name == d.initial_state else "final" if state.name in d.terminal_states else ""
        lines.append("| `{0}` | {1} | {2} |".format(state.name, _md(state.label), note))
    lines.append("")
    for act in d.actions:
        lines += _action_markdown(d, act)
    return lines


def describe_actions(definitions: Sequence[ProcedureDefinition], source: str) -> str:
    """The Markdown reference of every act of ``definitions`` (``source`` names where they come from)."""
    lines = [
        "# Case actions",
        "",
        "<!-- Generated by `fzmediate case describe-actions > docs/case-actions.md`; do not edit by hand. -->",
        "",
        "Every act of the procedures, as `fzmediate case act ID ACTION` records it: its label, the states it",
        "starts from, who may do it, its data (payload) and an example. Generated from the procedure",
        "definitions of {0}.".format(source),
        "A case always runs under the definitions of the catalogue version it was registered under: for an",
        "older case, `fzmediate case actions ID` is the authority on what can be done next, and why not.",
        "",
        "- The data of an act is a JSON object, given with `--json FILE` (which also prints the result as",
        "  JSON) or `--payload FILE` (`-` reads standard input). A field left out is recorded empty.",
        "- Party ids are the `id` of the case's parties in `fzmediate case show ID --json` (`parties[].id`),",
        "  never names. A term of an agreement is an object with the fields",
        "  {0}: `obligor` and `obligee` are party ids,".format(_code(TERM_KEYS)),
        "  `amount` is optional, `deadline` is a date.",
        '- Dates are written `YYYY-MM-DD`; amounts as decimal text with at most two places (`"1200.50"`).',
        "- Required means the field must be given. The checks (guards) named under an act may ask for more,",
        "  such as written reasons or every party's signature; a refused act names everything missing at once.",
        "- Who: the roles that may do the act (`admin`, `supervisor`, `mediator`); a kiosk never acts on cases.",
        "- Time limits apply to the matters that have them (`fzmediate catalogue show CODE`).",
        "- `{0}` is the intake act: `fzmediate case create` records it.".format(INTAKE_ACTION),
        "",
    ]
    for d in definitions:
        lines += _procedure_markdown(d)
    return "\n".join(lines).rstrip("\n") + "\n"


def shipped_definitions() -> tuple[list[ProcedureDefinition], str]:
    """The procedure definitions of the catalogue shipped with the app, and words naming that catalogue."""
    from fzmediate.catalogue.bundle import load_shipped_bundle
    from fzmediate.services.case_engine import definitions_for

    bundle = load_shipped_bundle().bundle
    definitions = definitions_for(bundle.procedures)
    return list(definitions.values()), "the catalogue shipped with the app (`{0}` version {1})".format(
        bundle.bundle_id, bundle.version
    )


def cmd_case_describe_actions(args: argparse.Namespace) -> int:
    definitions, source = shipped_definitions()
    if args.procedure is not None:
        definitions = [d for d in definitions if d.id == args.procedure]
        if not definitions:
            raise NotFoundError(_("There is no procedure {id}.").format(id=args.procedure))
    sys.stdout.write(describe_actions(definitions, source))
    return 0
