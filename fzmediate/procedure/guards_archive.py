"""The completeness gate: a case is not archived while a document its path requires has not been issued.

What a case requires follows from what happened in it: each act on record that a document must show for
(the 受理通知书 once ``accept`` is, the 送达回证 once anything was served …) makes that document required
(`required_documents`). The table is this module's, by kind name and printed title, so that the procedure
layer never imports the documents layer; `fzmediate.documents.templates.kinds` checks at import time that its
kinds agree with it.

What "issued" means is the documents service's to say (`fzmediate.services.documents.issued_kinds`): the
kinds with a current issued version that covers every event it must show. The case service loads that set
into the case snapshot (``CaseRecord.documents``) before the engine judges ``archive``.

Sources: the 卷宗 template (申请书/受理登记表, 权利义务告知书, 调解记录, 协议书 required; 回访记录 and 司法确认材料
when they exist; reference/mission.md §1a); 广东省林木林地权属争议调解处理条例 第四十二条 (a decision is served and
a 送达回证 obtained) and 第四十三条 (the 卷宗 of an adjudication: the decision and its 送达回证, the application,
the acceptance notice, the notice to reply and its 送达回证, the replies, the records of investigation and
mediation); 第三十五条、第四十条、第四十六条 (extension, suspension and resumption told in writing).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from fzmediate.domain.case import CaseKind, CaseRecord
from fzmediate.i18n import _
from fzmediate.procedure.guard_registry import GuardContext, guard

GATE: Final = "required_documents_issued"
_MEDIATION: Final = frozenset({CaseKind.MEDIATION})
_ADJUDICATION: Final = frozenset({CaseKind.ADJUDICATION})
_BOTH: Final = frozenset(CaseKind)


@dataclass(frozen=True)
class Required:
    """A document a case must hold once any of ``acts`` is on record (for the case kinds given)."""

    kind: str
    title: str
    acts: tuple[str, ...]
    case_kinds: frozenset[CaseKind] = _BOTH


#: What a case file must hold, in case-file order (titles as printed; kinds as `templates.kinds` names them).
REQUIRED_DOCUMENTS: Final[tuple[Required, ...]] = (
    Required("application", "申请书", ("register",)),
    Required("acceptance_notice", "受理通知书", ("accept",)),
    Required("refusal_notice", "不予受理通知书", ("refuse",)),
    Required("transfer_notice", "移送告知书", ("transfer",)),
    Required("acceptance_announcement", "受理公告", ("publish_acceptance_notice",), _ADJUDICATION),
    Required("consent_request", "征求意见书", ("record_consent",), _MEDIATION),
    Required("rights_notice", "权利义务告知书", ("issue_rights_notice",), _MEDIATION),
    Required("adjudication_rights_notice", "行政裁决权利告知书", ("issue_rights_notice",), _ADJUDICATION),
    Required("reply_notice", "答辩通知书", ("serve_copy",), _ADJUDICATION),
    Required("recusal_decision", "回避决定书", ("decide_recusal",)),
    Required("extension_notice", "延期告知书", ("extend_period",)),
    Required("suspension_notice", "中止通知书", ("suspend",)),
    Required("resumption_notice", "恢复通知书", ("resume",)),
    Required("mediation_record", "调解笔录", ("hold_session",), _MEDIATION),
    Required("hearing_record", "听证笔录", ("hold_hearing",), _ADJUDICATION),
    Required("undisputed_facts", "无争议事实确认书", ("record_undisputed_facts",), _MEDIATION),
    Required("termination_notice", "终止调解通知书", ("terminate",), _MEDIATION),
    Required("agreement", "调解协议书", ("record_agreement",)),
    Required("decision", "行政裁决书", ("decide",), _ADJUDICATION),
    Required("follow_up_record", "回访记录", ("follow_up",), _MEDIATION),
    Required("service_receipt", "送达回证", ("serve_copy", "serve_decision", "issue_termination_notice")),
)


def required_documents(case: CaseRecord) -> tuple[Required, ...]:
    """The documents ``case`` must hold, given the acts on its record (case-file order)."""
    done = {e.action for e in case.events}
    return tuple(r for r in REQUIRED_DOCUMENTS if case.kind in r.case_kinds and done.intersection(r.acts))


def missing_documents(case: CaseRecord, issued: Iterable[str]) -> tuple[Required, ...]:
    """The required documents not among ``issued`` (kind names)."""
    have = set(issued)
    return tuple(r for r in required_documents(case) if r.kind not in have)


@guard(GATE)
def required_documents_issued(ctx: GuardContext) -> str | None:
    """Every document the case's path requires has been issued (the 卷宗 is complete)."""
    missing = missing_documents(ctx.case, ctx.case.documents)
    if not missing:
        return None
    return _("The case file is incomplete; issue these documents before archiving: {documents}").format(
        documents="、".join(r.title for r in missing)
    )


def with_archive_gate(acts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ending acts of a procedure with the completeness gate on ``archive`` (for `standard`)."""
    for act in acts:
        if act.get("name") == "archive" and GATE not in act.get("guards", []):
            act["guards"] = [*act.get("guards", []), GATE]
    return acts
