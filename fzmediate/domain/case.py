"""Cases, parties and case events as plain, immutable values.

The procedure engine works on these alone (no database, no Qt): a ``CaseRecord`` is a snapshot of one
case — its intake data, parties and the append-only list of everything that happened to it. The store
turns rows into these records and persists what the engine returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from fzmediate.i18n import N_, _


class CaseKind(StrEnum):
    MEDIATION = "mediation"  # 行政调解
    ADJUDICATION = "adjudication"  # 行政裁决


class PartyRole(StrEnum):
    APPLICANT = "applicant"  # 申请人
    RESPONDENT = "respondent"  # 被申请人
    THIRD_PARTY = "third_party"  # 第三人
    AGENT = "agent"  # 委托代理人 (represents another party)


class PartyKind(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"


class Authority(StrEnum):
    """What an agent may do for the party (授权委托书): 一般授权 or 特别授权."""

    GENERAL = "general"  # 一般授权: attends and speaks for the party, but cannot consent or sign for it
    SPECIAL = "special"  # 特别授权: may also consent, acknowledge notices and sign the agreement for the party


#: The title of the person who signs for an organisation: a company's 法定代表人, or the 负责人 of an
#: organisation without legal personality (a branch, an individual business's operator …).
REPRESENTATIVE_TITLES = ("法定代表人", "负责人")

#: Record-keeping acts of the persistence layer (not procedure acts): a correction of registered data
#: (更正) and the voiding of a duplicate registration (作废). Both append an event; nothing is overwritten
#: in the history.
#: The intake act: the persistence layer records it when a case is registered (``on`` = date received).
INTAKE_ACTION = "register"
CORRECT_ACTION = "correct"
VOID_ACTION = "void"
#: The state of a voided registration: in no open list, its number never reused.
VOIDED_STATE = "voided"
#: Events that record the file, not the procedure: they are not acts and play no part in deadlines.
RECORD_ACTIONS = frozenset({CORRECT_ACTION, VOID_ACTION})


_ROLE_LABELS = {
    PartyRole.APPLICANT: N_("applicant"),
    PartyRole.RESPONDENT: N_("respondent"),
    PartyRole.THIRD_PARTY: N_("third party"),
    PartyRole.AGENT: N_("agent"),
}


def party_role_label(role: PartyRole) -> str:
    return _(_ROLE_LABELS[role])


@dataclass(frozen=True)
class Party:
    """A party to a case. ``represents`` is the party id an agent acts for (with ``power_of_attorney``).

    An organisation names the person who signs for it (``legal_representative``, titled
    ``representative_title``: 法定代表人 or 负责人). An agent carries its ``authority`` (general or special,
    "" for an agent registered before authorities were recorded: treated as general) and its
    ``authority_scope`` (the powers listed in the power of attorney).
    """

    id: str
    role: PartyRole
    kind: PartyKind
    name: str
    id_type: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    represents: str | None = None
    power_of_attorney: str = ""
    legal_representative: str = ""
    representative_title: str = ""
    authority: str = ""
    authority_scope: str = ""

    @property
    def is_principal(self) -> bool:
        """Applicants, respondents and third parties (not agents): the people whose consent counts."""
        return self.role is not PartyRole.AGENT

    @property
    def special_authority(self) -> bool:
        """An agent with 特别授权: may consent, acknowledge and sign for the party it represents."""
        return self.role is PartyRole.AGENT and self.authority == Authority.SPECIAL.value


@dataclass(frozen=True)
class CaseEvent:
    """One thing that happened to a case: append-only, never edited.

    ``on`` is the legal date of the act (the date deadlines count from); ``at`` is when it was recorded.
    ``payload`` holds the action's validated data (who consented, the ground of termination, …).
    """

    seq: int
    action: str
    on: date
    at: datetime
    actor: str
    device: str
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseRecord:
    """A snapshot of one case, as the engine and the UI see it."""

    id: str
    number: str
    kind: CaseKind
    matter_code: str
    bundle_id: str
    bundle_version: int
    procedure_id: str
    state: str
    received_on: date
    summary: str
    facts: str
    claims: str
    parties: tuple[Party, ...]
    events: tuple[CaseEvent, ...] = ()
    assigned_mediator: str = ""
    version: int = 1
    #: Kinds of document issued for the case, as the completeness gate on archiving counts them (the case
    #: service fills it from the documents store: `fzmediate.services.document_status.issued_kinds_of`).
    documents: frozenset[str] = frozenset()

    def principals(self) -> tuple[Party, ...]:
        return tuple(p for p in self.parties if p.is_principal)

    def party(self, party_id: str) -> Party | None:
        return next((p for p in self.parties if p.id == party_id), None)

    def agents_of(self, party_id: str) -> tuple[Party, ...]:
        return tuple(p for p in self.parties if p.role is PartyRole.AGENT and p.represents == party_id)

    def events_of(self, action: str) -> tuple[CaseEvent, ...]:
        return tuple(e for e in self.events if e.action == action)

    def last_event(self, action: str) -> CaseEvent | None:
        found = self.events_of(action)
        return found[-1] if found else None
