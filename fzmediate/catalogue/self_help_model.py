"""The optional ``self_help`` section of a catalogue bundle: the district's own plain wording for the kiosk.

A kiosk asks the public "what happened to you?" and leads them, in a few taps, to a matter and its guide
(``fzmediate.kiosk.self_help``). Without this section that path is generated from fields every bundle already
has (areas, matter names, guide summaries, conditions). When the district re-signs a bundle it may add this
section to word things its own way: a plain label per area, a few questions per area, and who the public
should ask when nothing fits. Everything here is checked against the bundle's matters when the bundle loads
(``check_self_help``, called by ``Bundle``), so a signed bundle never points a visitor at nothing.

The shapes are documented in docs/catalogue-format.md ("Self-help wording").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from fzmediate.i18n import _

_IDENT = re.compile(r"[a-z][a-z0-9_]*")
_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+")
_PHONE = re.compile(r"[0-9][0-9 -]{2,19}")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError(_("must not be empty"))
    return value


def _ident(value: str) -> str:
    if _IDENT.fullmatch(value) is None:
        raise ValueError(_("must be a lower-case identifier like mediation_period"))
    return value


def _code(value: str) -> str:
    if _CODE.fullmatch(value) is None:
        raise ValueError(_("must look like PS-TJ-001"))
    return value


def _phone(value: str) -> str:
    if _PHONE.fullmatch(value) is None:
        raise ValueError(_("must be a telephone number such as 12345"))
    return value


_Text = Annotated[str, AfterValidator(_not_blank)]
_Ident = Annotated[str, AfterValidator(_ident)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class SelfHelpOption(_Frozen):
    """One answer a visitor can tap: it leads to a matter (then its check and guide) or to a later question."""

    label: _Text
    hint: str = ""
    matter: Annotated[str, AfterValidator(_code)] | None = None
    next: _Ident | None = None

    @model_validator(mode="after")
    def _one_target(self) -> SelfHelpOption:
        if (self.matter is None) == (self.next is None):
            raise ValueError(_("option {label}: give either matter or next").format(label=self.label))
        return self


class SelfHelpQuestion(_Frozen):
    """A question with its answers; the first question of an area is asked first."""

    id: _Ident
    text: _Text
    options: Annotated[tuple[SelfHelpOption, ...], Field(min_length=1)]


class SelfHelpArea(_Frozen):
    """The plain wording of one area (``area`` is a matter area of the bundle, as written there)."""

    area: _Text
    label: _Text
    hint: str = ""
    #: Empty: the generated questions (one answer per matter of the area) are asked.
    questions: tuple[SelfHelpQuestion, ...] = ()


class SelfHelpContact(_Frozen):
    """Who to ask when nothing fits or the visitor is unsure (the escape valve), printed as given."""

    who: _Text
    place: _Text
    hours: _Text
    phone: Annotated[str, AfterValidator(_phone)]


class SelfHelp(_Frozen):
    """The ``self_help`` section: areas in the order the kiosk shows them (areas not listed follow, generated)."""

    question: str = ""
    areas: tuple[SelfHelpArea, ...] = ()
    ask: tuple[SelfHelpContact, ...] = ()


class _MatterLike(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def area(self) -> str: ...


def check_self_help(section: SelfHelp, matters: Sequence[_MatterLike]) -> None:
    """Refuse a section that names an unknown area or matter, repeats itself, or could loop (ValueError)."""
    areas = {m.area for m in matters}
    codes = {m.code for m in matters}
    seen: list[str] = []
    for entry in section.areas:
        if entry.area not in areas:
            raise ValueError(_("self_help: area {area} is not an area of any matter").format(area=entry.area))
        if entry.area in seen:
            raise ValueError(_("self_help: area {area} is listed twice").format(area=entry.area))
        seen.append(entry.area)
        ids = [q.id for q in entry.questions]
        for index, question in enumerate(entry.questions):
            if question.id in ids[:index]:
                raise ValueError(
                    _("self_help: question {id} of {area} is listed twice").format(id=question.id, area=entry.area)
                )
            later = ids[index + 1 :]
            for option in question.options:
                if option.matter is not None and option.matter not in codes:
                    raise ValueError(
                        _("self_help: {area} names matter {code}, which the bundle does not define").format(
                            area=entry.area, code=option.matter
                        )
                    )
                # Only forward: a visitor can never be sent round in a circle.
                if option.next is not None and option.next not in later:
                    raise ValueError(
                        _("self_help: question {id} of {area} must lead to a later question").format(
                            id=question.id, area=entry.area
                        )
                    )
