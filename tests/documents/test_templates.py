"""The worked templates: 调解协议书 with every element of 人民调解法 Art. 29, and the 申请指南 of each matter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fzmediate.catalogue.bundle import load_shipped_bundle
from fzmediate.documents.errors import MissingGlyphError
from fzmediate.documents.model import SIGN_NOTE, DocumentSpec
from fzmediate.documents.render import document_text, render_pdf
from fzmediate.documents.templates.agreement import AgreedTerm, AgreementParty, agreement_spec
from fzmediate.documents.templates.guide import guide_spec
from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.security.masking import mask_id_number
from tests.documents.conftest import ISSUE_DATE
from tests.documents.pdftools import pdftotext, squash
from tests.documents.samples import agreement_data
from tests.synthetic import make_resident_id


def test_agreement_states_everything_article_29_requires(agreement: DocumentSpec) -> None:
    text = document_text(agreement)
    data = agreement_data()
    for party in data.parties:
        assert "{0}：{1}，".format(party.role, party.name) in text
        assert party.id_number in text and party.phone in text and party.address in text
    assert data.facts in text and data.disputes in text
    assert "金额为人民币8,000.00元（大写：人民币捌仟元整）" in text
    assert "履行方式：银行转账至申请人指定账户；履行地点：深圳市坪山区；履行期限：2026年12月10日前。" in text
    assert "本协议自各方当事人签名、盖章或者按指印，调解员签名并加盖调解组织印章之日起生效。" in text
    assert "可以自本协议生效之日起30日内共同向人民法院申请司法确认" in text
    assert "本协议一式三份，当事人各执一份，调解组织留存一份。" in text
    assert "申请人" + SIGN_NOTE in text and "被申请人" + SIGN_NOTE in text and "调解员：赵喆（签名）" in text
    assert agreement.number == "坪街调协字〔2026〕第12号"


def test_signatures_share_a_page_with_the_copies_clause(agreement_pdf: bytes) -> None:
    pages = pdftotext(agreement_pdf).split("\f")
    signing = [p for p in pages if "签名盖章或按指印" in p]
    assert signing and all("一式三份" in squash(p) for p in signing[:1])


def test_copies_follow_the_number_of_parties() -> None:
    third = AgreementParty("第三人", "孙赟", "男", id_number=make_resident_id(seq=125))
    data = agreement_data(parties=(*agreement_data().parties, third))
    assert "本协议一式四份" in document_text(agreement_spec(data))


def test_public_copy_masks_personal_details() -> None:
    data = agreement_data()
    text = document_text(agreement_spec(data, public=True))
    for party in data.parties:
        assert party.name not in text.replace(SIGN_NOTE, "")
        assert party.id_number not in text and party.phone not in text
    assert "王某" in text and "139****5678" in text
    assert mask_id_number(data.parties[0].id_number) in text


def test_agreement_input_is_checked_with_field_names() -> None:
    with pytest.raises(ValidationError):
        agreement_spec(agreement_data(parties=agreement_data().parties[:1]))
    with pytest.raises(ValidationError):
        agreement_spec(agreement_data(terms=()))
    bad = AgreementParty("申请人", "李\U00030000")
    with pytest.raises(MissingGlyphError) as caught:
        agreement_spec(agreement_data(parties=(bad, agreement_data().parties[1])))
    assert caught.value.field == _("party {n}").format(n=1) and "U+30000" in caught.value.message


def test_agreed_term_text() -> None:
    term = AgreedTerm("返还押金", "现金", "调解室", dt.date(2026, 12, 1), Decimal("1500"))
    assert term.text() == (
        "返还押金，金额为人民币1,500.00元（大写：人民币壹仟伍佰元整）。履行方式：现金；履行地点：调解室；履行期限：2026年12月1日前。"
    )


@pytest.mark.parametrize("matter", load_shipped_bundle().bundle.matters, ids=lambda m: m.code)
def test_every_shipped_matter_has_a_printable_guide(matter: object) -> None:
    spec = guide_spec(matter, document_id="G-" + matter.code, issue_date=ISSUE_DATE)  # type: ignore[attr-defined]
    text = document_text(spec)
    assert matter.code in text and matter.consult_phone in text  # type: ignore[attr-defined]
    if matter.kind == "adjudication":  # type: ignore[attr-defined]
        assert "救济途径" in text


def test_guide_masks_the_person_it_was_printed_for(guide: DocumentSpec, guide_pdf: bytes) -> None:
    text = squash(pdftotext(guide_pdf))
    assert "打印对象：王某（139****5678）" in text
    assert "王𠮷" not in text and "13912345678" not in text


def test_a_guide_printed_at_the_desk_may_name_the_person(guide: DocumentSpec) -> None:
    matter = load_shipped_bundle().bundle.matters[0]
    spec = guide_spec(matter, document_id="G", issue_date=ISSUE_DATE, printed_for="王𠮷", public=False)
    assert "打印对象：王𠮷" in document_text(spec)
    assert render_pdf(spec)


def test_public_copy_redacts_numbers_written_into_the_facts() -> None:
    resident = make_resident_id(seq=127)
    data = agreement_data(facts="见证人身份证号{0}，电话13700001111。".format(resident))
    public = document_text(agreement_spec(data, public=True))
    assert resident not in public and "13700001111" not in public
    assert resident in document_text(agreement_spec(data))
