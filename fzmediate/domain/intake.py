"""The intake format: a new application (申请) as JSON, parsed and validated before anything is stored.

::

    {
      "matter": "PS-TJ-007",                 # a matter code of the active catalogue
      "received_on": "2026-11-27",           # YYYY-MM-DD, a real date, not in the future
      "summary": "物业费纠纷",                # one line, up to 500 characters
      "facts": "……",                         # up to 50,000 characters, stored exactly as given
      "claims": "……",                        # up to 50,000 characters, stored exactly as given
      "parties": [
        {"role": "applicant", "kind": "person", "name": "王𠮷", "id_type": "resident_id",
         "id_number": "…", "phone": "139…", "address": "…"},
        {"role": "respondent", "kind": "organization", "name": "某物业公司", "id_type": "uscc", "id_number": "…",
         "legal_representative": "赵某", "representative_title": "法定代表人"},
        {"role": "agent", "kind": "person", "name": "…", "id_number": "…", "phone": "…",
         "represents": 0, "power_of_attorney": "……", "authority": "special",
         "authority_scope": "代为承认、放弃、变更调解请求，代为签署调解协议"}
      ]
    }

Rules (each problem names its field with a path such as ``parties[1].id_number``):

- the JSON itself is read by :func:`fzmediate.jsonsafe.load_json`: at most 2 MB, nesting, number, surrogate,
  control-character and duplicate-key limits, each refusal naming the field;
- unknown fields are refused (a typo must not silently drop data), named only when the name cannot be
  personal data (:func:`fzmediate.jsonsafe.key_text`); text fields must be JSON strings;
- ``role``: applicant | respondent | third_party | agent; ``kind``: person | organization;
- ``id_type``: resident_id | hk_macao_permit | taiwan_permit | hmt_residence | foreign_permanent | passport |
  uscc (default: uscc for an organization, resident_id for a person); an organization must use uscc and a
  person must not; the number is checked by :func:`fzmediate.domain.identity.validate_id_number` (check
  character, birth date that exists and is not in the future …) and stored normalized;
- ``id_number`` and ``phone`` are required for applicants and agents (they file and receive notices), optional
  for respondents and third parties; phones are stored in E.164;
- an agent names the party it acts for with ``represents`` (the index of a non-agent party in ``parties``)
  and describes its authority in ``power_of_attorney``; other parties carry neither;
- an agent states its ``authority``: ``general`` (一般授权) or ``special`` (特别授权), and a special authority
  its ``authority_scope`` (the powers granted, up to 2,000 characters); other parties carry neither;
- an organization names who signs for it: ``legal_representative`` (by the same rules as a name) and
  ``representative_title`` (法定代表人 | 负责人) — required of an applicant organisation, given when known for
  one on the other side; a person carries neither;
- at least one applicant and one respondent; at most 50 parties; the same document number may not belong
  to two principal parties;
- names 1–64 characters, addresses up to 200, the power of attorney up to 2,000;
- control characters are refused (facts, claims and the power of attorney may hold line breaks and tabs);
  names may not hold invisible direction controls. Nothing is normalized or escaped: markup characters
  (``<b>``, ``&``) and rare characters (𠮷 U+20BB7, 䶮) are stored and returned exactly as given.

Nothing is written anywhere by this module: the service stores an :class:`Intake` only once it is complete.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from fzmediate.domain.case import REPRESENTATIVE_TITLES, Authority, CaseKind, PartyKind, PartyRole
from fzmediate.domain.identity import IdType, validate_id_number, validate_phone
from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.jsonsafe import JsonInputError, load_json, unknown_field_problem
from fzmediate.jsonsafe import Problem as Problem  # re-exported: the services name problems with it

if TYPE_CHECKING:
    from fzmediate.catalogue.model import Bundle

MAX_INTAKE_BYTES = 2 * 1024 * 1024
MAX_NAME = 64
MAX_SUMMARY = 500
MAX_LONG_TEXT = 50_000
MAX_ADDRESS = 200
MAX_POWER_OF_ATTORNEY = 2_000
MAX_PARTIES = 50

TOP_FIELDS = ("matter", "received_on", "summary", "facts", "claims", "parties")
PARTY_FIELDS = (
    "role",
    "kind",
    "name",
    "id_type",
    "id_number",
    "phone",
    "address",
    "represents",
    "power_of_attorney",
    "legal_representative",
    "representative_title",
    "authority",
    "authority_scope",
)
_MATTER_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MULTILINE_ALLOWED = frozenset("\t\n\r")
# Invisible characters that reorder text on screen: refused in names, where they could disguise one person
# as another in a list.
_DIRECTION_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class IntakeError(JsonInputError):
    """The intake was refused; ``problems`` lists every broken rule, the message names the first."""


@dataclass(frozen=True)
class PartyIntake:
    role: PartyRole
    kind: PartyKind
    name: str
    id_type: str
    id_number: str
    phone: str
    address: str
    #: Index (in ``Intake.parties``) of the party an agent acts for.
    represents: int | None
    power_of_attorney: str
    legal_representative: str = ""
    representative_title: str = ""
    authority: str = ""
    authority_scope: str = ""


@dataclass(frozen=True)
class Intake:
    matter_code: str
    kind: CaseKind
    procedure_id: str
    received_on: date
    summary: str
    facts: str
    claims: str
    parties: tuple[PartyIntake, ...]


def parse_intake_json(text: str | bytes, *, catalogue: Bundle, today: date) -> Intake:
    """Decode an intake document (by the rules of :mod:`fzmediate.jsonsafe`) and validate it."""
    try:
        data = load_json(text, what=_("Intake data"), max_bytes=MAX_INTAKE_BYTES)
    except JsonInputError as exc:
        raise IntakeError(exc.problems) from None
    return validate_intake(data, catalogue=catalogue, today=today)


def validate_intake(data: object, *, catalogue: Bundle, today: date) -> Intake:
    """Validate decoded intake data; raise :class:`IntakeError` listing every problem found."""
    checker = _Checker(today)
    if not isinstance(data, Mapping):
        raise IntakeError([Problem("(root)", _("Intake: expected a JSON object."))])
    checker.unknown_fields(data, TOP_FIELDS, [])
    matter_code, kind, procedure_id = checker.matter(data.get("matter"), catalogue)
    received_on = checker.received_on(data.get("received_on"))
    summary = checker.text(data.get("summary"), "summary", max_len=MAX_SUMMARY, required=True)
    facts = checker.text(data.get("facts"), "facts", max_len=MAX_LONG_TEXT, required=True, multiline=True)
    claims = checker.text(data.get("claims"), "claims", max_len=MAX_LONG_TEXT, required=True, multiline=True)
    parties = checker.parties(data.get("parties"))
    if checker.problems:
        raise IntakeError(checker.problems)
    assert kind is not None and received_on is not None
    return Intake(
        matter_code=matter_code,
        kind=kind,
        procedure_id=procedure_id,
        received_on=received_on,
        summary=summary,
        facts=facts,
        claims=claims,
        parties=tuple(parties),
    )


@dataclass(frozen=True)
class Registered:
    """The registered data of a case that a correction (更正) may change, validated as at intake."""

    summary: str
    facts: str
    claims: str
    parties: tuple[PartyIntake, ...]


def validate_registered(data: Mapping[str, Any], *, today: date) -> Registered:
    """Check corrected data by the intake rules (``summary``, ``facts``, ``claims``, ``parties`` as in an
    intake); raise :class:`IntakeError` listing every problem."""
    checker = _Checker(today)
    checker.unknown_fields(data, ("summary", "facts", "claims", "parties"), [])
    summary = checker.text(data.get("summary"), "summary", max_len=MAX_SUMMARY, required=True)
    facts = checker.text(data.get("facts"), "facts", max_len=MAX_LONG_TEXT, required=True, multiline=True)
    claims = checker.text(data.get("claims"), "claims", max_len=MAX_LONG_TEXT, required=True, multiline=True)
    parties = checker.parties(data.get("parties"))
    if checker.problems:
        raise IntakeError(checker.problems)
    return Registered(summary, facts, claims, tuple(parties))


def _rule(field: str, rule: str) -> Problem:
    return Problem(field, _("{field}: {rule}").format(field=field, rule=rule))


class _Checker:
    def __init__(self, today: date) -> None:
        self.today = today
        self.problems: list[Problem] = []

    def fail(self, field: str, rule: str) -> None:
        self.problems.append(_rule(field, rule))

    def unknown_fields(self, data: Mapping[Any, Any], known: Sequence[str], parent: Sequence[str | int]) -> None:
        """Keys that are not fields of the format; a key that may be personal data is not named."""
        for key in data:
            if key not in known:
                self.problems.append(unknown_field_problem(parent, key, _("unknown field (a typo?)")))

    # --- scalar fields ---------------------------------------------------------------------------
    def text(
        self,
        value: object,
        field: str,
        *,
        max_len: int,
        required: bool,
        multiline: bool = False,
        is_name: bool = False,
    ) -> str:
        """A text field as given (single-line fields lose surrounding spaces; long texts stay intact)."""
        if value is None:
            if required:
                self.fail(field, _("required"))
            return ""
        if not isinstance(value, str):
            self.fail(field, _("must be text"))
            return ""
        text = value if multiline else value.strip()
        if not text.strip():
            if required:
                self.fail(field, _("required"))
            return ""
        if len(text) > max_len:
            self.fail(field, _("at most {max} characters, not {count}").format(max=max_len, count=len(text)))
            return ""
        allowed = _MULTILINE_ALLOWED if multiline else frozenset()
        for ch in text:
            category = unicodedata.category(ch)
            if category == "Cc" and ch not in allowed:
                self.fail(field, _("control characters are not allowed"))
                return ""
            if category == "Cs":
                self.fail(field, _("contains an invalid character (a lone surrogate)"))
                return ""
            if is_name and ch in _DIRECTION_CONTROLS:
                self.fail(field, _("invisible text-direction characters are not allowed"))
                return ""
        return text

    def matter(self, value: object, catalogue: Bundle) -> tuple[str, CaseKind | None, str]:
        if value is None or value == "":
            self.fail("matter", _("required"))
            return "", None, ""
        if not isinstance(value, str):
            self.fail("matter", _("must be text"))
            return "", None, ""
        code = value.strip()
        matter = catalogue.matter(code)
        if matter is None:
            if _MATTER_CODE.fullmatch(code):
                rule = _("unknown matter code {code} in catalogue {bundle} version {version}").format(
                    code=code, bundle=catalogue.bundle_id, version=catalogue.version
                )
            else:
                rule = _("not a matter code of the catalogue (codes look like PS-TJ-001)")
            self.fail("matter", rule)
            return "", None, ""
        return matter.code, CaseKind(matter.kind), matter.procedure

    def received_on(self, value: object) -> date | None:
        if value is None or value == "":
            self.fail("received_on", _("required"))
            return None
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            self.fail("received_on", _("expected a date written YYYY-MM-DD"))
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            self.fail("received_on", _("not a valid calendar date"))
            return None
        if day > self.today:
            self.fail("received_on", _("lies in the future"))
            return None
        return day

    # --- parties ---------------------------------------------------------------------------------
    def parties(self, value: object) -> list[PartyIntake]:
        if value is None:
            self.fail("parties", _("required"))
            return []
        if not isinstance(value, list):
            self.fail("parties", _("expected a list of parties"))
            return []
        if len(value) > MAX_PARTIES:
            self.fail("parties", _("at most {max} parties").format(max=MAX_PARTIES))
            return []
        parsed: list[PartyIntake | None] = [self.party(i, raw, len(value)) for i, raw in enumerate(value)]
        roles = [p.role for p in parsed if p is not None]
        # Only when every party parsed: otherwise a broken role would also report a missing applicant.
        if len(roles) == len(value):
            if PartyRole.APPLICANT not in roles:
                self.fail("parties", _("at least one applicant is required"))
            if PartyRole.RESPONDENT not in roles:
                self.fail("parties", _("at least one respondent is required"))
        self._check_agents(parsed)
        self._check_duplicates(parsed)
        return [p for p in parsed if p is not None]

    def party(self, index: int, raw: object, count: int) -> PartyIntake | None:
        where = "parties[{0}]".format(index)
        if not isinstance(raw, Mapping):
            self.fail(where, _("expected an object"))
            return None
        before = len(self.problems)
        self.unknown_fields(raw, PARTY_FIELDS, ["parties", index])
        role = self._enum(raw.get("role"), where + ".role", PartyRole)
        kind = self._enum(raw.get("kind"), where + ".kind", PartyKind)
        name = self.text(raw.get("name"), where + ".name", max_len=MAX_NAME, required=True, is_name=True)
        files = role in (PartyRole.APPLICANT, PartyRole.AGENT)
        id_type, id_number = self._identity(raw, where, kind, required=files)
        phone = self._phone(raw.get("phone"), where + ".phone", required=files)
        address = self.text(raw.get("address"), where + ".address", max_len=MAX_ADDRESS, required=False)
        represents = self._represents(raw.get("represents"), where + ".represents", role, index, count)
        poa = self.text(
            raw.get("power_of_attorney"),
            where + ".power_of_attorney",
            max_len=MAX_POWER_OF_ATTORNEY,
            required=role is PartyRole.AGENT,
            multiline=True,
        )
        if poa and role is not None and role is not PartyRole.AGENT:
            self.fail(where + ".power_of_attorney", _("only an agent carries a power of attorney"))
        representative, title = self._representative(raw, where, kind, role)
        authority, scope = self._authority(raw, where, role)
        if len(self.problems) > before or role is None or kind is None:
            return None
        return PartyIntake(
            role=role,
            kind=kind,
            name=name,
            id_type=id_type,
            id_number=id_number,
            phone=phone,
            address=address,
            represents=represents,
            power_of_attorney=poa,
            legal_representative=representative,
            representative_title=title,
            authority=authority,
            authority_scope=scope,
        )

    def _representative(
        self, raw: Mapping[str, Any], where: str, kind: PartyKind | None, role: PartyRole | None
    ) -> tuple[str, str]:
        """An organisation's 法定代表人 or 负责人, named by the rules for names: required of an applicant organisation
        (it files and signs); for an organisation on the other side it is given when known — a person filing
        against a company often does not know it — and completed later by a correction (更正); its signature line is
        printed with the title alone meanwhile."""
        name_field, title_field = where + ".legal_representative", where + ".representative_title"
        organisation = kind is PartyKind.ORGANIZATION
        required = organisation and role is PartyRole.APPLICANT
        name = self.text(raw.get("legal_representative"), name_field, max_len=MAX_NAME, required=required,
                         is_name=True)  # fmt: skip
        title_raw = raw.get("representative_title")
        title = ""
        if title_raw is None or (isinstance(title_raw, str) and not title_raw.strip()):
            if required or (organisation and name):
                self.fail(
                    title_field, _("required (one of {choices})").format(choices="、".join(REPRESENTATIVE_TITLES))
                )
        elif not isinstance(title_raw, str) or title_raw.strip() not in REPRESENTATIVE_TITLES:
            self.fail(title_field, _("must be one of {choices}").format(choices="、".join(REPRESENTATIVE_TITLES)))
        else:
            title = title_raw.strip()
        if kind is PartyKind.PERSON and (name or title):
            field = name_field if name else title_field
            self.fail(field, _("only an organization names a legal representative or person in charge"))
        return name, title

    def _authority(self, raw: Mapping[str, Any], where: str, role: PartyRole | None) -> tuple[str, str]:
        """An agent's authority (一般授权 / 特别授权) and, for a special one, the powers it grants."""
        field, scope_field = where + ".authority", where + ".authority_scope"
        agent = role is PartyRole.AGENT
        value = raw.get("authority")
        choices = ", ".join(a.value for a in Authority)
        authority = ""
        if value is None or value == "":
            if agent:
                self.fail(field, _("required for an agent (one of {choices})").format(choices=choices))
        elif not isinstance(value, str) or value not in {a.value for a in Authority}:
            self.fail(field, _("must be one of {choices}").format(choices=choices))
        else:
            authority = value
        scope = self.text(
            raw.get("authority_scope"),
            scope_field,
            max_len=MAX_POWER_OF_ATTORNEY,
            required=agent and authority == Authority.SPECIAL.value,
            multiline=True,
        )
        if role is not None and not agent and (authority or scope):
            self.fail(field if authority else scope_field, _("only an agent carries an authority"))
        return authority, scope

    def _enum(self, value: object, field: str, enum: type[PartyRole] | type[PartyKind]) -> Any:
        choices = ", ".join(m.value for m in enum)
        if value is None or value == "":
            self.fail(field, _("required (one of {choices})").format(choices=choices))
            return None
        if not isinstance(value, str):
            self.fail(field, _("must be one of {choices}").format(choices=choices))
            return None
        try:
            return enum(value)
        except ValueError:
            self.fail(field, _("must be one of {choices}").format(choices=choices))
            return None

    def _identity(
        self, raw: Mapping[str, Any], where: str, kind: PartyKind | None, *, required: bool
    ) -> tuple[str, str]:
        type_field, number_field = where + ".id_type", where + ".id_number"
        raw_type, raw_number = raw.get("id_type"), raw.get("id_number")
        if raw_type is not None and not isinstance(raw_type, str):
            self.fail(type_field, _("must be text"))
            return "", ""
        if raw_number is not None and not isinstance(raw_number, str):
            self.fail(number_field, _("must be text"))
            return "", ""
        if raw_type:
            try:
                id_type: IdType | None = IdType(raw_type)
            except ValueError:
                self.fail(type_field, _("must be one of {choices}").format(choices=", ".join(t.value for t in IdType)))
                return "", ""
        elif kind is PartyKind.ORGANIZATION:
            id_type = IdType.USCC
        elif kind is PartyKind.PERSON:
            id_type = IdType.RESIDENT_ID
        else:
            id_type = None
        if kind is PartyKind.ORGANIZATION and id_type is not IdType.USCC:
            self.fail(type_field, _("an organization is identified by its unified social credit code (uscc)"))
            return "", ""
        if kind is PartyKind.PERSON and id_type is IdType.USCC:
            self.fail(type_field, _("a person cannot be identified by a unified social credit code"))
            return "", ""
        if not raw_number or not raw_number.strip():
            if required:
                self.fail(number_field, _("required for applicants and agents"))
            return "", ""
        if id_type is None:
            return "", ""
        try:
            number = validate_id_number(id_type, raw_number, today=self.today)
        except ValidationError as exc:
            # exc.message names the rule, never the number typed.
            self.problems.append(
                Problem(number_field, _("{field}: {rule}").format(field=number_field, rule=exc.message))
            )
            return "", ""
        return id_type.value, number

    def _phone(self, value: object, field: str, *, required: bool) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(field, _("required for applicants and agents"))
            return ""
        if not isinstance(value, str):
            self.fail(field, _("must be text"))
            return ""
        try:
            return validate_phone(value)
        except ValidationError as exc:
            self.problems.append(Problem(field, _("{field}: {rule}").format(field=field, rule=exc.message)))
            return ""

    def _represents(self, value: object, field: str, role: PartyRole | None, index: int, count: int) -> int | None:
        if role is not PartyRole.AGENT:
            if value is not None and role is not None:
                self.fail(field, _("only an agent represents another party"))
            return None
        if value is None:
            self.fail(field, _("required: the index of the party this agent acts for"))
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(field, _("must be a whole number (the index of a party in parties)"))
            return None
        if not 0 <= value < count or value == index:
            self.fail(field, _("must be the index of another party in parties (0 to {last})").format(last=count - 1))
            return None
        return value

    def _check_agents(self, parsed: Sequence[PartyIntake | None]) -> None:
        for i, p in enumerate(parsed):
            if p is None or p.represents is None:
                continue
            target = parsed[p.represents]
            if target is not None and target.role is PartyRole.AGENT:
                self.fail("parties[{0}].represents".format(i), _("an agent acts for a party, not for another agent"))

    def _check_duplicates(self, parsed: Sequence[PartyIntake | None]) -> None:
        seen: set[tuple[str, str]] = set()
        for i, p in enumerate(parsed):
            if p is None or p.role is PartyRole.AGENT or not p.id_number:
                continue
            key = (p.id_type, p.id_number)
            if key in seen:
                self.fail(
                    "parties[{0}].id_number".format(i),
                    _("the same document number belongs to an earlier party"),
                )
            seen.add(key)
