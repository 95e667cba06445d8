"""Synthetic documents for the document tests: invented people (numbers from tests.synthetic), rare names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fzmediate.documents.templates.agreement import AgreedTerm, AgreementData, AgreementParty
from tests.synthetic import make_resident_id

CHINA = dt.timezone(dt.timedelta(hours=8))
#: Names that need every face of the chain: Ext B beyond level 2 (𠮷 𡒄), level 2 (𬌗), Ext A (䶮), BMP rare.
RARE_NAMES = ("王𠮷", "张䶮", "李𬌗", "卫𡒄", "陈堃", "赵喆", "孙赟", "周昇", "吴玥", "郑淼", "冯犇", "褚镕")
#: Markup that ReportLab's Paragraph would obey; a document must print it literally.
MARKUP = ("<b>加粗</b>", "换行<br/>", "空格&nbsp;", "<font size=40>大字</font>", '<img src="x.png"/>', "a&b<5000")


def agreement_data(**changes: object) -> AgreementData:
    """A two-page agreement between two invented neighbours, with rare characters in names and facts."""
    base = AgreementData(
        document_id="D-2026-000123",
        case_number="坪调〔2026〕12号",
        number="坪街调协字〔2026〕第12号",
        organization="深圳市坪山区坪山街道人民调解委员会",
        parties=(
            AgreementParty(
                "申请人", "王𠮷", "男", "汉族", dt.date(1980, 1, 1), "个体经营者",
                id_number=make_resident_id("440310", dt.date(1980, 1, 1), 123),
                address="广东省深圳市坪山区坪山街道六和社区某某路1号", phone="13912345678",
            ),
            AgreementParty(
                "被申请人", "张䶮", "女", "汉族", dt.date(1985, 6, 15), "职员",
                id_number=make_resident_id("440310", dt.date(1985, 6, 15), 124),
                address="广东省深圳市坪山区坪山街道六和社区某某路3号", phone="13812345678",
            ),
        ),
        facts=(
            "申请人与被申请人系上下楼邻居。2026年10月1日，被申请人装修房屋时，因施工不慎导致卫生间防水层破损，"
            "造成申请人家中天花板渗水，墙面、吊顶及部分家具受损。经现场查看，渗水情况属实，李𬌗、卫𡒄作为邻居在场见证。"
        ),
        disputes="双方对渗水原因无异议，争议在于赔偿数额：申请人要求赔偿人民币12,000.00元，被申请人只同意赔偿人民币5,000.00元。",
        terms=(
            AgreedTerm(
                "被申请人一次性赔偿申请人维修费用及财产损失", "银行转账至申请人指定账户", "深圳市坪山区",
                dt.date(2026, 12, 10), Decimal("8000.00"),
            ),
            AgreedTerm("被申请人负责修复其卫生间防水层并承担修复费用", "委托具有资质的施工单位施工", "被申请人住所",
                       dt.date(2026, 12, 31)),
            AgreedTerm("申请人收到赔偿款后，不再就本次渗水事件向被申请人主张其他权利"),
        ),
        issue_date=dt.date(2026, 11, 29),
        mediators=("赵喆",),
        issued_at=dt.datetime(2026, 11, 29, 10, 30, tzinfo=CHINA),
    )  # fmt: skip
    from dataclasses import replace

    return replace(base, **changes)  # type: ignore[arg-type]
