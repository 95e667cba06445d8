"""Matter-specific mediation procedures, each built from ``mediation.standard`` with what its own law changes.

* ``mediation.public_security`` — 治安调解 (PS-TJ-003). 治安管理处罚法 第九条: an agreement means no penalty;
  no agreement, or an agreement not performed, means the police impose a penalty according to law and tell the
  parties the civil claim may go to court. The agreement is not a civil mediation agreement of a 调解组织, so no
  司法确认 steps (a cautious reading; legal-review). The police record what followed (``record_penalty``).
  Its own periods: the case-handling period and a second session within 7 working days of the first.
* ``mediation.traffic`` — 道路交通事故损害赔偿调解 (PS-TJ-002). 公安部令第146号 第八十六条: every party applies
  jointly and in writing within 10 days; the 调解书 (第九十三条) is signed by every party and served on each;
  a 调解书 not performed goes to a civil suit (道路交通安全法 第七十四条第二款), so no 司法确认 steps.
* ``mediation.labour`` — 劳动争议 (PS-TJ-005, PS-TJ-009). 劳动争议调解仲裁法 第十四条第三款: the 15 days run from
  the day the mediation organisation RECEIVED the application; when they pass without agreement the parties may
  apply for arbitration (the period is not an end of mediation the parties cannot extend).

Each variant is plain data like the standard (it goes into the signed bundle); `variant_definitions` is what
`fzmediate.procedure.standard.standard_definitions` adds.
"""

from __future__ import annotations

import copy
from typing import Any

from fzmediate.procedure.standard import mediation_standard
from fzmediate.procedure.standard_parts import NOTE, act, deadline, field

PUBLIC_SECURITY_ID = "mediation.public_security"
TRAFFIC_ID = "mediation.traffic"
LABOUR_ID = "mediation.labour"

_JUDICIAL_CONFIRMATION = ("remind_judicial_confirmation", "record_judicial_confirmation")
_SHENZHEN = "《深圳经济特区矛盾纠纷多元化解条例》"


def _base() -> dict[str, Any]:
    return copy.deepcopy(mediation_standard())


def _without_actions(definition: dict[str, Any], names: tuple[str, ...]) -> None:
    definition["actions"] = [a for a in definition["actions"] if a["name"] not in names]


def _deadlines(definition: dict[str, Any], *, keep: tuple[str, ...], matter_specific: bool = False) -> None:
    """Keep only the deadlines named ``keep``; matter-restricted entries of the standard are dropped unless
    ``matter_specific`` (the variant then states its own)."""
    definition["deadlines"] = [
        d for d in definition["deadlines"] if d["time_limit"] in keep and (matter_specific or not d.get("matters"))
    ]


def public_security() -> dict[str, Any]:
    """治安调解 (see module docs)."""
    definition = _base()
    _without_actions(definition, _JUDICIAL_CONFIRMATION)
    ends = ["close", "archive"]
    definition["actions"].insert(
        len(definition["actions"]) - 2,
        act(
            "record_penalty",
            "登记处罚情况",
            ["agreed", "terminated"],
            repeatable=True,
            payload=[
                field(
                    "outcome",
                    "choice",
                    "处理结果",
                    required=True,
                    choices=["not_penalised", "penalised"],
                ),
                field("decision_number", "text", "处罚决定书文号"),
                NOTE,
            ],
        ),
    )
    _deadlines(definition, keep=("transfer", "acceptance", "mediation_period", "case_handling", "second_mediation"))
    for entry in definition["deadlines"]:
        if entry["time_limit"] == "case_handling":
            entry["stopped_by_actions"] = ends
    definition.update(
        id=PUBLIC_SECURITY_ID,
        title="治安调解程序",
        description="受理、征求意见、披露与告知、调解、协议（不予处罚）或者调解不成（依法处罚）、结案归档。",
        sources=[
            "《中华人民共和国治安管理处罚法》第九条",
            _SHENZHEN + "第十一条第二款、第二十一条、第二十三条、第二十四条、第六十五条、第七十三条",
            "《公安机关办理行政案件程序规定》治安调解一章（条文序号待核对）",
        ],
    )
    return definition


def traffic() -> dict[str, Any]:
    """道路交通事故损害赔偿调解 (see module docs)."""
    definition = _base()
    _without_actions(definition, _JUDICIAL_CONFIRMATION)
    _deadlines(definition, keep=("transfer", "acceptance", "mediation_period"))
    definition.update(
        id=TRAFFIC_ID,
        title="道路交通事故损害赔偿调解程序",
        description="各方一致书面申请、受理、披露与告知、调解、调解书或者终止、结案归档。",
        sources=[
            "《中华人民共和国道路交通安全法》第七十四条",
            "《道路交通事故处理程序规定》（公安部令第146号）第八十六条、第八十七条、第九十三条（第九十三条序号待核对）",
            _SHENZHEN + "第二十一条、第二十三条至第二十八条、第四十五条、第四十六条、第七十三条",
        ],
    )
    return definition


def labour() -> dict[str, Any]:
    """劳动争议调解 (see module docs)."""
    definition = _base()
    _deadlines(definition, keep=("transfer", "acceptance", "judicial_confirmation"))
    # 劳动争议调解仲裁法 第十四条第三款: 15 days from the day the application was received.
    definition["deadlines"].append(
        deadline(
            "mediation_period",
            starts_after_action=["register"],
            met_by_actions=["record_agreement"],
            stopped_by_actions=["refuse", "transfer", "withdraw", "terminate", "close", "archive"],
        )
    )
    definition.update(
        id=LABOUR_ID,
        title="劳动争议调解程序",
        description="申请（书面或者口头）、受理、征求意见、披露与告知、调解（收到申请之日起十五日）、协议或者终止、"
        "回访、结案归档。",
        sources=[
            "《中华人民共和国劳动争议调解仲裁法》第五条、第十条、第十二条、第十四条至第十六条、第二十七条",
            _SHENZHEN + "第二十一条、第二十三条至第二十八条、第三十三条、第七十一条、第七十三条",
            "《中华人民共和国民事诉讼法》第二百零五条",
        ],
    )
    return definition


def variant_definitions() -> list[dict[str, Any]]:
    """The matter-specific mediation procedures, for the signed bundle."""
    return [public_security(), traffic(), labour()]
