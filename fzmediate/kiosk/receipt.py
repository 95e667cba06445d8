"""What the kiosk's printed receipt says, and the one call that files an application and prints its receipt.

The receipt carries only what the citizen needs to follow the application up: its number, the date, the
matter, the office, where and when to ask, and the deadline for the decision on acceptance. Names are masked as
the kiosk service masked them (王某); no document number, phone or address is on it, so the copy that CUPS
keeps in its spool while printing holds no personal data beyond a masked name.

The deadline comes from the matter's ``acceptance`` time limit in the catalogue, counted on the catalogue's
working-day calendar from the day the kiosk received the application (the desk counts it from the same day:
``received_on`` is the kiosk's date). A matter whose catalogue entry states no acceptance limit gets no date:
the receipt says the catalogue states none and names the office's phone instead of inventing one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from fzmediate.errors import FzError
from fzmediate.procedure.clock import Unit, compute_deadline, describe

if TYPE_CHECKING:
    from fzmediate.services.kiosk import KioskService, Receipt
    from fzmediate.services.print_dto import PrintJob

log = logging.getLogger(__name__)

#: The catalogue's name of the time limit for the decision on acceptance.
ACCEPTANCE = "acceptance"


@dataclass(frozen=True)
class AcceptanceDeadline:
    """The last day for the office's decision on acceptance, and what it rests on (catalogue data)."""

    due: date
    #: "5 working days" in the active language.
    period: str
    #: The catalogue's words: what it counts from, and its legal basis.
    starts_from: str
    basis: str
    statutory: bool
    #: A day of the span lies in a year no official holiday table covers yet: the date may still move.
    provisional: bool


@dataclass(frozen=True)
class ReceiptContent:
    receipt: Receipt
    received_on: date
    matter_name: str
    office: str
    place: str
    hours: str
    consult_phone: str
    deadline: AcceptanceDeadline | None


@dataclass(frozen=True)
class Submitted:
    """An application filed: its receipt, the receipt PDF, and the print job (None when printing failed, with
    the reason in ``print_error``: the application is filed and sealed either way)."""

    content: ReceiptContent
    pdf: bytes
    job: PrintJob | None
    print_error: str


def receipt_content(service: KioskService, receipt: Receipt) -> ReceiptContent:
    """The receipt's content: the receipt itself and the matter's catalogue data, with the acceptance deadline."""
    catalogue = service.catalogue
    bundle_id, version = catalogue.active_ref()
    matter = catalogue.bundle(bundle_id, version).matter(receipt.matter_code)
    received_on = date.fromisoformat(receipt.submitted_on)
    if matter is None:  # the catalogue changed since the application was filed
        return ReceiptContent(receipt, received_on, receipt.matter_name, receipt.office, "", "", "", None)
    deadline: AcceptanceDeadline | None = None
    limit = matter.time_limit(ACCEPTANCE)
    if limit is not None:
        counted = compute_deadline(catalogue.calendar(bundle_id, version), received_on, limit.amount, limit.unit)
        deadline = AcceptanceDeadline(
            due=counted.due,
            period=describe(limit.amount, Unit(limit.unit)),
            starts_from=limit.starts_from,
            basis=limit.basis,
            statutory=limit.kind == "statutory",
            provisional=counted.provisional,
        )
    return ReceiptContent(
        receipt=receipt,
        received_on=received_on,
        matter_name=matter.name,
        office=receipt.office or matter.implementing_body,
        place=matter.place,
        hours=matter.hours,
        consult_phone=matter.consult_phone,
        deadline=deadline,
    )


def print_receipt(
    pdf: bytes, *, title: str, printer: str | None, server: str | None = None
) -> tuple[PrintJob | None, str]:
    """Send a receipt to ``printer`` (the system's default when None): the job, or None and the reason."""
    from fzmediate.i18n import _
    from fzmediate.services.printing import default_printer, print_pdf

    try:
        name = printer or default_printer(server=server)
        if not name:
            return None, _("No printer is set up on this kiosk.")
        return print_pdf(pdf, printer=name, copies=1, title=title, server=server), ""
    except FzError as exc:
        log.warning("receipt not printed: %s", type(exc).__name__)
        return None, exc.message


def submit_and_print(
    service: KioskService, intake: Mapping[str, Any], *, printer: str | None, server: str | None = None
) -> Submitted:
    """File the application (validated, sealed to the office, queued), render its receipt and send it to the
    printer (the system's default printer when ``printer`` is None). Raises only what filing raises
    (``IntakeError`` with every problem, nothing stored); a printing failure is reported in the result."""
    from fzmediate.kiosk.receipt_pdf import render_receipt

    receipt = service.submit_application(intake)
    content = receipt_content(service, receipt)
    try:
        pdf = render_receipt(content)
    except FzError as exc:  # filed and sealed already: the visitor still gets the number on screen
        log.warning("receipt not rendered: %s", type(exc).__name__)
        return Submitted(content=content, pdf=b"", job=None, print_error=exc.message)
    job, problem = print_receipt(pdf, title=receipt.number, printer=printer, server=server)
    return Submitted(content=content, pdf=pdf, job=job, print_error=problem)
