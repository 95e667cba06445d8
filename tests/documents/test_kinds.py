"""Every document kind, made from whole synthetic cases through the services and checked as printed.

Five cases (tests/documents/case_lifecycles.py): a mediation ending in an agreement, one failing with
undisputed facts and terminated, one refused, one transferred, and an adjudication decided. Each kind that
its case allows is drafted and issued once (module fixture); the tests read the issued PDFs back with
pdftotext and pypdf: embedded fonts only, the text round trip, the names exactly (王𠮷 Ext B, 张䶮 Ext A),
markup printed literally, no line starting with forbidden punctuation, the body inside the GB/T 9704 text
block, the clauses each kind must state, masked public printouts, and a golden image of each kind's first
page as drafted (regenerate with FZ_REGENERATE_GOLDENS=1, as tests/documents/test_golden.py explains).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from fzmediate.documents.render import document_text
from fzmediate.documents.reportlab_fixes import CANNOT_START
from fzmediate.documents.templates.kinds import KINDS
from fzmediate.i18n import set_locale
from fzmediate.security.masking import mask_id_number
from fzmediate.services.documents import DRAFT_MARK
from fzmediate.services.workspace import Workspace
from tests.cases_support import AGENT_ID, APPLICANT_ID, RESPONDENT_ID
from tests.documents import case_lifecycles as life
from tests.documents.pdftools import pdffonts, pdftotext, pypdf_text, render_pages, squash, words
from tests.documents.test_golden import GOLDEN, compare
from tests.documents.test_golden import _store as store_golden
from tests.documents.test_new_kinds import NEW_KINDS
from tests.support import ADMIN_PW, FAST_KDF, FakeClock

#: (case, kind) for every document the five cases allow, in case-file order per case.
MADE = [
    ("agreed", "application"),
    ("agreed", "receipt"),
    ("agreed", "acceptance_notice"),
    ("agreed", "consent_request"),
    ("agreed", "rights_notice"),
    ("agreed", "agreement"),
    ("agreed", "judicial_confirmation"),
    ("failed", "undisputed_facts"),
    ("failed", "termination_notice"),
    ("refused", "refusal_notice"),
    ("transferred", "transfer_notice"),
    ("adjudicated", "application"),
    ("adjudicated", "acceptance_notice"),
    ("adjudicated", "adjudication_rights_notice"),
    ("adjudicated", "decision"),
]
PUBLIC = {"receipt"}
REGENERATE = os.environ.get("FZ_REGENERATE_GOLDENS") == "1"
BLOCK_LEFT, BLOCK_RIGHT, BLOCK_TOP, BLOCK_BOTTOM = 28.0, 184.0, 37.0, 262.0
TOLERANCE = 1.0


@dataclass(frozen=True)
class Made:
    spec_text: str
    draft: bytes
    issued: bytes
    pages: int


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Made]:
    set_locale("zh_CN")
    ws = Workspace(tmp_path_factory.mktemp("kinds") / "data", kdf=FAST_KDF, clock=FakeClock())
    ws.initialize("admin", ADMIN_PW, full_name="管理员")
    cases = life.run_all(ws)
    out: dict[tuple[str, str], Made] = {}
    for name, case_id in cases.items():
        with cases.store_of(name).unlock(*life.MEDIATOR) as s:
            for status in s.documents.kinds(case_id):
                if not status.available or (name, status.name) not in MADE:
                    continue
                spec = s.documents.spec(status.name, case_id)
                draft = s.documents.render(status.name, case_id)
                info = s.documents.issue(status.name, case_id)
                out[(name, status.name)] = Made(document_text(spec), draft, s.documents.get_pdf(info.id), info.pages)
    return out


def _made(made: dict[tuple[str, str], Made], case: str, kind: str) -> Made:
    assert (case, kind) in made, "{0} was not available for the {1} case".format(kind, case)
    return made[(case, kind)]


def _text(doc: Made) -> str:
    return squash(pdftotext(doc.issued))


def test_every_kind_is_made_from_a_lifecycle(made: dict[tuple[str, str], Made]) -> None:
    assert sorted(made) == sorted(MADE)
    # The kinds of a case's course (笔录, 送达回证, notices) are made and checked in test_new_kinds.py.
    assert {kind for _case, kind in MADE} | NEW_KINDS == set(KINDS)


@pytest.mark.parametrize(("case", "kind"), MADE)
def test_only_embedded_subset_fonts(made: dict[tuple[str, str], Made], case: str, kind: str) -> None:
    doc = _made(made, case, kind)
    for pdf in (doc.issued, doc.draft):
        fonts = pdffonts(pdf)
        assert fonts
        for font in fonts:
            assert (font["emb"], font["sub"], font["uni"]) == ("yes", "yes", "yes"), font["line"]
            assert "Helvetica" not in font["name"] and "STSong" not in font["name"]


@pytest.mark.parametrize(("case", "kind"), MADE)
def test_text_round_trips_through_pdftotext_and_pypdf(made: dict[tuple[str, str], Made], case: str, kind: str) -> None:
    doc = _made(made, case, kind)
    expected = squash(doc.spec_text)
    raw = squash(pdftotext(doc.issued, "-raw"))
    # A table split over pages repeats its header; the judicial-confirmation table fits on one page.
    assert raw == expected
    assert squash(pypdf_text(doc.issued)) == expected


@pytest.mark.parametrize(("case", "kind"), MADE)
def test_a_draft_is_marked_on_every_page_and_says_the_same(
    made: dict[tuple[str, str], Made], case: str, kind: str
) -> None:
    doc = _made(made, case, kind)
    pages = pdftotext(doc.draft, "-raw").split("\f")[: doc.pages]
    assert len(pages) == doc.pages and all(squash(DRAFT_MARK) in squash(p) for p in pages)
    assert squash(pdftotext(doc.draft, "-raw")).replace(squash(DRAFT_MARK), "") == squash(doc.spec_text)


@pytest.mark.parametrize(("case", "kind"), MADE)
def test_names_print_exactly_or_masked_on_public_printouts(
    made: dict[tuple[str, str], Made], case: str, kind: str
) -> None:
    text = _text(_made(made, case, kind))
    if kind in PUBLIC:
        assert "王某" in text and life.APPLICANT not in text and life.RESPONDENT not in text
    else:
        assert life.APPLICANT in text
        if kind not in ("receipt",):
            assert life.RESPONDENT in text or kind in ("acceptance_notice", "refusal_notice", "transfer_notice")


@pytest.mark.parametrize(("case", "kind"), MADE)
def test_no_line_starts_with_forbidden_punctuation(made: dict[tuple[str, str], Made], case: str, kind: str) -> None:
    lines = [line.strip() for line in pdftotext(_made(made, case, kind).issued, "-layout").splitlines()]
    offenders = [line for line in lines if line and line[0] in CANNOT_START and not line.startswith("—")]
    assert not offenders


@pytest.mark.parametrize(("case", "kind"), MADE)
def test_body_stays_in_the_gb9704_text_block(made: dict[tuple[str, str], Made], case: str, kind: str) -> None:
    found = words(_made(made, case, kind).issued)
    body = [w for w in found if BLOCK_TOP - 3 < w.y0 < BLOCK_BOTTOM + 3]
    assert body
    for word in body:
        assert word.x0 >= BLOCK_LEFT - TOLERANCE and word.x1 <= BLOCK_RIGHT + TOLERANCE, word
        assert word.y1 <= BLOCK_BOTTOM + TOLERANCE, word


@pytest.mark.parametrize(
    ("case", "kind"),
    [("agreed", "application"), ("agreed", "agreement"), ("failed", "undisputed_facts"), ("adjudicated", "decision")],
)
def test_markup_in_facts_prints_literally(made: dict[tuple[str, str], Made], case: str, kind: str) -> None:
    text = _text(_made(made, case, kind))
    markup = {
        "decision": life.FACTS_FOUND,
        "undisputed_facts": "申请人已缴纳2026年物业服务费<b>3,600元</b>。",
    }.get(kind, life.MARKUP_FACTS)
    assert squash(markup) in text
    assert squash(markup) in squash(pypdf_text(_made(made, case, kind).issued))


#: What each kind must say (the law's required elements and the case's own values).
CLAUSES: dict[tuple[str, str], tuple[str, ...]] = {
    ("agreed", "application"): (
        "行政调解申请书",
        "申请事项",
        "事实和理由",
        "此致",
        life.OFFICE,  # 此致: the competent body, never 各街道办事处
        "申请人王𠮷（签名盖章或按指印）",
    ),
    ("agreed", "receipt"): ("收件回执", "物业管理纠纷行政调解", "5个工作日", "2026年10月15日前", "不表示申请已被受理"),
    ("agreed", "acceptance_notice"): (
        "受理通知书",
        "决定予以受理",
        "调解期限为30日",
        "至2026年11月11日届满",
        "拒绝调解",
    ),
    ("agreed", "consent_request"): ("征求意见书", "是否同意通过调解解决该纠纷", "□同意调解", "□不同意调解", "回执"),
    ("agreed", "rights_notice"): (
        # 行政调解 rests on the 深圳条例 (第二十一、二十三至二十八、七十一、七十三条), not on the 人民调解法.
        "《深圳经济特区矛盾纠纷多元化解条例》第三条、第二十一条",
        "接受调解、拒绝调解或者要求终止调解",
        "调解员应当回避",
        "陈述纠纷事实",
        "提供与纠纷有关的证据材料",
        "委托代理人参加调解",
        "个人隐私和商业秘密负有保密义务",
        "《深圳经济特区矛盾纠纷多元化解条例》第二十四条",
        "自愿达成调解协议",
        "《中华人民共和国民事诉讼法》第二百零五条",
        "至2026年11月11日届满",
        "30日内共同向人民法院申请司法确认",
        "仲裁、行政、司法等途径",
        "如实陈述纠纷事实",
        "遵守调解现场秩序",
        "尊重对方当事人行使权利",
        "告知人：赵喆",
        "申请人王𠮷（签名盖章或按指印）",
        "被申请人张䶮（签名盖章或按指印）",
    ),
    ("agreed", "agreement"): (
        "调解协议书",
        "张䶮向王𠮷履行：退还多收的物业服务费",
        "金额为人民币1,200.00元（大写：人民币壹仟贰佰元整）",
        "履行方式：银行转账；履行地点：深圳市坪山区；履行期限：2026年11月30日前。",
        "委托代理人：李𬌗",
        "30日内共同向人民法院申请司法确认",
        "本协议一式三份",
        "调解员：赵喆（签名）",
    ),
    ("agreed", "judicial_confirmation"): (
        "司法确认申请书",
        "请求人民法院确认",
        "各申请人承诺",
        "深圳市坪山区人民法院",
        "2026年11月26日届满",
        "附送材料",
        "授权委托书",
        "附件",
        "履行期限：2026年11月15日前。",
    ),
    ("failed", "undisputed_facts"): (
        "无争议事实确认书",
        "电梯于2026年3月至4月停运45天。",
        "第七十三条",
        "调解员：赵喆",
    ),
    ("failed", "termination_notice"): (
        "终止调解通知书",
        "因调解活动难以进行",
        "第二十八条",
        life.TERMINATION_REASONS,
        "《无争议事实确认书》",
        "《深圳经济特区矛盾纠纷多元化解条例》第七十三条",
        "仲裁、行政、司法等途径",
    ),
    ("refused", "refusal_notice"): (
        "不予受理通知书",
        life.REFUSAL_REASONS,
        "决定不予受理",
        "第四十六条",
        "仲裁、行政、司法等途径",
    ),
    ("transferred", "transfer_notice"): ("移送告知书", "深圳市坪山区住房和建设局", "第四十五条", "2026年11月25日"),
    ("adjudicated", "application"): ("行政裁决申请书", "请求确认争议地块的集体土地使用权归申请人所有。"),
    ("adjudicated", "acceptance_notice"): (
        "5日内向被申请人送达申请书副本",
        "2026年8月10日前",
        "6个月内作出裁决",
        # 2027-02-05 is 除夕 (a statutory holiday): the period ends on the next working day after 春节 and 补假,
        # provisional until the State Council publishes the 2027 arrangement.
        "2027年2月11日（按法定节假日推算，以公布的节假日安排为准）",
        life.LAND_ISSUER,
    ),
    ("adjudicated", "adjudication_rights_notice"): (
        "行政裁决权利告知书",
        "申请承办人员回避",
        "陈述和申辩",
        "提供证据",
        "申请本机关调查收集",
        "查阅、复制",
        "委托一至二名代理人",
        "要求举行听证",
        "和解和调解",
        "撤回申请",
        "至2026年8月27日届满",
        "2027年2月11日",
        "60日内向深圳市人民政府申请行政复议（依法应当先申请行政复议）",
        "15日内向深圳市中级人民法院提起行政诉讼",
        "不得改变争议土地的现状",
        "《中华人民共和国土地管理法》第十四条第三款",
        "自觉履行",
        life.LAND_ISSUER,
    ),
    ("adjudicated", "decision"): (
        "行政裁决书",
        "申请人王𠮷与被申请人张䶮土地使用权权属争议一案",
        "2026年8月7日向被申请人送达了申请书副本",
        "先行调解",
        "2026年9月10日组织当事人进行了听证",
        "申请人请求：确认争议地块的集体土地使用权归申请人所有。",
        "申请人称：",
        "被申请人辩称：",
        "经审理查明：",
        "上述事实，有村委会证明、承包合同等证据证实。",
        "本机关认为：关于争议地块的集体土地使用权归属的问题。",
        "经合法性、合理性审查和集体讨论，报本机关负责人批准",
        "《中华人民共和国土地管理法》第十四条",
        "裁决如下",
        "一、争议地块的集体土地使用权归申请人王𠮷所有。",
        life.LAND_ISSUER,
        "二〇二六年九月三十日",
    ),
}


@pytest.mark.parametrize(("case", "kind"), MADE)
def test_each_kind_states_its_clauses(made: dict[tuple[str, str], Made], case: str, kind: str) -> None:
    text = _text(_made(made, case, kind))
    for clause in CLAUSES[(case, kind)]:
        assert squash(clause) in text, clause


def test_the_decision_states_both_remedy_routes_with_their_deadlines(made: dict[tuple[str, str], Made]) -> None:
    text = _text(_made(made, "adjudicated", "decision"))
    # One sentence: review first (复议前置, 行政复议法 第二十三条) before the district government's review body, then
    # the court of first instance for a suit against the district government (行政诉讼法 第十五条).
    assert (
        squash(
            "当事人如不服本裁决，应当自知道或者应当知道该裁决之日起60日内向深圳市人民政府申请行政复议"
            "（依法应当先申请行政复议）；对行政复议决定不服的，可以自收到行政复议决定书之日"
            "（复议机关逾期不作决定的，自复议期限届满之日）起15日内向深圳市中级人民法院提起行政诉讼。"
        )
        in text
    )
    assert "（对坪山区人民政府作出的裁决）" not in text and "有管辖权的人民法院" not in text
    assert "一、一、" not in text and "申请人称：申请人称" not in text and "经审理查明：经" not in text


def test_public_printouts_carry_no_full_id_or_phone(made: dict[tuple[str, str], Made]) -> None:
    text = _text(_made(made, "agreed", "receipt"))
    for secret in (APPLICANT_ID, RESPONDENT_ID, AGENT_ID, life.APPLICANT_PHONE, life.RESPONDENT_PHONE, "13700003333"):
        assert secret not in text
    assert mask_id_number(APPLICANT_ID) in text and "139****5678" in text
    assert life.APPLICANT_ADDRESS not in text


@pytest.mark.parametrize(("case", "kind"), [("agreed", "agreement"), ("adjudicated", "decision")])
def test_agreement_and_decision_carry_full_details(made: dict[tuple[str, str], Made], case: str, kind: str) -> None:
    text = _text(_made(made, case, kind))
    assert APPLICANT_ID in text and RESPONDENT_ID in text
    if kind == "agreement":
        assert life.APPLICANT_PHONE in text and life.APPLICANT_ADDRESS in text and AGENT_ID in text


# --- golden images ------------------------------------------------------------------------------------
def _golden(case: str, kind: str) -> Path:
    return GOLDEN / "kind-{0}-{1}-1.png".format(case, kind)


@pytest.mark.parametrize(("case", "kind"), MADE)
def test_first_page_matches_its_golden_image(made: dict[tuple[str, str], Made], case: str, kind: str) -> None:
    # The draft: an issued page carries a QR code that differs with every issue (document id, signature).
    page = render_pages(_made(made, case, kind).draft, 72, 1, 1)[0]
    path = _golden(case, kind)
    if REGENERATE:
        GOLDEN.mkdir(exist_ok=True)
        store_golden(page, path)
        return
    assert path.is_file(), "missing golden {0}: run with FZ_REGENERATE_GOLDENS=1".format(path.name)
    difference = compare(Image.open(path).convert("L"), page)
    assert difference.same_layout, "{0} {1}: {2}".format(case, kind, difference)
