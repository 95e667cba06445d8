"""The kiosk's guided self-help: "what happened to you?" → a short path per area → a matter → its guide.

The path is built from the signed catalogue, so the district changes it by re-signing the bundle, never by a
release. Two sources, in this order:

- the bundle's optional ``self_help`` section (``fzmediate.catalogue.self_help_model``): the district's own
  plain label per area, its questions and its contacts for the escape valve;
- otherwise, GENERATED from fields every bundle has: one entry per matter ``area`` (its label the area's name,
  its hint the opening words of its matters' ``guide.summary``), one question per area whose answers are the
  matters' summaries (skipped when the area has one matter), then for the chosen matter a check: its summary
  and ``conditions``, "yes, show me the guide" or "not sure".

Every step also offers the escape valve — "none of these / not sure" — which names who to ask: the contacts of
the ``self_help`` section, or the street offices of the bundle's ``units`` with the place, hours and phone of
the matter the street offices implement most widely (their dispute-resolution window).

Catalogue text goes through ``text`` (default: as published) BEFORE anything is derived from it: a screen
passes ``fzmediate.catalogue.localize.localized`` so a zh_TW reader gets the Traditional summary and its first
sentence (the zh_TW map holds whole strings, not their parts) and builds the tree again when the language
changes. Empty ``Question.text`` means "use the kiosk's standard wording" (translated by the UI).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from fzmediate.catalogue.model import Bundle, Matter
    from fzmediate.catalogue.self_help_model import SelfHelpArea

#: The id of the check question of a matter (``check_id``).
CHECK_PREFIX = "check:"
_CLAUSE_END = re.compile(r"[，。；！？,;]")


@dataclass(frozen=True)
class Choice:
    """An answer on screen. Exactly one of ``matter`` (its check comes next) or ``next`` (a question id)."""

    label: str
    hint: str = ""
    matter: str | None = None
    next: str | None = None


@dataclass(frozen=True)
class Question:
    """One step. ``kind`` "choose": tap one of ``choices``. ``kind`` "check": does ``matter`` fit? (its
    ``summary`` and ``lines``, the conditions); yes leads to the guide."""

    id: str
    kind: Literal["choose", "check"]
    text: str = ""
    choices: tuple[Choice, ...] = ()
    matter: str | None = None
    summary: str = ""
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Area:
    """One answer to "what happened to you?" and the questions behind it (``first`` is asked first)."""

    key: str
    label: str
    hint: str
    first: str
    questions: dict[str, Question] = field(hash=False, compare=False)
    matters: tuple[str, ...] = ()

    def question(self, question_id: str) -> Question:
        return self.questions[question_id]


@dataclass(frozen=True)
class Contact:
    """Who to ask (the escape valve): a body, or several (``who``), with where, when and the phone."""

    who: tuple[str, ...]
    place: str
    hours: str
    phone: str


@dataclass(frozen=True)
class SelfHelpTree:
    question: str
    areas: tuple[Area, ...]
    ask: tuple[Contact, ...]
    #: True when nothing came from a ``self_help`` section (all generated from the matters).
    generated: bool

    def area(self, key: str) -> Area:
        found = next((a for a in self.areas if a.key == key), None)
        if found is None:
            raise KeyError(key)
        return found

    def area_of(self, matter_code: str) -> Area | None:
        return next((a for a in self.areas if matter_code in a.matters), None)


def check_id(matter_code: str) -> str:
    return CHECK_PREFIX + matter_code


def first_clause(text: str) -> str:
    """The opening words of a summary, up to its first comma or full stop (the plain "what happened")."""
    head = _CLAUSE_END.split(text.strip(), maxsplit=1)[0].strip()
    return head or text.strip()


def first_sentence(text: str) -> str:
    """A summary's first sentence (up to and including its first full stop)."""
    stop = text.find("。")
    return text[: stop + 1] if stop >= 0 else text


Text = Callable[[str], str]


def _as_published(text: str) -> str:
    return text


def _check(matter: Matter, text: Text) -> Question:
    return Question(
        id=check_id(matter.code),
        kind="check",
        matter=matter.code,
        summary=first_sentence(text(matter.guide.summary)),
        lines=tuple(text(c) for c in matter.conditions),
    )


def _generated_area(key: str, matters: Sequence[Matter], text: Text) -> Area:
    questions = {check_id(m.code): _check(m, text) for m in matters}
    first = check_id(matters[0].code)
    if len(matters) > 1:
        choices = tuple(
            Choice(label=first_sentence(text(m.guide.summary)), hint=text(m.name), matter=m.code) for m in matters
        )
        questions["which"] = Question(id="which", kind="choose", choices=choices)
        first = "which"
    hint = "；".join(dict.fromkeys(first_clause(text(m.guide.summary)) for m in matters))
    return Area(key, text(key), hint, first, questions, tuple(m.code for m in matters))


def _worded_area(entry: SelfHelpArea, matters: Sequence[Matter], bundle: Bundle, text: Text) -> Area:
    label, hint = text(entry.label), text(entry.hint) if entry.hint else ""
    if not entry.questions:
        generated = _generated_area(entry.area, matters, text)
        return Area(entry.area, label, hint, generated.first, generated.questions, generated.matters)
    questions: dict[str, Question] = {}
    named: list[str] = []
    for q in entry.questions:
        choices = tuple(Choice(text(o.label), text(o.hint) if o.hint else "", o.matter, o.next) for o in q.options)
        questions[q.id] = Question(id=q.id, kind="choose", text=text(q.text), choices=choices)
        named.extend(o.matter for o in q.options if o.matter is not None)
    for code in dict.fromkeys(named):
        matter = bundle.matter(code)
        if matter is not None:
            questions[check_id(code)] = _check(matter, text)
    codes = tuple(dict.fromkeys([*named, *(m.code for m in matters)]))
    return Area(entry.area, label, hint, entry.questions[0].id, questions, codes)


def _street_contact(bundle: Bundle, text: Text) -> tuple[Contact, ...]:
    streets = [u for u in bundle.units if u.kind == "street_office"]
    if not streets:
        # No units in this bundle: the bodies that implement the matters, each with its own window.
        seen: dict[str, Contact] = {}
        for m in bundle.matters:
            seen.setdefault(
                m.implementing_body,
                Contact((text(m.implementing_body),), text(m.place), text(m.hours), m.consult_phone),
            )
        return tuple(seen.values())
    codes = {u.code for u in streets}

    def reach(m: Matter) -> int:
        return sum(1 for mu in m.implementing_units if mu.unit in codes)

    # The window most of the street offices' matters send people to (their dispute-resolution centre).
    theirs = [m for m in bundle.matters if reach(m) > 0] or list(bundle.matters)
    places = [m.place for m in theirs]
    best = max(theirs, key=lambda m: (places.count(m.place), reach(m), -theirs.index(m)))
    return (Contact(tuple(text(u.name) for u in streets), text(best.place), text(best.hours), best.consult_phone),)


def build_tree(bundle: Bundle, text: Text = _as_published) -> SelfHelpTree:
    """The self-help path of ``bundle`` (its ``self_help`` wording where given, generated elsewhere); every
    catalogue string passes through ``text`` first."""
    by_area: dict[str, list[Matter]] = {}
    for m in bundle.matters:
        by_area.setdefault(m.area, []).append(m)
    section = bundle.self_help
    areas: list[Area] = []
    if section is not None:
        areas.extend(_worded_area(e, by_area[e.area], bundle, text) for e in section.areas)
    done = {a.key for a in areas}
    areas.extend(_generated_area(key, ms, text) for key, ms in by_area.items() if key not in done)
    if section is not None and section.ask:
        ask = tuple(Contact((text(c.who),), text(c.place), text(c.hours), c.phone) for c in section.ask)
    else:
        ask = _street_contact(bundle, text)
    generated = section is None or (not section.areas and not section.ask and not section.question)
    question = text(section.question) if section is not None and section.question else ""
    return SelfHelpTree(question, tuple(areas), ask, generated)
