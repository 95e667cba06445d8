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
from dataclasses import dataclass
from typing import Any, Final

from fzmediate.domain.case import CaseRecord, PartyRole, party_role_label
from fzmediate.i18n import _
from fzmediate.jsonsafe import key_text
from fzmediate.procedure.definition import ActionSpec, PayloadField, PayloadType, ProcedureDefinition
from fzmediate.procedure.payload import _Checker, _empty, _missing, party_ref, unknown_party
from fzmediate.security.masking import mask_name

#: The key of :func:`validate`'s errors that concern the form as a whole (not one field).
FORM: Final = ""

EXAMPLE_PARTY: Final = "<party id>"
EXAMPLE_DATE: Final = "2026-12-31"

#: How a choice reads, by (field, choice): Chinese data like the definition's labels. 终止事由 and 送达方式
#: use the words of 深圳条例 第二十八条 and the documents (templates/mediation.py, templates/records.py).
CHOICE_LABELS: Final[Mapping[tuple[str, str], str]] = {
    ("consent", "agreed"): "同意调解",
    ("consent", "refused"): "不同意调解",
    ("result", "applied"): "已申请司法确认",
    ("result", "confirmed"): "已确认有效",
    ("result", "rejected"): "已驳回申请",
    ("result", "approved"): "同意",
    ("result", "returned"): "退回",
    ("result", "agreed"): "达成调解协议",
    ("result", "failed"): "调解不成",
    ("result", "refused"): "当事人拒绝调解",
    ("performance", "performed"): "已按协议履行完毕",
    ("performance", "partly_performed"): "已部分履行",
    ("performance", "not_performed"): "尚未履行",
    ("ground", "withdrawal_or_refusal"): "当事人撤回调解申请或者明确表示不再接受调解",
    ("ground", "concealment_or_false_information_or_delay"): "当事人隐瞒重要事实、提供虚假情况或者故意拖延时间",
    ("ground", "collusion_against_public_or_third_party"): "当事人可能存在恶意串通，损害公共利益或者第三人合法权益",
    ("ground", "cannot_proceed"): "调解活动难以进行",
    ("ground", "period_expired_without_extension"): "调解期限届满未达成调解协议，且当事人未同意延期调解",
    ("method", "in_person"): "直接送达",
    ("method", "post"): "邮寄送达",
    ("method", "electronic"): "电子送达",
    ("method", "left_at_address"): "留置送达",
    ("method", "public_notice"): "公告送达",
    ("method", "signature"): "签名",
    ("method", "seal"): "盖章",
    ("method", "thumbprint"): "捺指印",
    ("method", "electronic_signature"): "电子签名",
    ("decision", "granted"): "准予回避",
    ("decision", "rejected"): "驳回回避申请",
    ("outcome", "not_penalised"): "不予处罚",
    ("outcome", "penalised"): "予以处罚",
}


@dataclass(frozen=True)
class Choice:
    """One value a field may take, and how it reads (a party: role, position and masked name)."""

    value: str
    label: str


@dataclass(frozen=True)
class PartyOption:
    """A party of the case as a form offers it: never the full name or an ID number."""

    id: str
    role: PartyRole
    label: str


@dataclass(frozen=True)
class FormField:
    """One input of an act's form (the payload field of the same name)."""

    name: str
    type: PayloadType
    label: str
    required: bool
    #: ``choice`` and ``time_limit``: the allowed values; ``party``/``parties`` on a case's form: the parties
    #: that qualify. Empty for a party field of a form built without a case.
    choices: tuple[Choice, ...]
    #: A plausible value (the first choice, a placeholder id, the label as the text to write): the JSON
    #: example of the reference of acts.
    example: Any
    #: What to write, in the user's language (e.g. "a date, written YYYY-MM-DD").
    help: str
    party_roles: tuple[str, ...]
    minimum: int | None
    #: The field as the definition declares it (the rules :func:`validate` applies).
    spec: PayloadField

    @property
    def display(self) -> str:
        return self.label or self.name

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)


@dataclass(frozen=True)
class ActForm:
    """The form of one act of a procedure; ``case_id`` set when built for a case (party choices resolved)."""

    procedure: str
    action: str
    label: str
    fields: tuple[FormField, ...]
    spec: ActionSpec
    case_id: str | None = None
    #: Every party of the case (agents too), so a refusal can say why a party does not qualify.
    parties: tuple[PartyOption, ...] = ()

    def field(self, name: str) -> FormField:
        found = next((f for f in self.fields if f.name == name), None)
        if found is None:
            raise KeyError(name)
        return found


def choice_label(field: str, value: str) -> str:
    """How a choice of ``field`` reads; the code itself when the district has not labelled it."""
    return CHOICE_LABELS.get((field, value), value)


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
