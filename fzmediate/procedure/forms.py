"""Act forms as data: what the form of each act asks for, built from the procedure definition.

One definition, one form: the CLI's reference of acts (``case describe-actions``) and the desk's act
dialogs render the same :class:`ActForm`, so a field's type, label, choices and example never disagree
between them. :func:`form_for` builds the form of an act; given the case, the party fields offer that
case's parties (by role and position, names masked). :func:`validate` checks what was typed and answers
per field, so a form can show each message beside its field; the engine checks the payload again when the
act is applied (``normalize_payload``), with the same rules.

Labels are the district's Chinese data (as in the definition) — choices too, from :data:`CHOICE_LABELS`
while the definition does not carry them; hints and messages go through gettext.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from fzmediate.domain.case import CaseRecord, PartyRole, party_role_label
from fzmediate.i18n import _
from fzmediate.jsonsafe import key_text
from fzmediate.procedure.definition import ActionSpec, PayloadField, ProcedureDefinition
from fzmediate.procedure.form_types import CHOICE_LABELS as CHOICE_LABELS
from fzmediate.procedure.form_types import FORM as FORM
from fzmediate.procedure.form_types import ActForm as ActForm
from fzmediate.procedure.form_types import Choice as Choice
from fzmediate.procedure.form_types import FormField as FormField
from fzmediate.procedure.form_types import PartyOption as PartyOption
from fzmediate.procedure.form_types import choice_label as choice_label
from fzmediate.procedure.payload import _Checker, _empty, _missing, party_ref, unknown_party
from fzmediate.security.masking import mask_name

EXAMPLE_PARTY: Final = "<party id>"
EXAMPLE_DATE: Final = "2026-12-31"


def _hint(f: PayloadField) -> str:
    hints = {
        "text": _("text"),
        "text_list": _("one or more texts"),
        "date": _("a date, written YYYY-MM-DD"),
        "integer": _("a whole number"),
        "decimal": _("an amount such as 1200.50 (at most two decimal places)"),
        "boolean": _("yes or no"),
        "choice": _("one of the choices"),
        "party": _("one party of the case"),
        "parties": _("one or more parties of the case"),
        "login": _("the user name of a colleague"),
        "terms": _("the terms of the agreement: who owes what to whom, by when"),
        "time_limit": _("the time limit to extend"),
    }
    text = hints[f.type]
    if f.minimum is not None:
        text = _("{hint}, at least {n}").format(hint=text, n=f.minimum)
    return text


def example_value(act: ActionSpec, f: PayloadField) -> Any:
    """A plausible value of the field: the first choice, a placeholder id, the label as the text to write."""
    placeholder = "<{0}>".format(f.label or f.field)
    examples: dict[str, Any] = {
        "text": placeholder,
        "text_list": [placeholder],
        "date": EXAMPLE_DATE,
        "integer": f.minimum if f.minimum is not None else 1,
        "decimal": "1200.50",
        "boolean": False,
        "party": EXAMPLE_PARTY,
        "parties": [EXAMPLE_PARTY, "<another party id>"],
        "login": "med2",
        "terms": [
            {
                "obligor": "<party id of the obligor>",
                "obligee": "<party id of the obligee>",
                "content": "<履行内容>",
                "amount": "1200.50",
                "manner": "<履行方式>",
                "place": "<履行地点>",
                "deadline": EXAMPLE_DATE,
            }
        ],
    }
    values = choice_values(act, f)
    if values:
        return values[0]
    return examples.get(f.type, placeholder)


def choice_values(act: ActionSpec, f: PayloadField) -> tuple[str, ...]:
    """The codes a ``choice`` or ``time_limit`` field allows (independent of any case)."""
    if f.type == "choice":
        return f.choices
    if f.type == "time_limit":
        return act.extends
    return ()


def _qualifying_roles(f: PayloadField) -> frozenset[PartyRole]:
    # As the engine reads it (payload.py): no roles named = any principal party, never an agent.
    if f.party_roles:
        return frozenset(PartyRole(r) for r in f.party_roles)
    return frozenset({PartyRole.APPLICANT, PartyRole.RESPONDENT, PartyRole.THIRD_PARTY})


def _choices(
    d: ProcedureDefinition, act: ActionSpec, f: PayloadField, parties: tuple[PartyOption, ...]
) -> tuple[Choice, ...]:
    if f.type == "choice":
        return tuple(Choice(v, choice_label(f.field, v)) for v in f.choices)
    if f.type == "time_limit":
        labels = {s.time_limit: s.label for s in d.deadlines if s.label}
        return tuple(Choice(v, labels.get(v, v)) for v in act.extends)
    if f.type in ("party", "parties"):
        roles = _qualifying_roles(f)
        return tuple(Choice(p.id, p.label) for p in parties if p.role in roles)
    return ()


def _party_options(case: CaseRecord) -> tuple[PartyOption, ...]:
    return tuple(
        PartyOption(
            p.id,
            p.role,
            "{0} {1}".format(party_ref(case, p), mask_name(p.name)).strip() if p.name else party_ref(case, p),
        )
        for p in case.parties
    )


def form_for(definition: ProcedureDefinition, action: str, case: CaseRecord | None = None) -> ActForm:
    """The form of ``action``; with ``case``, its party fields offer that case's qualifying parties.

    Raises ``KeyError`` for an act the definition does not have (a caller's mistake, not the user's)."""
    act = definition.action(action)
    if act is None:
        raise KeyError(action)
    parties = _party_options(case) if case is not None else ()
    fields = tuple(
        FormField(
            name=f.field,
            type=f.type,
            label=f.label,
            required=f.required,
            choices=_choices(definition, act, f, parties),
            example=example_value(act, f),
            help=_hint(f),
            party_roles=tuple(f.party_roles),
            minimum=f.minimum,
            spec=f,
        )
        for f in act.payload
    )
    return ActForm(
        procedure=definition.id,
        action=act.name,
        label=act.label,
        fields=fields,
        spec=act,
        case_id=case.id if case is not None else None,
        parties=parties,
    )


def forms_of(definition: ProcedureDefinition, case: CaseRecord | None = None) -> tuple[ActForm, ...]:
    """The form of every act of ``definition``, in the definition's order."""
    return tuple(form_for(definition, a.name, case) for a in definition.actions)


class _FieldChecker(_Checker):
    """The engine's payload rules (payload.py), with each problem filed under its field; party ids are
    checked against the form's parties (the form holds no case record)."""

    def __init__(self, form: ActForm) -> None:
        super().__init__(None, form.spec)  # type: ignore[arg-type]  # party() below never reads the case
        self.form = form
        self.errors: dict[str, list[str]] = {}

    def bad(self, spec: PayloadField, rule: str) -> None:
        self.errors.setdefault(spec.field, []).append(_("{field}: {rule}").format(field=spec.display, rule=rule))

    def party(self, spec: PayloadField, value: Any) -> str | None:
        if not isinstance(value, str):
            self.bad(spec, _("expected a party id"))
            return None
        if self.form.case_id is None:
            # Without a case nothing says which ids exist: the engine checks them when the act is applied.
            if not value.strip():
                self.bad(spec, _("expected a party id"))
                return None
            return value.strip()
        option = next((p for p in self.form.parties if p.id == value), None)
        if option is None:
            self.bad(spec, unknown_party(value))
            return None
        field = self.form.field(spec.field)
        if value not in field.choice_values:
            roles = _qualifying_roles(spec)
            self.bad(
                spec,
                _("{party} does not have the required role ({roles})").format(
                    party=option.label,
                    roles=_(" or ").join(party_role_label(r) for r in sorted(roles)),
                ),
            )
            return None
        return value

    def listing(self, spec: PayloadField, value: Any) -> list[Any] | None:
        if spec.type == "parties" and isinstance(value, list | tuple):
            seen = [v for v in value if isinstance(v, str)]
            twice = next((v for i, v in enumerate(seen) if v in seen[:i]), None)
            if twice is not None:
                option = next((p for p in self.form.parties if p.id == twice), None)
                name = option.label if option is not None else _("a party")
                self.bad(spec, _("{party} is listed twice").format(party=name))
                return None
        return super().listing(spec, value)


def validate(form: ActForm, raw: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The payload as the act would store it, and a message per field that is wrong (empty when valid).

    Messages name the field ("调解结果：必须填写"); problems of the form as a whole (not a set of named fields, a
    field the act does not have) are filed under :data:`FORM`. Valid fields are kept even when others are
    wrong, as the engine does.
    """
    checker = _FieldChecker(form)
    out: dict[str, Any] = {f.name: _empty(f.type) for f in form.fields}
    if not isinstance(raw, Mapping):
        return out, {FORM: _("The data for this act must be a set of named fields")}
    declared = {f.name for f in form.fields}
    general: list[str] = []
    hidden = False
    for key in sorted(str(k) for k in raw if k not in declared):
        shown = key_text(key)
        if shown is not None:
            general.append(_("{field}: unknown field for this act").format(field=shown))
        elif not hidden:
            hidden = True
            general.append(_("a field unknown for this act (its name is not shown: it may be personal data)"))
    for f in form.fields:
        value = raw.get(f.name)
        if _missing(value):
            if f.required:
                checker.bad(f.spec, _("required"))
            continue
        checked = checker.value(f.spec, value)
        if checked is not None:
            out[f.name] = checked
        if f.required and _missing(checked) and checked is not None:
            checker.bad(f.spec, _("required"))
    errors = {name: _("; ").join(messages) for name, messages in checker.errors.items()}
    if general:
        errors[FORM] = _("; ").join(general)
    return out, errors
