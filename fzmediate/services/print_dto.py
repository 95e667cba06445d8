"""Print jobs and the print log as the screens get them (plain values, light to import in the desk's GUI
process; :mod:`fzmediate.services.printing` sends the PDF to the print system)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrintJob:
    """A job the print system accepted."""

    job_id: str
    printer: str
    copies: int
    pages: int
    #: The bytes handed to the print system (the PDF's own size: pages are not rasterised).
    bytes_spooled: int


@dataclass(frozen=True)
class PrintLogEntry:
    """One print of a case's document, as the case history shows it."""

    at: str
    actor: str
    kind: str
    document_id: str | None
    #: None for a draft.
    version: int | None
    copies: int
    printer: str
    pages: int
    job_id: str

    @property
    def draft(self) -> bool:
        return self.document_id is None
