"""The forms of a procedure's acts as plain values (no pydantic): what the desk's GUI process shows.

:mod:`fzmediate.procedure.forms` builds them from a procedure definition and validates a filled form. A form
keeps the definition's ``spec`` of each act and field for that validation, in the process that built it:
the spec does not cross a pickle (the GUI only shows a form; the store process that applies an act builds
the form again from its own definition), so this module stays light to import in the GUI process. The spec
takes no part in comparing forms (a form that crossed equals the one that was built).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Final

from fzmediate.domain.case import PartyRole

if TYPE_CHECKING:
    from fzmediate.procedure.definition import ActionSpec, PayloadField, PayloadType

#: The field of the agents who act for a party (委托代理人), as the mediation guards name it.
AGENTS: Final = "agents"


class _SpecStaysHere:
    """Pickling leaves ``spec`` out (see the module docs); an unpickled form has ``spec`` None."""

    def __getstate__(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "spec"}  # type: ignore[arg-type]

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in {**state, "spec": None}.items():
            object.__setattr__(self, name, value)


#: The key of :func:`validate`'s errors that concern the form as a whole (not one field).
FORM: Final = ""

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
class FormField(_SpecStaysHere):
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
    spec: PayloadField = field(compare=False, repr=False)

    @property
    def display(self) -> str:
        return self.label or self.name

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)


@dataclass(frozen=True)
class ActForm(_SpecStaysHere):
    """The form of one act of a procedure; ``case_id`` set when built for a case (party choices resolved)."""

    procedure: str
    action: str
    label: str
    fields: tuple[FormField, ...]
    spec: ActionSpec = field(compare=False, repr=False)
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
