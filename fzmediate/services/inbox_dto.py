"""The intake inbox's entries as the screens get them (plain values, light to import in the desk's GUI process)."""

from __future__ import annotations

from dataclasses import dataclass

from fzmediate.i18n import N_, _

PENDING = "pending"
REGISTERED = "registered"
REJECTED = "rejected"
STATUSES = (PENDING, REGISTERED, REJECTED)
_STATUS_LABELS = {PENDING: N_("pending"), REGISTERED: N_("registered"), REJECTED: N_("rejected")}


def status_label(status: str) -> str:
    """The localized word for an inbox status."""
    label = _STATUS_LABELS.get(status)
    return _(label) if label is not None else status


@dataclass(frozen=True)
class ImportResult:
    added: int
    already: int
    kiosk_device_id: str


@dataclass(frozen=True)
class InboxEntry:
    """An application in the inbox, masked: for lists."""

    application_id: str
    number: str
    submitted_at: str
    matter_code: str
    applicants: tuple[str, ...]
    parties: int
    status: str
    case_id: str | None
    #: False when the box did not open (damaged): only rejecting it is possible.
    readable: bool
