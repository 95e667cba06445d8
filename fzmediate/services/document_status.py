"""Which documents a case holds, read in the caller's unit of work: the input of the completeness gate.

The case service loads `issued_kinds_of` into the case snapshot (``CaseRecord.documents``) so that the procedure
engine can refuse ``archive`` while a required document is missing (`fzmediate.procedure.guards_archive`),
without the procedure layer reading the documents store. Kept apart from `fzmediate.services.documents` so
that acting on a case does not load the PDF machinery.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.documents.templates.kinds import issued_kinds
from fzmediate.domain.case import CaseRecord
from fzmediate.store.models import DocumentRow


def issued_kinds_of(s: OrmSession, record: CaseRecord) -> frozenset[str]:
    """The kinds issued for the case as the gate counts them (`fzmediate.documents.templates.kinds.issued_kinds`)."""
    found = s.execute(select(DocumentRow.kind, DocumentRow.based_on_seq).where(DocumentRow.case_id == record.id)).all()
    return issued_kinds(((str(kind), int(based_on)) for kind, based_on in found), record)
