"""The kiosk's application form without Qt: its questions, in order, the check of each answer, and the intake.

A member of the public answers one question a page. What they give is exactly what
``KioskService.submit_application`` needs by the desk's intake rules (``fzmediate.domain.intake``): the applicant
is a person (name, identity document and its number, phone, optionally an address), the other party is a
person or an organisation known by name, and the application states what happened (``facts``) and what is
asked for (``claims``). The one-line ``summary`` the desk lists is the matter's own name: the visitor is not
asked to summarise. Nothing is kept here beyond an :class:`Answers` object, which the screen clears at the end
of every visit; nothing is stored before the whole application is submitted.

Each check returns a message that names the field and the rule in the visitor's language, or "" when the
answer is fine. The final word is the intake validation at submission; :func:`step_of` tells which page a
problem it reports belongs to, so the form can show it there.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum
from typing import Any

from fzmediate.domain.case import PartyKind, PartyRole
from fzmediate.domain.identity import IdType, validate_id_number, validate_phone
from fzmediate.domain.intake import MAX_ADDRESS, MAX_LONG_TEXT, MAX_NAME, Problem
from fzmediate.errors import ValidationError
from fzmediate.i18n import N_, _

#: The documents a person may identify with at the kiosk, in the order the page offers them.
PERSON_ID_TYPES = (
    IdType.RESIDENT_ID,
    IdType.HK_MACAO_PERMIT,
    IdType.TAIWAN_PERMIT,
    IdType.HMT_RESIDENCE,
    IdType.FOREIGN_PERMANENT,
    IdType.PASSPORT,
)
#: Plain-word names for the public (the desk's labels are the documents' official names).
ID_TYPE_LABELS = {
    IdType.RESIDENT_ID: N_("Resident identity card"),
    IdType.HK_MACAO_PERMIT: N_("Mainland travel permit for Hong Kong and Macao residents (home-return permit)"),
    IdType.TAIWAN_PERMIT: N_("Mainland travel permit for Taiwan residents (Taiwan compatriot permit)"),
    IdType.HMT_RESIDENCE: N_("Residence permit for Hong Kong, Macao and Taiwan residents"),
    IdType.FOREIGN_PERMANENT: N_("Foreign permanent resident ID card"),
    IdType.PASSPORT: N_("Passport"),
}
#: What the number of each document looks like, shown under the field.
ID_NUMBER_HINTS = {
    IdType.RESIDENT_ID: N_("18 characters: 17 digits, then a digit or X."),
    IdType.HK_MACAO_PERMIT: N_("H or M, then 8 digits (older permits: 10 digits)."),
    IdType.TAIWAN_PERMIT: N_("8 digits (older permits: 10 digits and a letter)."),
    IdType.HMT_RESIDENCE: N_("18 characters, starting with 810000, 820000 or 830000."),
    IdType.FOREIGN_PERMANENT: N_("18 characters starting with 9 (older cards: 3 letters and 12 digits)."),
    IdType.PASSPORT: N_("5 to 17 letters or digits, as printed in the passport."),
}
OTHER_KIND_LABELS = {
    PartyKind.PERSON.value: N_("A person"),
    PartyKind.ORGANIZATION.value: N_("A company or other organisation"),
}


class Step(StrEnum):
    """The pages of the form, in order."""

    PRIVACY = "privacy"
    NAME = "name"
    ID_TYPE = "id_type"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    ADDRESS = "address"
    OTHER_KIND = "other_kind"
    OTHER_NAME = "other_name"
    FACTS = "facts"
    CLAIMS = "claims"
    REVIEW = "review"


STEPS = tuple(Step)


@dataclass
class Answers:
    """What the visitor has answered so far (kept only on screen, cleared at the end of the visit)."""

    privacy_accepted: bool = False
    name: str = ""
    id_type: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    other_kind: str = ""
    other_name: str = ""
    facts: str = ""
    claims: str = ""

    def clear(self) -> None:
        for f in fields(self):
            setattr(self, f.name, f.default)


def field_label(step: Step) -> str:
    """The field's name as the messages and the review page say it."""
    labels = {
        Step.PRIVACY: _("Privacy notice"),
        Step.NAME: _("Your name"),
        Step.ID_TYPE: _("Identity document"),
        Step.ID_NUMBER: _("ID number"),
        Step.PHONE: _("Phone number"),
        Step.ADDRESS: _("Address"),
        Step.OTHER_KIND: _("The other party"),
        Step.OTHER_NAME: _("Name of the other party"),
        Step.FACTS: _("What happened"),
        Step.CLAIMS: _("What you ask for"),
        Step.REVIEW: _("Check and send"),
    }
    return labels[step]


def _say(step: Step, rule: str) -> str:
    return _("{field}: {rule}").format(field=field_label(step), rule=rule)


def _text_problem(step: Step, value: str, *, max_len: int, required: bool, multiline: bool, name: bool) -> str:
    text = value if multiline else value.strip()
    if not text.strip():
        return _say(step, _("please fill this in.")) if required else ""
    if len(text) > max_len:
        return _say(step, _("at most {max} characters; now there are {count}.").format(max=max_len, count=len(text)))
    for ch in text:
        category = unicodedata.category(ch)
        if (category == "Cc" and not (multiline and ch in "\t\n\r")) or category == "Cs":
            return _say(step, _("contains a character that cannot be kept; please delete it."))
        if name and category == "Cf":
            return _say(step, _("contains an invisible character; please delete it."))
    return ""


def check(step: Step, answers: Answers, today: date) -> str:
    """Why the answer on ``step`` cannot go on, in plain words naming the field and the rule; "" when it can."""
    if step is Step.PRIVACY:
        agreed = answers.privacy_accepted
        return "" if agreed else _say(step, _("please read it, then tap the button under it to agree."))
    if step in (Step.NAME, Step.OTHER_NAME):
        value = answers.name if step is Step.NAME else answers.other_name
        return _text_problem(step, value, max_len=MAX_NAME, required=True, multiline=False, name=True)
    if step is Step.ID_TYPE:
        return "" if answers.id_type in {t.value for t in PERSON_ID_TYPES} else _say(step, _("please choose one."))
    if step is Step.ID_NUMBER:
        if not answers.id_number.strip():
            return _say(step, _("please enter the number printed on your document."))
        try:
            validate_id_number(answers.id_type or IdType.RESIDENT_ID, answers.id_number, today=today)
        except ValidationError as exc:
            return exc.message
        return ""
    if step is Step.PHONE:
        if not answers.phone.strip():
            return _say(step, _("please enter a number where the office can call you."))
        try:
            validate_phone(answers.phone)
        except ValidationError as exc:
            return exc.message
        return ""
    if step is Step.ADDRESS:
        return _text_problem(step, answers.address, max_len=MAX_ADDRESS, required=False, multiline=False, name=False)
    if step is Step.OTHER_KIND:
        return "" if answers.other_kind in OTHER_KIND_LABELS else _say(step, _("please choose one."))
    if step in (Step.FACTS, Step.CLAIMS):
        value = answers.facts if step is Step.FACTS else answers.claims
        return _text_problem(step, value, max_len=MAX_LONG_TEXT, required=True, multiline=True, name=False)
    return ""


def first_problem(answers: Answers, today: date) -> tuple[Step, str] | None:
    """The first page whose answer cannot go on, with its message (None when every answer is fine)."""
    for step in STEPS:
        message = check(step, answers, today)
        if message:
            return step, message
    return None


def build_intake(matter_code: str, summary: str, answers: Answers) -> dict[str, Any]:
    """The intake document (``fzmediate.domain.intake``) the kiosk submits; the kiosk dates it today."""
    applicant: dict[str, Any] = {
        "role": PartyRole.APPLICANT.value,
        "kind": PartyKind.PERSON.value,
        "name": answers.name.strip(),
        "id_type": answers.id_type,
        "id_number": answers.id_number.strip(),
        "phone": answers.phone.strip(),
    }
    if answers.address.strip():
        applicant["address"] = answers.address.strip()
    other = {"role": PartyRole.RESPONDENT.value, "kind": answers.other_kind, "name": answers.other_name.strip()}
    return {
        "matter": matter_code,
        "summary": summary,
        "facts": answers.facts,
        "claims": answers.claims,
        "parties": [applicant, other],
    }


_FIELD_STEPS = {
    "parties[0].name": Step.NAME,
    "parties[0].id_type": Step.ID_TYPE,
    "parties[0].id_number": Step.ID_NUMBER,
    "parties[0].phone": Step.PHONE,
    "parties[0].address": Step.ADDRESS,
    "parties[1].kind": Step.OTHER_KIND,
    "parties[1].name": Step.OTHER_NAME,
    "facts": Step.FACTS,
    "claims": Step.CLAIMS,
}


def step_of(problem: Problem) -> Step:
    """The page a problem of the intake validation belongs to (the review page for anything else)."""
    return _FIELD_STEPS.get(problem.field, Step.REVIEW)


def message_for(problem: Problem) -> str:
    """The problem in the form's words: the page's field name instead of the intake's field path."""
    step = step_of(problem)
    rule = problem.message
    if rule.startswith(problem.field):
        rule = rule[len(problem.field) :].lstrip(":： ")
    return _say(step, rule) if step is not Step.REVIEW else problem.message
