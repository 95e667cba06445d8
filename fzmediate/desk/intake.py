"""The desk's intake (registering an application): what the form asks of the store, and what it checks alone.

Store calls (``fn(session, token, *args)``, run by ``SessionContext.call``):

- :func:`matters`: the active catalogue's matters with the desk's competence for each (``ours``; otherwise the
  competent bodies: the desk registers the application and transfers it, 深圳经济特区矛盾纠纷多元化解条例 第四十五条),
  and the guide data the form shows beside it (conditions, materials, time limits);
- :func:`inbox_application`: a kiosk application of the intake inbox, opened, as the form's pre-fill;
- :func:`register`: the case and its attachments in ONE transaction (``CaseService.create(also=…)``); a duplicate
  raises :class:`~fzmediate.services.cases.DuplicateWarning` unchanged, an invalid form ``IntakeError`` with a
  problem per field path; nothing is written on a refusal.

Pure checks (no store, no Qt): :func:`id_number_problem`, :func:`phone_problem`, :func:`check_form` reuse the
domain validators, so validating as the user types never waits for the DB worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from fzmediate.domain.case import PartyKind
from fzmediate.domain.identity import IdType, id_type_label, validate_id_number, validate_phone
from fzmediate.errors import ValidationError
from fzmediate.i18n import N_, _
from fzmediate.procedure.clock import Unit, describe
from fzmediate.security.permissions import require
from fzmediate.services.attachment_dto import NewAttachment, check_new
from fzmediate.services.case_dto import case_kind_label

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as OrmSession

    from fzmediate.catalogue.model import Matter
    from fzmediate.domain.intake import Problem
    from fzmediate.services.session import Session

__all__ = [
    "GuideMaterial",
    "GuideTimeLimit",
    "InboxApplication",
    "MatterChoice",
    "MatterInfo",
    "NewAttachment",
    "Registered",
    "check_form",
    "id_number_problem",
    "id_types",
    "inbox_application",
    "matters",
    "phone_problem",
    "register",
]

_FORM_WORDS = {
    "original": N_("original"),
    "copy": N_("copy"),
    "original_and_copy": N_("original and copy"),
    "original_or_copy": N_("original or copy"),
}
_LIMIT_KINDS = {"statutory": N_("statutory"), "promised": N_("promised")}


# --- DTOs ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuideMaterial:
    """One required material (申请材料), as the guide's checklist shows it."""

    name: str
    form: str
    copies: int
    required: bool
    notes: str


@dataclass(frozen=True)
class GuideTimeLimit:
    label: str
    #: "5个工作日" (localized) and whether it is a statutory or a promised limit.
    period: str
    kind: str
    starts_from: str
    basis: str


@dataclass(frozen=True)
class MatterInfo:
    """A catalogue matter as the intake form uses it: the choice, the guide beside the form, the competence."""

    code: str
    name: str
    kind: str
    kind_label: str
    area: str
    #: True when this desk's unit implements the matter; otherwise it may only register and transfer it.
    ours: bool
    #: The bodies that implement the matter (named in the "not ours → transfer" notice).
    competent: tuple[str, ...]
    conditions: tuple[str, ...]
    materials: tuple[GuideMaterial, ...]
    time_limits: tuple[GuideTimeLimit, ...]
    summary: str
    place: str
    hours: str
    consult_phone: str


@dataclass(frozen=True)
class MatterChoice:
    """Every matter the desk may register, its own first, with the day the form validates against."""

    desk_unit: str
    today: date
    matters: tuple[MatterInfo, ...]


@dataclass(frozen=True)
class InboxApplication:
    """A kiosk application opened for the intake form (plaintext: lives in memory only)."""

    application_id: str
    number: str
    submitted_at: str
    #: The application's intake data as the kiosk sealed it (the format of :mod:`fzmediate.domain.intake`).
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Registered:
    case_id: str
    number: str
    attachments: int = 0


# --- pure checks (no store) ----------------------------------------------------------------------------


def id_types(kind: str) -> tuple[tuple[str, str], ...]:
    """(value, localized label) of the document types a party of ``kind`` may use, the usual one first."""
    if kind == PartyKind.ORGANIZATION.value:
        return ((IdType.USCC.value, id_type_label(IdType.USCC)),)
    return tuple((t.value, id_type_label(t)) for t in IdType if t is not IdType.USCC)


def id_number_problem(id_type: str, number: str, today: date, *, required: bool = False) -> str:
    """Why ``number`` is not a valid number of ``id_type`` (one localized line), or "" when it is (or is blank and
    not required). The message names the rule, never the number."""
    if not number.strip():
        return _("ID number: required.") if required else ""
    try:
        validate_id_number(id_type, number, today=today)
    except ValidationError as exc:
        return exc.message
    return ""


def phone_problem(text: str, *, required: bool = False) -> str:
    """Why ``text`` is not a usable phone number, or ""."""
    if not text.strip():
        return _("Phone number: required.") if required else ""
    try:
        validate_phone(text)
    except ValidationError as exc:
        return exc.message
    return ""


def check_form(data: Mapping[str, Any], today: date) -> tuple[Problem, ...]:
    """Every problem of the form's summary, facts, claims and parties by the intake rules, each with its field path
    (``parties[1].id_number``); empty when they are valid. The matter and the received date are the store's."""
    from fzmediate.domain.intake import IntakeError, validate_registered

    subset = {k: data.get(k) for k in ("summary", "facts", "claims", "parties")}
    try:
        validate_registered(subset, today=today)
    except IntakeError as exc:
        return tuple(exc.problems)
    return ()


# --- store calls ---------------------------------------------------------------------------------------


def _guide(matter: Matter, ours: bool, competent: tuple[str, ...]) -> MatterInfo:
    return MatterInfo(
        code=matter.code,
        name=matter.name,
        kind=matter.kind,
        kind_label=case_kind_label(matter.kind),
        area=matter.area,
        ours=ours,
        competent=competent,
        conditions=tuple(matter.conditions),
        materials=tuple(
            GuideMaterial(m.name, _(_FORM_WORDS[m.form]), m.copies, m.required, m.notes) for m in matter.materials
        ),
        time_limits=tuple(
            GuideTimeLimit(t.label, describe(t.amount, Unit(t.unit)), _(_LIMIT_KINDS[t.kind]), t.starts_from, t.basis)
            for t in matter.time_limits
            if t.applies_to == "agency"
        ),
        summary=matter.guide.summary,
        place=matter.place,
        hours=matter.hours,
        consult_phone=matter.consult_phone,
    )


def matters(session: Session, token: Any) -> MatterChoice:
    """The active catalogue's matters: those this desk may accept first, then those it may only register and
    transfer (each naming the competent bodies)."""
    from fzmediate.catalogue.org import implementing_names, issuer_for

    require(session, "case.create")
    bundle = session.catalogue.active()
    unit = session.organisation.desk_unit()
    found: list[MatterInfo] = []
    for matter in bundle.matters:
        ours = unit is not None and issuer_for(bundle, matter, unit) is not None
        competent = implementing_names(bundle, matter) or (matter.implementing_body,)
        found.append(_guide(matter, ours, competent))
    found.sort(key=lambda m: not m.ours)  # stable: catalogue order within each group
    return MatterChoice(
        desk_unit=unit.name if unit is not None else "",
        today=session.cases.today(),
        matters=tuple(found),
    )


def inbox_application(session: Session, token: Any, application_id: str) -> InboxApplication:
    """Open a pending kiosk application of the inbox for the intake form (nothing is written)."""
    from fzmediate.services.intake_inbox import IntakeInbox

    opened = IntakeInbox(session).open(application_id)
    return InboxApplication(opened.application_id, opened.number, opened.submitted_at, opened.intake)


def register(
    session: Session,
    token: Any,
    intake: Mapping[str, Any],
    attachments: tuple[NewAttachment, ...],
    confirm_duplicate: bool,
    application_id: str | None,
) -> Registered:
    """Register the application as a case with its attachments, in one transaction.

    ``application_id``: the kiosk application it comes from (the form may have completed it); the inbox entry is
    marked registered and linked in the same transaction (``IntakeInbox.register``). Raises DuplicateWarning
    (confirm and call again with ``confirm_duplicate``), IntakeError (problems by field path) or ValidationError
    (``attachments[i]``).
    """
    from fzmediate.services.attachments import AttachmentService
    from fzmediate.services.intake_inbox import IntakeInbox

    check_new(attachments)  # before anything is parsed or written: a refused file names its position
    files = AttachmentService(session)

    def also(s: OrmSession, case_id: str) -> None:
        if attachments:
            files.add_within(s, case_id, attachments)

    if application_id is not None:
        summary = IntakeInbox(session).register(
            application_id, confirm_duplicate=confirm_duplicate, intake=intake, also=also
        )
    else:
        summary = session.cases.create(dict(intake), channel="desk", also=also, confirm_duplicate=confirm_duplicate)
    return Registered(summary.id, summary.number, len(attachments))
