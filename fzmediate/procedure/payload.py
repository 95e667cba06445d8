"""Checking and normalising the data an act records (its payload), and naming parties in messages.

The normalised payload is what the case event stores: plain JSON values only (text, whole numbers,
booleans, lists, objects; dates as ``YYYY-MM-DD``; money as a decimal string), every declared field
present (empty when not given), so guards and documents never have to guess whether a key exists.
Whether a field is *legally* required (written reasons for a refusal, the terms of an agreement) is a
guard's business; here ``required`` means plain completeness, and types are checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from fzmediate.domain.case import CaseRecord, Party, PartyRole, party_role_label
from fzmediate.i18n import _
from fzmediate.jsonsafe import character_problem, key_text
from fzmediate.procedure.definition import ActionSpec, PayloadField

#: Longest text we accept in one field: a long statement of facts fits, a pasted file does not.
MAX_TEXT: Final = 50_000
MAX_LIST: Final = 200
TERM_KEYS: Final = ("obligor", "obligee", "content", "amount", "manner", "place", "deadline")


def party_ref(case: CaseRecord, party: Party) -> str:
    """A party as messages name it: role and position, e.g. "respondent 2" — never the name or ID."""
    same_role = [p.id for p in case.parties if p.role is party.role]
    position = same_role.index(party.id) + 1 if party.id in same_role else 0
    return _("{role} {n}").format(role=party_role_label(party.role), n=position)


def party_ref_by_id(case: CaseRecord, party_id: str) -> str:
    party = case.party(party_id)
    return party_ref(case, party) if party is not None else _("party {id}").format(id=party_id)


def refs(case: CaseRecord, parties: Sequence[Party]) -> str:
    return _(", ").join(party_ref(case, p) for p in parties)


def parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_amount(value: Any) -> Decimal | None:
    """A money amount: a non-negative decimal with at most two places (分), given as text or whole number."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return amount


def _empty(kind: str) -> Any:
    if kind in ("text", "login"):
        return ""
    if kind in ("text_list", "parties", "terms"):
        return []
    if kind == "boolean":
        return False
    return None


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def unknown_party(value: str) -> str:
    """The refusal for a party id the case does not have. What was typed is shown only when it cannot be personal
    data (a name typed instead of an id)."""
    shown = key_text(value)
    if shown is None:
        return _("the case has no party with the id given")
    return _("the case has no party {id}").format(id=shown)


class _Checker:
    def __init__(self, case: CaseRecord, action: ActionSpec) -> None:
        self.case = case
        self.action = action
        self.reasons: list[str] = []

    def bad(self, spec: PayloadField, rule: str) -> None:
        self.reasons.append(_("{field}: {rule}").format(field=spec.display, rule=rule))

    def text(self, spec: PayloadField, value: Any) -> str | None:
        if not isinstance(value, str):
            self.bad(spec, _("expected text"))
            return None
        if len(value) > MAX_TEXT:
            self.bad(spec, _("longer than {n} characters").format(n=MAX_TEXT))
            return None
        rule = character_problem(value)
        if rule is not None:
            self.bad(spec, rule)
            return None
        return value.strip()

    def party(self, spec: PayloadField, value: Any) -> str | None:
        if not isinstance(value, str):
            self.bad(spec, _("expected a party id"))
            return None
        party = self.case.party(value)
        if party is None:
            self.bad(spec, unknown_party(value))
            return None
        allowed = {PartyRole(r) for r in spec.party_roles}
        if not allowed:
            allowed = {PartyRole.APPLICANT, PartyRole.RESPONDENT, PartyRole.THIRD_PARTY}
        if party.role not in allowed:
            self.bad(
                spec,
                _("{party} does not have the required role ({roles})").format(
                    party=party_ref(self.case, party),
                    roles=_(" or ").join(party_role_label(r) for r in sorted(allowed)),
                ),
            )
            return None
        return party.id

    def term(self, spec: PayloadField, index: int, value: Any) -> dict[str, Any] | None:
        where = _("term {n}").format(n=index + 1)
        if not isinstance(value, Mapping):
            self.bad(spec, _("{where}: expected an object").format(where=where))
            return None
        unknown = sorted(str(k) for k in value if k not in TERM_KEYS)
        if unknown:
            shown = key_text(unknown[0])
            if shown is None:
                self.bad(spec, _("{where}: an unknown field (its name is not shown)").format(where=where))
            else:
                self.bad(spec, _("{where}: unknown field {key}").format(where=where, key=shown))
            return None
        out: dict[str, Any] = {}
        for key in TERM_KEYS:
            item = value.get(key)
            if item is None or item == "":
                out[key] = ""
            elif key == "amount":
                amount = parse_amount(item)
                if amount is None:
                    self.bad(spec, _("{where}: the amount must be a decimal like 1200.50").format(where=where))
                    return None
                out[key] = str(amount)
            elif key == "deadline":
                day = parse_date(item)
                if day is None:
                    self.bad(spec, _("{where}: the deadline must be a date YYYY-MM-DD").format(where=where))
                    return None
                out[key] = day.isoformat()
            elif not isinstance(item, str) or len(item) > MAX_TEXT:
                self.bad(spec, _("{where}: {key} must be text").format(where=where, key=key))
                return None
            elif (rule := character_problem(item)) is not None:
                self.bad(spec, _("{field}: {rule}").format(field=where, rule=rule))
                return None
            else:
                out[key] = item.strip()
        return out

    def value(self, spec: PayloadField, value: Any) -> Any:
        kind = spec.type
        if kind == "text":
            return self.text(spec, value)
        if kind == "login":
            text = self.text(spec, value)
            if text is not None and len(text) > 64:
                self.bad(spec, _("a user name has at most 64 characters"))
                return None
            return text
        if kind == "boolean":
            if not isinstance(value, bool):
                self.bad(spec, _("expected true or false"))
                return None
            return value
        if kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                self.bad(spec, _("expected a whole number"))
                return None
            if spec.minimum is not None and value < spec.minimum:
                self.bad(spec, _("must be at least {n}").format(n=spec.minimum))
                return None
            return value
        if kind == "decimal":
            amount = parse_amount(value)
            if amount is None:
                self.bad(spec, _("expected a decimal amount like 1200.50"))
                return None
            return str(amount)
        if kind == "date":
            day = parse_date(value)
            if day is None:
                self.bad(spec, _("expected a date YYYY-MM-DD"))
                return None
            return day.isoformat()
        if kind == "choice":
            if value not in spec.choices:
                self.bad(spec, _("must be one of {choices}").format(choices=", ".join(spec.choices)))
                return None
            return value
        if kind == "time_limit":
            if value not in self.action.extends:
                self.bad(spec, _("must be one of {choices}").format(choices=", ".join(self.action.extends)))
                return None
            return value
        if kind == "party":
            return self.party(spec, value)
        return self.listing(spec, value)

    def listing(self, spec: PayloadField, value: Any) -> list[Any] | None:
        if not isinstance(value, list | tuple) or len(value) > MAX_LIST:
            self.bad(spec, _("expected a list (at most {n} items)").format(n=MAX_LIST))
            return None
        out: list[Any] = []
        for index, item in enumerate(value):
            if spec.type == "terms":
                checked: Any = self.term(spec, index, item)
            elif spec.type == "parties":
                checked = self.party(spec, item)
                if checked is not None and checked in out:
                    self.bad(spec, _("{party} is listed twice").format(party=party_ref_by_id(self.case, checked)))
                    return None
            else:
                checked = self.text(spec, item)
                if checked == "":
                    continue
            if checked is None:
                return None
            out.append(checked)
        return out


def normalize_payload(case: CaseRecord, action: ActionSpec, raw: Any) -> tuple[dict[str, Any], list[str]]:
    """The payload as it will be stored, and every problem found (empty when it is valid).

    Valid fields are kept even when others are wrong, so guards can still say what else is missing.
    """
    checker = _Checker(case, action)
    out: dict[str, Any] = {f.field: _empty(f.type) for f in action.payload}
    if not isinstance(raw, Mapping):
        return out, [_("The data for this act must be a set of named fields")]
    declared = {f.field for f in action.payload}
    hidden = False
    for key in sorted(str(k) for k in raw if k not in declared):
        shown = key_text(key)
        if shown is not None:
            checker.reasons.append(_("{field}: unknown field for this act").format(field=shown))
        elif not hidden:  # one line for all the keys that are not shown
            hidden = True
            checker.reasons.append(_("a field unknown for this act (its name is not shown: it may be personal data)"))
    for spec in action.payload:
        value = raw.get(spec.field)
        if _missing(value):
            if spec.required:
                checker.bad(spec, _("required"))
            continue
        checked = checker.value(spec, value)
        if checked is not None:
            out[spec.field] = checked
        if spec.required and _missing(checked) and checked is not None:
            checker.bad(spec, _("required"))
    return out, checker.reasons
