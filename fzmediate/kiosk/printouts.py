"""What a kiosk prints for the public, and how it reaches the printer: a matter's guide, or "who to ask".

Neither printout names anybody: they are made from the signed catalogue only (the guide by the project's
guide template, ``fzmediate.documents.templates.guide``, with ``public=True``), with the project's embedded
仿宋 fonts, in the district's Simplified wording whatever the screen language. They go to the print system
as the PDF itself (``fzmediate.services.printing.print_pdf``, CUPS ``lp``); the kiosk's printer is the one
staff name at start (``--printer``) or else the print system's default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fzmediate.errors import NotFoundError, PrintError
from fzmediate.i18n import _

if TYPE_CHECKING:
    from fzmediate.catalogue.model import Bundle
    from fzmediate.kiosk.self_help import Contact
    from fzmediate.services.print_dto import PrintJob

ASK_KIND = "kiosk_ask"


@dataclass(frozen=True)
class KioskPrinter:
    """Where the kiosk prints: a CUPS queue (None: the print system's default) on ``server`` (None: the
    system's CUPS; tests name a private cupsd)."""

    name: str | None = None
    server: str | None = None

    def queue(self) -> str:
        from fzmediate.services.printing import default_printer

        name = self.name or default_printer(server=self.server)
        if not name:
            raise PrintError(_("This kiosk has no printer set up. Please ask the staff."))
        return name

    def send(self, pdf: bytes, title: str) -> PrintJob:
        """One copy of ``pdf`` to the kiosk's printer (raises the print system's refusals, each localized)."""
        from fzmediate.services.printing import print_pdf

        return print_pdf(pdf, printer=self.queue(), copies=1, title=title, server=self.server)


def guide_pdf(bundle: Bundle, matter_code: str, today: dt.date) -> bytes:
    """The 申请指南 of a matter, public (no personal data)."""
    from fzmediate.documents.render import render_pdf
    from fzmediate.documents.templates.guide import guide_spec

    matter = bundle.matter(matter_code)
    if matter is None:
        raise NotFoundError(_("No matter with code {code} in the catalogue.").format(code=matter_code))
    return render_pdf(guide_spec(matter, document_id="G-" + matter.code, issue_date=today, public=True))


def ask_pdf(bundle: Bundle, contacts: tuple[Contact, ...], today: dt.date) -> bytes:
    """The escape valve on paper: who to ask, where, when and the phone; then what this catalogue covers."""
    from fzmediate.documents.formatting import chinese_date
    from fzmediate.documents.model import Clauses, DocumentMeta, DocumentSpec, Heading, KeyValues, Paragraph, Table
    from fzmediate.documents.render import render_pdf

    blocks: list[object] = [
        Paragraph("不确定您的事情该找哪个部门？请向下面的单位咨询，工作人员会告诉您怎么办。咨询不收费。"),
        Heading("一、可以咨询的单位"),
    ]
    for contact in contacts:
        blocks.append(
            KeyValues(
                (
                    ("单位", "、".join(contact.who)),
                    ("地点", contact.place),
                    ("时间", contact.hours),
                    ("电话", contact.phone),
                )
            )
        )
    blocks.append(Heading("二、本目录可以办理的事项"))
    rows = tuple((m.name, m.implementing_body, m.consult_phone) for m in bundle.matters)
    blocks.append(Table(("事项", "办理单位", "咨询电话"), rows, (3.4, 4.4, 1.6)))
    blocks.append(Heading("三、温馨提示"))
    blocks.append(
        Clauses(
            (
                "如遇紧急情况或者人身安全受到威胁，请立即拨打110。",
                "请带上与纠纷有关的材料（合同、收据、照片等）和身份证件前往咨询。",
            ),
            "（一）",
        )
    )
    blocks.append(Paragraph("打印日期：{0}".format(chinese_date(today)), indent=False, align="right"))
    meta = DocumentMeta(document_id="ASK-" + bundle.bundle_id, issue_date=today, subject="kiosk ask")
    spec = DocumentSpec(ASK_KIND, "法律咨询指引", tuple(blocks), meta)  # type: ignore[arg-type]
    return render_pdf(spec)
