"""Keeping the case file right: duplicate warnings, corrections (更正) and voiding a duplicate (作废).

Nothing here overwrites history. A correction changes the registered data (party names, ID numbers, phones,
addresses, representatives, authorities; the summary, facts and claims) and appends a ``correct`` event that
keeps every old and new value with the reason; a void sets the case to ``voided`` and appends a ``void``
event with the reason and the case it duplicates. The case row, its parties, its number and every event stay;
a voided case leaves the open lists and its number is never given again (the counter only counts up).

Duplicates: an application is compared with the open cases of the same matter. A party matches a party of
such a case by ID number, or by name and phone, or — for a party registered without either — by exact name.
The application resembles the case when one of its applicants and one of its respondents match parties of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.domain.case import PartyRole
from fzmediate.domain.intake import Intake, PartyIntake, Registered
from fzmediate.store.models import Case, PartyRow, SearchTerm

#: States in which a case is no longer open: a new application like it is no duplicate.
CLOSED_STATES: Final = frozenset({"closed", "archived", "voided"})
#: The registered data of a party that a correction may change (role, kind and representation stay).
PARTY_FIELDS: Final = (
    "name",
    "id_type",
    "id_number",
    "phone",
    "address",
    "power_of_attorney",
    "legal_representative",
    "representative_title",
    "authority",
    "authority_scope",
)
CASE_FIELDS: Final = ("summary", "facts", "claims")
MAX_DUPLICATES: Final = 20


def _matches(row: PartyRow, p: PartyIntake) -> bool:
    if p.id_number and row.id_type == p.id_type and row.id_number == p.id_number:
        return True
    if p.phone and row.name == p.name and row.phone == p.phone:
        return True
    return not p.id_number and not p.phone and row.name == p.name


def _indexed(s: OrmSession, parties: list[PartyIntake]) -> set[str]:
    """Ids of the cases whose search terms hold one of these parties' ID numbers or whole names."""
    terms = {"n:" + p.name for p in parties if p.name} | {"i:" + p.id_number for p in parties if p.id_number}
    if not terms:
        return set()
    return set(s.scalars(select(SearchTerm.case_id).where(SearchTerm.term.in_(sorted(terms)))))


def find_duplicates(s: OrmSession, intake: Intake) -> tuple[str, ...]:
    """Numbers of the open cases of the same matter that this application resembles (see module docs)."""
    principals = [p for p in intake.parties if p.role is not PartyRole.AGENT]
    applicants = [p for p in principals if p.role is PartyRole.APPLICANT]
    respondents = [p for p in principals if p.role is PartyRole.RESPONDENT]
    # Candidates through the search index (one index range per term), never a scan of every case: the cases
    # where some applicant's ID number or whole name and some respondent's appear. `_matches` decides below.
    candidates = _indexed(s, applicants) & _indexed(s, respondents)
    if not candidates:
        return ()
    conditions = []
    for p in principals:
        if p.id_number:
            conditions.append(and_(PartyRow.id_type == p.id_type, PartyRow.id_number == p.id_number))
        conditions.append(PartyRow.name == p.name)
    q = (
        select(Case.id, Case.number, PartyRow)
        .join(PartyRow, PartyRow.case_id == Case.id)
        .where(Case.id.in_(sorted(candidates)))
        .where(Case.matter_code == intake.matter_code, Case.state.not_in(sorted(CLOSED_STATES)))
        .where(PartyRow.role != PartyRole.AGENT.value)
        .where(or_(*conditions))
        .order_by(Case.id.desc())
    )
    found: dict[str, tuple[str, list[PartyRow]]] = {}
    for case_id, number, row in s.execute(q):
        found.setdefault(case_id, (number, []))[1].append(row)
    out: list[str] = []
    for number, rows in found.values():
        has_applicant = any(_matches(r, p) for r in rows for p in applicants)
        has_respondent = any(_matches(r, p) for r in rows for p in respondents)
        if has_applicant and has_respondent:
            out.append(number)
    return tuple(out[:MAX_DUPLICATES])


# --- corrections ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One corrected value: where (``parties[2].name``, ``facts``), the party's id, the old and new value."""

    field: str
    old: str
    new: str
    party: str = ""

    def payload(self) -> dict[str, str]:
        out = {"field": self.field, "old": self.old, "new": self.new}
        if self.party:
            out["party"] = self.party
        return out


@dataclass(frozen=True)
class CorrectionResult:
    """What a correction did: the case file now, the values changed, and the documents issued again.

    ``reissued``: (kind, new version) of each document issued before and issued again with the corrected
    data; ``reissue_failed``: (kind, reason) of those that could not be (issue them when possible).
    """

    detail: Any
    changes: tuple[FieldChange, ...]
    reissued: tuple[tuple[str, int], ...] = ()
    reissue_failed: tuple[tuple[str, str], ...] = ()


def registered_data(case: Case, rows: Sequence[PartyRow]) -> dict[str, Any]:
    """The case's registered data in the intake format (``represents`` as an index), to apply changes to."""
    ordered = sorted(rows, key=lambda r: r.position)
    index = {r.id: i for i, r in enumerate(ordered)}
    parties = []
    for r in ordered:
        item: dict[str, Any] = {"role": r.role, "kind": r.kind}
        for key in PARTY_FIELDS:
            value = getattr(r, key) or ""
            if value:
                item[key] = value
        if r.represents is not None:
            item["represents"] = index.get(r.represents, -1)
        parties.append(item)
    return {"summary": case.summary, "facts": case.facts, "claims": case.claims, "parties": parties}


def apply_changes(
    data: dict[str, Any], rows: Sequence[PartyRow], changes: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """``data`` with ``changes`` applied, and the problems of the changes' shape (unknown fields, parties).

    ``changes``: ``{"facts": "…", "parties": {"<party id>": {"name": "…", "phone": "…"}}}``; a value of ""
    clears an optional field.
    """
    problems: list[str] = []
    out = dict(data)
    ordered = sorted(rows, key=lambda r: r.position)
    positions = {r.id: i for i, r in enumerate(ordered)}
    for key, value in changes.items():
        if key in CASE_FIELDS:
            out[key] = value
        elif key == "parties":
            if not isinstance(value, Mapping):
                problems.append("parties")
                continue
            parties = [dict(p) for p in out["parties"]]
            for party_id, fields in value.items():
                if party_id not in positions or not isinstance(fields, Mapping):
                    problems.append("parties")
                    continue
                target = parties[positions[party_id]]
                for name, new in fields.items():
                    if name not in PARTY_FIELDS:
                        problems.append("parties[{0}].{1}".format(positions[party_id], name))
                        continue
                    if new in (None, ""):
                        target.pop(name, None)
                    else:
                        target[name] = new
            out["parties"] = parties
        else:
            problems.append(str(key))
    return out, problems


def diff(case: Case, rows: Sequence[PartyRow], checked: Registered) -> list[FieldChange]:
    """Every value that differs between the stored case and the checked, corrected data."""
    out: list[FieldChange] = []
    for key in CASE_FIELDS:
        old, new = getattr(case, key) or "", getattr(checked, key)
        if old != new:
            out.append(FieldChange(key, old, new))
    ordered = sorted(rows, key=lambda r: r.position)
    for i, (row, party) in enumerate(zip(ordered, checked.parties, strict=True)):
        for key in PARTY_FIELDS:
            old, new = getattr(row, key) or "", getattr(party, key) or ""
            if old != new:
                out.append(FieldChange("parties[{0}].{1}".format(i, key), old, new, row.id))
    return out
