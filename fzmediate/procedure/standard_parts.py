"""Building blocks of the standard procedures: payload fields, acts and act groups shared by both.

Plain data builders (dicts and lists, JSON-able), so the procedures in :mod:`standard` read as law and
not as plumbing. Labels are Chinese data, like the rest of the catalogue.
"""

from __future__ import annotations

from typing import Any

HANDLERS = ["mediator", "supervisor", "admin"]
APPROVERS = ["supervisor", "admin"]


def field(name: str, kind: str, label: str, *, required: bool = False, **extra: Any) -> dict[str, Any]:
    """One payload field."""
    out: dict[str, Any] = {"field": name, "type": kind, "label": label, "required": required}
    out.update(extra)
    return out


def act(
    name: str,
    label: str,
    from_states: list[str],
    *,
    to: str | None = None,
    roles: list[str] | None = None,
    guards: list[str] | None = None,
    payload: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One act; ``to`` is its next state (none: the act keeps the state, or ``outcomes`` decides)."""
    out: dict[str, Any] = {
        "name": name,
        "label": label,
        "from_states": from_states,
        "roles": roles or HANDLERS,
        "guards": guards or [],
        "payload": payload or [],
    }
    if to is not None:
        out["to_state"] = to
    out.update(extra)
    return out


def deadline(time_limit: str, **extra: Any) -> dict[str, Any]:
    """One deadline entry (a matter's time limit by name)."""
    out: dict[str, Any] = {"time_limit": time_limit}
    out.update(extra)
    return out


def states(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    """States from (name, label) pairs."""
    return [{"name": n, "label": label} for n, label in pairs]


NOTE = field("note", "text", "备注")


def agents_field(label: str) -> dict[str, Any]:
    """The agents (委托代理人, by party id) who did the act in their party's place (special authority only,
    guard ``agents_have_authority``) or, for a session, who attended."""
    return field("agents", "text_list", label)


REASONS = field("reasons", "text", "理由")
# Before mediating or hearing: the people who act must be free of conflicts and the parties informed.
BEFORE_MEETING = ["conflicts_disclosed", "no_pending_recusal", "rights_acknowledged_by_all", "actor_not_recused"]
SERVICE_METHODS = ["in_person", "post", "electronic", "left_at_address", "public_notice"]
ACK_METHODS = ["signature", "seal", "thumbprint", "electronic_signature"]


def intake_acts(withdraw_from: list[str]) -> list[dict[str, Any]]:
    """Accept, refuse, transfer, withdraw: the decision on the application (条例 第四十五、四十六条)."""
    return [
        act("accept", "受理", ["registered"], to="accepted", guards=["parties_identified"], payload=[NOTE]),
        act(
            "declare_complex",
            "认定为复杂案件（延长受理审查期限）",
            ["registered"],
            extends=["acceptance"],
            guards=["written_reasons", "extension_before_due", "extension_within_limit"],
            payload=[REASONS, field("extend_by", "integer", "延长期限", minimum=1)],
        ),
        act(
            "refuse",
            "不予受理",
            ["registered"],
            to="not_accepted",
            guards=["written_reasons"],
            payload=[REASONS, field("legal_basis", "text", "依据"), NOTE],
        ),
        act(
            "transfer",
            "移送",
            ["registered"],
            to="transferred",
            guards=["written_reasons", "receiving_body_named"],
            payload=[field("receiving_body", "text", "接收机关"), REASONS],
        ),
        act(
            "withdraw",
            "撤回申请",
            withdraw_from,
            to="withdrawn",
            payload=[field("party", "party", "撤回申请的当事人", required=True, party_roles=["applicant"]), NOTE],
        ),
    ]


def recusal_acts(where: list[str], *, mandatory: bool) -> list[dict[str, Any]]:
    decide_guards = ["recusal_pending", "recusal_decision_complete"]
    if mandatory:
        decide_guards.append("recusal_granted_on_request")
    return [
        act(
            "disclose_conflicts",
            "利害关系披露",
            where,
            repeatable=True,
            guards=["disclosure_complete"],
            payload=[
                field("has_conflict", "boolean", "是否存在利害关系", required=True),
                field("details", "text", "披露内容"),
                field("mediator", "login", "披露人"),
            ],
        ),
        act(
            "request_recusal",
            "申请回避",
            where,
            repeatable=True,
            guards=["written_reasons"],
            payload=[field("party", "party", "申请人", required=True), REASONS],
        ),
        act(
            "decide_recusal",
            "回避决定",
            where,
            roles=APPROVERS,
            repeatable=True,
            guards=decide_guards,
            payload=[
                field("decision", "choice", "决定", required=True, choices=["granted", "rejected"]),
                REASONS,
                field("new_mediator", "login", "更换后的承办人员"),
            ],
        ),
    ]


def rights_acts(where: list[str]) -> list[dict[str, Any]]:
    return [
        act("issue_rights_notice", "送达权利义务告知书", where, repeatable=True, payload=[NOTE]),
        act(
            "acknowledge_rights_notice",
            "当事人签收权利义务告知书",
            where,
            repeatable=True,
            guards=["rights_notice_issued", "agents_have_authority"],
            payload=[
                field("parties", "parties", "签收的当事人"),
                field("method", "choice", "签收方式", required=True, choices=ACK_METHODS),
                agents_field("代为签收的委托代理人（特别授权）"),
            ],
        ),
    ]


def agreement_payload() -> list[dict[str, Any]]:
    return [
        field("facts_and_disputes", "text", "纠纷事实、争议事项及各方责任"),
        field("responsibilities", "text", "各方责任"),
        field("terms", "terms", "协议内容（履行方式、地点、期限）"),
        field("partial", "boolean", "部分达成协议"),
        field("remaining_disputes", "text", "仍有争议的事项"),
        field("signed_by", "parties", "签名、盖章或按指印的当事人"),
        agents_field("代为签名的委托代理人（特别授权）"),
    ]


def suspension_acts(where: list[str]) -> list[dict[str, Any]]:
    return [
        act(
            "suspend",
            "中止",
            where,
            to="suspended",
            repeatable=True,
            clock="suspend",
            guards=["written_reasons"],
            payload=[REASONS],
        ),
        act(
            "resume",
            "恢复",
            ["suspended"],
            repeatable=True,
            clock="resume",
            guards=["written_reasons"],
            payload=[REASONS],
        ),
    ]


def ending_acts(closable: list[str]) -> list[dict[str, Any]]:
    return [
        act("close", "结案", closable, to="closed", guards=["no_open_obligations"], payload=[NOTE]),
        act("archive", "归档", ["closed"], to="archived", payload=[field("file_number", "text", "卷宗号"), NOTE]),
    ]
