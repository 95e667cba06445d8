"""An agreement is printed for signing before the signatures are recorded, and sealed only after (issue 7 §7).

In practice the mediator prints the agreed terms, the parties sign the paper, and the signatures are then recorded
from it. The draft print carries the terms and a line for every party, no signing date; issuing (sealing) waits for
``record_agreement``, which may take the terms from the draft.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fzmediate.errors import ValidationError
from fzmediate.i18n import set_locale
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from tests.documents import case_lifecycles as life
from tests.documents.pdftools import pdftotext, squash


@pytest.fixture
def med(initialized: Workspace) -> Iterator[Session]:
    set_locale("zh_CN")
    life.staff(initialized)
    with initialized.unlock(*life.MEDIATOR) as s:
        yield s


def test_a_drafted_agreement_prints_for_signing_and_is_sealed_only_once_signed(med: Session) -> None:
    case_id, applicant, respondent = life.drafted_agreement(med)

    draft = squash(pdftotext(med.documents.render("agreement", case_id)))
    assert "调解协议书" in draft and "张䶮向王𠮷履行：退还多收的物业服务费" in draft
    assert "申请人王𠮷" in draft and "被申请人张䶮" in draft
    with pytest.raises(ValidationError) as refused:
        med.documents.issue("agreement", case_id)
    assert refused.value.field == "kind" and "达成调解协议" in str(refused.value)

    life.step(
        med,
        case_id,
        "record_agreement",
        "2026-10-28",
        {"from_draft": True, "signed_by": [applicant, respondent]},
    )
    issued = med.documents.issue("agreement", case_id)
    text = squash(pdftotext(med.documents.get_pdf(issued.id)))
    assert "张䶮向王𠮷履行：退还多收的物业服务费" in text and "2026年10月28日" in text
