"""The decisions of adjudication cases, issued through the services and read back from the PDF text.

A land decision (行政裁决书), a patent decision (专利侵权纠纷处理决定书) and a procurement decision (投诉处理决定书)
each state: the parties in the matter's words, an organisation's 法定代表人/负责人, an agent with the scope of its
authority, the claims and each side's statements once, the facts found per contested point with the evidence,
the reasons per point, the provisions applied, the operative part numbered once, the remedy sentence, the
issuing body and the date — and no label twice, whatever the user typed in front of a statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from fzmediate.i18n import set_locale
from fzmediate.services.workspace import Workspace
from tests.documents import adjudication_lifecycles as adj
from tests.documents.pdftools import pdftotext, squash
from tests.support import ADMIN_PW, FAST_KDF, FakeClock


@dataclass(frozen=True)
class Issued:
    text: str
    rights_notice: str


def _issue(tmp_path_factory: pytest.TempPathFactory, run: object, name: str) -> Issued:
    set_locale("zh_CN")
    ws = Workspace(tmp_path_factory.mktemp(name) / "data", kdf=FAST_KDF, clock=FakeClock())
    ws.initialize("admin", ADMIN_PW, full_name="管理员")
    assert callable(run)
    case_id = run(ws)
    with ws.unlock(*adj.MEDIATOR) as s:
        info = s.documents.issue("decision", case_id)
        pdf = s.documents.get_pdf(info.id)
        notice = s.documents.render("adjudication_rights_notice", case_id)
    return Issued(squash(pdftotext(pdf)), squash(pdftotext(notice)))


@pytest.fixture(scope="module")
def land(tmp_path_factory: pytest.TempPathFactory) -> Issued:
    return _issue(tmp_path_factory, adj.land_case, "land")


@pytest.fixture(scope="module")
def patent(tmp_path_factory: pytest.TempPathFactory) -> Issued:
    return _issue(tmp_path_factory, adj.patent_case, "patent")


@pytest.fixture(scope="module")
def procurement(tmp_path_factory: pytest.TempPathFactory) -> Issued:
    return _issue(tmp_path_factory, adj.procurement_case, "procurement")


DOUBLED = (
    "一、一、",
    "申请人称：申请人称",
    "经审理查明：经",
    "本机关认为：本机关认为",
    "请求：申请人请求",
    "请求：1.",
    "第三人述称：第三人述称",
    "被申请人辩称：被申请人辩称",
    "被请求人辩称：被请求人称",
    "证据1.",
    "、2.",
    "之规定之规定",
    "依照依照",
    "。。",
)


def no_label_twice(text: str) -> None:
    for doubled in DOUBLED:
        assert doubled not in text, doubled


def test_the_land_decision_gives_reasons_per_contested_point(land: Issued) -> None:
    t = land.text
    assert t.startswith("行政裁决书")
    # Parties: the organisation with its 法定代表人, the agent with special authority and its scope, the third party.
    assert "被申请人：" + adj.COMPANY in t and "法定代表人：" + adj.LEGAL_REP in t
    assert "委托代理人：" + adj.AGENT in t and "代理权限：特别授权（" + adj.AGENT_SCOPE + "）" in t
    assert "第三人：" + adj.THIRD in t
    assert (
        t.index("法定代表人：" + adj.LEGAL_REP) < t.index("委托代理人：" + adj.AGENT) < t.index("第三人：" + adj.THIRD)
    )
    # Claims and each side's statement, once each, with the label printed once.
    assert t.count("申请人请求：1.确认争议地块") == 0 and "申请人请求：确认争议地块的集体土地使用权归申请人所有。" in t
    assert t.count("申请人称：") == 1 and "申请人称：申请人自1998年起" in t
    assert t.count("被申请人辩称：") == 1 and "第三人述称：第三人对争议地块不主张权利" in t
    # Facts found per point, with the evidence relied on.
    assert "经审理查明：争议地块位于坪山区坑梓街道某村" in t
    assert "（一）申请人自1998年起在争议地块耕种至今" in t
    assert "上述事实，有村民小组证明、证人黄某的证言、现场勘验笔录等证据证实。" in t
    assert "（二）承包合同所附四至与争议地块不一致。上述事实，有承包合同及附图等证据证实。" in t
    # Reasons per point, then the provisions applied, then the operative part numbered once.
    assert "本机关认为：（一）关于争议地块的使用权是否归申请人的问题。申请人长期、公开、持续使用争议地块" in t
    assert "（二）关于被申请人持有的承包合同能否证明其权利的问题。承包合同四至与争议地块不符" in t
    assert (
        "综上，依照《中华人民共和国土地管理法》第十四条、《广东省土地权属纠纷处理条例》第十六条之规定，裁决如下：" in t
    )
    assert "一、争议地块的集体土地使用权归申请人王𠮷所有。二、被申请人应于本裁决生效之日起三十日内退出争议地块。" in t
    # The internal review: only that the procedure was followed, no names, no opinions.
    assert "本案经合法性、合理性审查和集体讨论，报本机关负责人批准。" in t
    assert "孙赟" not in t and "钱负责" not in t and "事实清楚，证据确凿" not in t
    # The remedy sentence, the issuing body and the date.
    assert "当事人如不服本裁决，应当自" in t and "申请行政复议" in t and "行政诉讼" in t
    assert t.index("裁决如下") < t.index("当事人如不服本裁决")
    # Issued in the district government's name by the unit that handles the matter for it.
    assert t.endswith("深圳市坪山区人民政府二〇二六年九月三十日")
    no_label_twice(t)


def test_the_patent_decision_is_a_handling_decision_between_requester_and_respondent(patent: Issued) -> None:
    t = patent.text
    assert "专利侵权纠纷处理决定书" in t and "行政裁决书" not in t
    assert "请求人：深圳市某某科技有限公司" in t and "法定代表人：吴某" in t
    assert "被请求人：深圳市某某电子有限公司" in t and "法定代表人：郑某" in t
    assert "请求人请求：责令被请求人停止侵犯" in t and "被请求人辩称：被控产品使用的是现有技术。" in t
    assert "被申请人" not in t
    assert "上述事实，有专利证书、公证购买的被控产品、技术比对表等证据证实。" in t
    assert "本机关认为：关于被控产品是否落入专利权的保护范围的问题。" in t
    assert "，决定如下：被请求人立即停止制造、销售被控侵权产品。" in t
    assert "当事人如不服本决定，" in t and "行政诉讼" in t
    assert t.endswith("深圳市市场监督管理局（深圳市知识产权局）二〇二六年九月三十日")
    no_label_twice(t)


def test_the_procurement_decision_speaks_of_complaints_and_forces_no_mediation(procurement: Issued) -> None:
    t = procurement.text
    assert "投诉处理决定书" in t and "行政裁决书" not in t
    assert "投诉人：深圳市某某服务有限公司" in t and "被投诉人：深圳市坪山区某某学校" in t
    assert "负责人：蒋某" in t
    assert "本机关于二〇二六年八月三日收到投诉" in t or "本机关于2026年8月3日收到投诉" in t
    assert "送达了投诉书副本" in t and "先行调解" not in t and "听证" not in t
    assert "投诉人请求：认定中标结果无效。" in t and "被投诉人辩称：评标委员会依照招标文件评审" in t
    assert "决定如下：投诉事项缺乏事实依据，驳回投诉。" in t
    assert "当事人如不服本决定，" in t and "行政复议" in t
    assert t.endswith("深圳市坪山区财政局二〇二六年九月三十日")
    assert "被申请人" not in t and "申请人：" not in t.replace("投诉人：", "").replace("被投诉人：", "")
    no_label_twice(t)


def test_the_rights_notice_uses_the_matters_words(procurement: Issued, land: Issued) -> None:
    assert "撤回投诉。投诉人在决定作出前可以撤回投诉。" in procurement.rights_notice
    assert "本机关先行组织调解" not in procurement.rights_notice
    assert "撤回申请。申请人在裁决作出前可以撤回申请。" in land.rights_notice
    assert "本机关先行组织调解" in land.rights_notice


def test_the_dates_of_the_decision_are_written_in_hanzi(land: Issued) -> None:
    assert re.search(r"二〇二六年九月三十日", land.text)


@pytest.fixture(scope="module")
def forest(tmp_path_factory: pytest.TempPathFactory) -> Issued:
    return _issue(tmp_path_factory, adj.forest_case, "forest")


def test_a_forest_land_decision_between_villagers_is_the_street_offices(forest: Issued) -> None:
    # 林木林地条例 第二十四条: disputes between individuals go to the street office, which decides in its own name;
    # its acts are reviewed by the district government (行政复议法 第二十四条), review first for natural resources.
    text = forest.text
    assert adj.FOREST_ISSUER in text and "深圳市坪山区人民政府" in text
    assert (
        "应当自知道或者应当知道该裁决之日起60日内向深圳市坪山区人民政府申请行政复议（依法应当先申请行政复议）；"
        "对行政复议决定不服的，可以自收到行政复议决定书之日" in text
    )
    assert "15日内向深圳市盐田区人民法院提起行政诉讼。" in text
    assert "经合法性、合理性审查和集体讨论，报本机关负责人批准" in text
    assert "上述事实，有村民小组证明、现场勘验笔录及争议界线图等证据证实。" in text
    no_label_twice(text)
    # The rights notice states the duty not to change the disputed forest land (森林法 第二十二条).
    assert "不得砍伐有争议的林木" in forest.rights_notice and "森林法》第二十二条" in forest.rights_notice
