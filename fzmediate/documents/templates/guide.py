"""申请指南 (application guide) for one catalogue matter, as printed at a desk or a kiosk.

Everything comes from the signed catalogue entry (`fzmediate.catalogue.model.Matter`): what the matter is, who
handles it, the legal basis, conditions, materials, steps, time limits, fee, place, phones, remedies and FAQ.
A kiosk print is public: if it names the person it was printed for (``printed_for``/``phone``), those are
masked with `fzmediate.security.masking` unless ``public=False``.
"""

from __future__ import annotations

import datetime as dt

from fzmediate.catalogue.model import Material, Matter, TimeLimit
from fzmediate.documents.model import (
    Block,
    Clauses,
    DateSeal,
    DocumentMeta,
    DocumentSpec,
    Heading,
    KeyValues,
    Paragraph,
    Table,
    chinese_numeral,
)
from fzmediate.security.masking import mask_name, mask_phone

KIND = "guide"
UNIT_WORDS = {"working_days": "个工作日", "calendar_days": "日", "months": "个月", "years": "年"}
FORM_WORDS = {
    "original": "原件",
    "copy": "复印件",
    "original_and_copy": "原件及复印件",
    "original_or_copy": "原件或复印件",
}
KIND_WORDS = {"statutory": "法定", "promised": "承诺"}


def _limit_text(limit: TimeLimit) -> str:
    text = "{0}（{1}）：{2}{3}，自{4}起算".format(
        limit.label, KIND_WORDS[limit.kind], limit.amount, UNIT_WORDS[limit.unit], limit.starts_from
    )
    if limit.extendable_by is not None:
        ext = limit.extendable_by
        text += "；可延长{0}{1}（{2}）".format(ext.amount, UNIT_WORDS[ext.unit], ext.approver)
    return text + "。依据：" + limit.basis + "。"


def _material_row(number: int, material: Material) -> tuple[str, ...]:
    return (
        str(number),
        material.name,
        FORM_WORDS[material.form],
        str(material.copies),
        "必需" if material.required else "视情况提供",
        material.notes,
    )


def guide_spec(
    matter: Matter,
    *,
    document_id: str,
    issue_date: dt.date,
    printed_for: str = "",
    phone: str = "",
    public: bool = True,
) -> DocumentSpec:
    """The 申请指南 of `matter`. A guide names nobody unless `printed_for` is given (masked when public)."""
    sections: list[tuple[str, list[Block]]] = []
    sections.append(("事项简介", [Paragraph(matter.guide.summary)]))
    sections.append(
        (
            "实施主体",
            [KeyValues((("实施主体", matter.implementing_body), ("主管部门", matter.competent_department)))],
        )
    )
    basis = tuple("{0}{1}：{2}".format(b.law, b.article, b.summary) for b in matter.legal_basis)
    sections.append(("设定依据", [Clauses(basis, "（一）")]))
    sections.append(("受理条件", [Clauses(matter.conditions, "（一）")]))
    rows = tuple(_material_row(n, m) for n, m in enumerate(matter.materials, start=1))
    sections.append(
        (
            "申请材料",
            [Table(("序号", "材料名称", "形式", "份数", "要求", "说明"), rows, (0.9, 2.4, 1.3, 0.9, 1.2, 3.6))],
        )
    )
    sections.append(("需要携带", [Clauses(matter.guide.bring, "（一）")]))
    sections.append(("办理流程", [Clauses(matter.guide.steps, "（一）")]))
    sections.append(("办理时限", [Clauses(tuple(_limit_text(t) for t in matter.time_limits), "（一）")]))
    fee = "{0}。依据：{1}。".format(matter.fee.text.rstrip("。"), matter.fee.basis.rstrip("。"))
    sections.append(("收费标准", [Paragraph(fee)]))
    place_rows = (
        ("办理地点", matter.place),
        ("办理时间", matter.hours),
        ("到现场次数", "{0}次".format(matter.visits)),
        ("咨询电话", matter.consult_phone),
        ("投诉电话", matter.complaint_phone),
    )
    sections.append(("办理地点、时间和电话", [KeyValues(place_rows)]))
    sections.append(("办理结果", [Clauses(matter.guide.after, "（一）")]))
    if matter.remedies:
        remedies = tuple(
            "{0}：自{1}起{2}{3}内{4}。依据：{5}。".format(
                r.label,
                r.starts_from,
                r.amount,
                UNIT_WORDS[r.unit],
                "向" + r.body + "提出" if r.body else "提出",
                r.basis,
            )
            for r in matter.remedies
        )
        sections.append(("救济途径", [Clauses(remedies, "（一）")]))
    if matter.guide.tips:
        sections.append(("温馨提示", [Clauses(matter.guide.tips, "（一）")]))
    if matter.faq:
        sections.append(("常见问题", [Clauses(tuple("问：{0}答：{1}".format(f.q, f.a) for f in matter.faq), "（一）")]))

    blocks: list[Block] = [Paragraph("事项编码：{0}".format(matter.code), indent=False, align="center")]
    if printed_for:
        name = mask_name(printed_for) if public else printed_for
        contact = (mask_phone(phone) if public else phone) if phone else ""
        blocks.append(
            Paragraph("打印对象：{0}{1}".format(name, "（{0}）".format(contact) if contact else ""), indent=False)
        )
    for number, (title, content) in enumerate(sections, start=1):
        blocks.append(Heading("{0}、{1}".format(chinese_numeral(number), title)))
        blocks.extend(content)
    blocks.append(DateSeal(matter.implementing_body, issue_date))
    meta = DocumentMeta(
        document_id=document_id,
        issue_date=issue_date,
        issuer=matter.implementing_body,
        subject="{0} {1}".format(matter.code, matter.name),
    )
    return DocumentSpec(KIND, "{0}申请指南".format(matter.name), tuple(blocks), meta)
