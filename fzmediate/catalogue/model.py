"""The published catalogue (事项目录) as typed, immutable data.

A `Bundle` is what the district signs and publishes: the list of mediation and adjudication matters with
their legal basis, conditions, materials, time limits and the citizen's guide (申请指南), plus the holiday
tables and procedure definitions that travel with it. Every model is frozen and rejects unknown fields, so
a bundle that loads is exactly the bundle that was signed, and a case pinned to it can never see it change.

Models validate in pydantic *strict* mode from JSON (`Bundle.model_validate_json`): a number written as a
string, or ``1`` for ``true``, is an error rather than silently coerced. The catalogue content itself is
Simplified Chinese data; only the validation messages go through gettext.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from fzmediate.catalogue.self_help_model import SelfHelp, check_self_help
from fzmediate.i18n import N_, _

FORMAT_NAME: Final = "fzmediate-catalogue"
FORMAT_VERSION: Final = 1


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError(_("must not be empty"))
    return value


def _pattern(regex: str, rule: str) -> AfterValidator:
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if compiled.fullmatch(value) is None:
            raise ValueError(_(rule))
        return value

    return AfterValidator(check)


Text = Annotated[str, AfterValidator(_not_blank)]
#: Matter codes are stable across versions (cases and statistics refer to them), e.g. ``PS-TJ-001``.
MatterCode = Annotated[str, _pattern(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+", N_("must look like PS-TJ-001"))]
#: Snake-case identifier, e.g. ``mediation_period``.
Identifier = Annotated[str, _pattern(r"[a-z][a-z0-9_]*", N_("must be a lower-case identifier like mediation_period"))]
#: Dotted procedure id, e.g. ``mediation.standard``.
ProcedureId = Annotated[str, _pattern(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*", N_("must look like mediation.standard"))]
BundleId = Annotated[str, _pattern(r"[a-z][a-z0-9-]*", N_("must be lower-case letters, digits and hyphens"))]
#: A public service number such as 12345 or 0755-12345678; never a personal number.
Phone = Annotated[str, _pattern(r"[0-9][0-9 -]{2,19}", N_("must be a telephone number such as 12345"))]
Positive = Annotated[int, Field(gt=0)]


def _known_format_version(value: int) -> int:
    if value != FORMAT_VERSION:
        raise ValueError(_("must be {version}").format(version=FORMAT_VERSION))
    return value


#: How a period is counted. Working days honour statutory holidays and make-up workdays (调休).
Unit = Literal["working_days", "calendar_days", "months", "years"]

#: Rank of a legal source, highest first. The order of `LEGAL_LEVEL_ORDER` is the order in which a matter's
#: `legal_basis` must be listed (catalogue practice: 法律、行政法规、司法解释、地方性法规、规章、规范性文件).
LegalLevel = Literal[
    "law",
    "administrative_regulation",
    "judicial_interpretation",
    "local_regulation",
    "departmental_rule",
    "local_government_rule",
    "normative_document",
]
LEGAL_LEVEL_ORDER: Final[tuple[str, ...]] = (
    "law",
    "administrative_regulation",
    "judicial_interpretation",
    "local_regulation",
    "departmental_rule",
    "local_government_rule",
    "normative_document",
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class LegalBasis(_Frozen):
    """One cited provision (设定依据): which law, which article, what it says in short."""

    law: Text
    article: Text
    level: LegalLevel
    summary: Text


class Material(_Frozen):
    """One item of 申请材料."""

    name: Text
    form: Literal["original", "copy", "original_and_copy", "original_or_copy"]
    copies: Positive
    required: bool
    notes: str = ""


class Extension(_Frozen):
    """How far a time limit may be extended, by whose approval, on what basis."""

    amount: Positive
    unit: Unit
    approver: Text
    basis: Text


class TimeLimit(_Frozen):
    """A statutory (法定) or promised (承诺) time limit.

    `name` is a stable identifier the procedure engine looks up (acceptance, transfer, service, reply,
    mediation_period, decision, judicial_confirmation, application …); `label` is what people read.
    `applies_to` says whose clock it is: the agency's, a party's (e.g. the window to apply), or a court's.
    """

    name: Identifier
    label: Text
    amount: Positive
    unit: Unit
    kind: Literal["statutory", "promised"]
    applies_to: Literal["agency", "party", "court"] = "agency"
    starts_from: Text
    basis: Text
    extendable_by: Extension | None = None
    notes: str = ""


class Fee(_Frozen):
    """收费: administrative mediation and adjudication are free; the basis says why."""

    free: bool
    text: Text
    basis: Text


class Faq(_Frozen):
    q: Text
    a: Text


class Remedy(_Frozen):
    """A route of legal remedy against a decision, with its deadline (stated on every decision)."""

    route: Literal["administrative_reconsideration", "administrative_litigation", "civil_litigation"]
    label: Text
    amount: Positive
    unit: Unit
    starts_from: Text
    basis: Text
    body: str = ""
    #: True when this route must be taken before going to court (复议前置).
    required_first: bool = False
    notes: str = ""


#: Organisation unit codes, e.g. ``PS-JD-PS`` (坪山街道办事处) or ``SZ-SCJG-PS``; stable across versions.
UnitCode = Annotated[str, _pattern(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+", N_("must look like PS-JD-PS"))]

#: What kind of body a unit is. Only bodies with their own administrative capacity issue documents in their
#: own name; a community (社区) is a window of its street office and never issues (see `OrgUnit.issues`).
UnitKind = Literal[
    "city_government",
    "city_department",
    "city_department_branch",
    "district_government",
    "district_department",
    "street_office",
    "community",
]


class OrgUnit(_Frozen):
    """An organisation unit a desk can belong to: district government, its departments, city departments'
    district branches, street offices, communities.

    The remedy against what the unit issues is data here, so a district corrects it by re-signing: the
    行政复议 body for its acts (行政复议法 2023 Art.24) and the court of first instance for 行政诉讼 against it
    (行政诉讼法 Art.14/15/18), each with its basis.
    """

    code: UnitCode
    name: Text
    kind: UnitKind
    #: The unit this one belongs to (a community's street office); None for a top-level body.
    parent: UnitCode | None = None
    #: 行政复议机关 for acts issued in this unit's name, as printed (may name two bodies joined by 或者).
    review_body: str = ""
    review_basis: str = ""
    #: 一审法院 for 行政诉讼 against this unit's acts, as printed.
    court: str = ""
    court_basis: str = ""
    notes: tuple[Text, ...] = ()

    @property
    def issues(self) -> bool:
        """True when documents may be issued in this unit's own name (not a community)."""
        return self.kind != "community"

    @model_validator(mode="after")
    def _consistent(self) -> OrgUnit:
        if self.issues and not (self.review_body.strip() and self.court.strip()):
            raise ValueError(
                _("unit {code}: a unit that issues documents must name review_body and court").format(code=self.code)
            )
        if self.kind == "community" and self.parent is None:
            raise ValueError(_("unit {code}: a community must name its street office (parent)").format(code=self.code))
        return self


class MatterUnit(_Frozen):
    """One unit that implements a matter: it may accept, handle and issue documents for it.

    ``issuer`` is the body in whose name the documents are issued when that is not the unit itself (land title
    disputes are handled by the 规划和自然资源局坪山管理局 for the 坪山区人民政府, 土地管理法 Art.14). ``scope`` says
    which disputes of the matter this unit takes when several units share a matter (林地: street offices take
    disputes between individuals).
    """

    unit: UnitCode
    issuer: UnitCode | None = None
    scope: str = ""

    @property
    def issuing_unit(self) -> str:
        return self.issuer or self.unit


#: What a document states on a legal basis, each printed from the matter's citation table (`Matter.citations`)
#: so that the district corrects a citation by re-signing the bundle, never by a new release. The meaning of
#: each purpose is documented in docs/catalogue-format.md ("Citations").
CitationPurpose = Literal[
    "acceptance",
    "refusal",
    "transfer",
    "consent",
    "refused_consent",
    "voluntariness",
    "rights_notice",
    "recusal",
    "confidentiality",
    "termination",
    "period_expired",
    "undisputed_facts",
    "agreement",
    "partial_agreement",
    "performance",
    "judicial_confirmation",
    "payment_order",
    "other_routes",
    "mediate_first",
    "mediation_document",
    "joint_application",
    "penalty",
    "arbitration",
    "limitation_interrupted",
    "status_quo",
    "suspension",
    "third_party",
    "public_notice",
]
#: The purposes every mediation matter's table must give (once it gives any): the documents of every
#: mediation case print them.
MEDIATION_CITATIONS: Final[tuple[str, ...]] = (
    "acceptance",
    "refusal",
    "transfer",
    "consent",
    "refused_consent",
    "voluntariness",
    "rights_notice",
    "recusal",
    "confidentiality",
    "termination",
    "period_expired",
    "undisputed_facts",
    "agreement",
    "performance",
)


class Citation(_Frozen):
    """One entry of a matter's citation table: the provisions a document prints for one purpose, exactly as
    printed (e.g. ``《深圳经济特区矛盾纠纷多元化解条例》第二十一条``)."""

    purpose: CitationPurpose
    text: Text


class Guide(_Frozen):
    """The 申请指南 for citizens: short, plain sentences, for screen and print."""

    summary: Text
    steps: Annotated[tuple[Text, ...], Field(min_length=1)]
    bring: Annotated[tuple[Text, ...], Field(min_length=1)]
    after: Annotated[tuple[Text, ...], Field(min_length=1)]
    tips: tuple[Text, ...] = ()


class DecisionWording(_Frozen):
    """How a matter's decision names itself and the parties (the district may correct it by re-signing).

    The defaults are those of a 行政裁决书; a 政府采购投诉 says 投诉处理决定书, 投诉人/被投诉人 (财政部令第94号),
    a patent dispute 处理决定书, 请求人/被请求人 (专利行政执法办法).
    """

    #: The document's title, e.g. 行政裁决书, 投诉处理决定书.
    title: Text = "行政裁决书"
    #: The verb of the operative part: ``裁决`` (裁决如下) or ``决定`` (决定如下).
    ruling: Text = "裁决"
    #: What the party who starts the case files: 申请 (申请书), 投诉 (投诉书), 请求 (请求书).
    application: Text = "申请"
    applicant: Text = "申请人"
    respondent: Text = "被申请人"
    third_party: Text = "第三人"


class Matter(_Frozen):
    """One catalogue entry (事项): a kind of dispute the implementing body mediates or adjudicates."""

    code: MatterCode
    name: Text
    kind: Literal["mediation", "adjudication"]
    area: Text
    implementing_body: Text
    competent_department: Text
    legal_basis: Annotated[tuple[LegalBasis, ...], Field(min_length=1)]
    conditions: Annotated[tuple[Text, ...], Field(min_length=1)]
    materials: Annotated[tuple[Material, ...], Field(min_length=1)]
    time_limits: Annotated[tuple[TimeLimit, ...], Field(min_length=1)]
    fee: Fee
    place: Text
    hours: Text
    consult_phone: Phone
    complaint_phone: Phone
    faq: tuple[Faq, ...] = ()
    #: 到现场次数: how many times the applicant must come in person.
    visits: Annotated[int, Field(ge=0)]
    procedure: ProcedureId
    remedies: tuple[Remedy, ...] = ()
    guide: Guide
    sources: Annotated[tuple[Text, ...], Field(min_length=1)]
    #: Where a fact is an inference rather than a cited text, the note says so.
    notes: tuple[Text, ...] = ()
    #: What the documents of this matter cite, by purpose (`Citation`); empty in bundles older than the table.
    citations: tuple[Citation, ...] = ()
    #: The units that implement the matter (accept, handle, issue); see `MatterUnit`.
    implementing_units: tuple[MatterUnit, ...] = ()
    #: A major decision (重大行政执法决定, 国办发〔2018〕118号): the head's approval needs a collective discussion.
    major_decision: bool = False
    #: Adjudication: mediate before deciding (深圳条例 第五十八条); False where the matter's own rules have
    #: no mediation step (政府采购投诉, 财政部令第94号).
    mediation_first: bool = True
    #: Adjudication: a hearing (听取意见、质证) before the review; False where review is in writing (书面审查).
    hearing_required: bool = True
    #: Adjudication: the decision's title and party words (None: those of a 行政裁决书).
    decision_wording: DecisionWording | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Matter:
        ranks = [LEGAL_LEVEL_ORDER.index(b.level) for b in self.legal_basis]
        if ranks != sorted(ranks):
            raise ValueError(_("legal_basis must be listed highest rank first (law before regulation)"))
        names = [t.name for t in self.time_limits]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(_("time limit {name} is listed twice").format(name=duplicates[0]))
        if self.kind == "adjudication" and not self.remedies:
            raise ValueError(_("an adjudication matter must state its remedies (remedies is empty)"))
        purposes = [c.purpose for c in self.citations]
        twice = sorted({p for p in purposes if purposes.count(p) > 1})
        if twice:
            raise ValueError(_("citation {purpose} is listed twice").format(purpose=twice[0]))
        if self.citations and self.kind == "mediation":
            lacking = [p for p in MEDIATION_CITATIONS if p not in purposes]
            if lacking:
                raise ValueError(_("a mediation matter's citations must give {purpose}").format(purpose=lacking[0]))
        return self

    def citation(self, purpose: str) -> str | None:
        """The provisions this matter's documents cite for `purpose`, or None when the table has none."""
        return next((c.text for c in self.citations if c.purpose == purpose), None)

    def time_limit(self, name: str) -> TimeLimit | None:
        """The time limit called `name`, or None."""
        return next((t for t in self.time_limits if t.name == name), None)


HolidayRange = tuple[dt.date, dt.date, Text]
# The longest arrangement so far is 9 days (春节 2026); a longer range is almost surely a typo.
_MAX_HOLIDAY_DAYS: Final = 31


class HolidayTable(_Frozen):
    """One year's statutory holidays and make-up workdays (the JSON shape of resources/holidays).

    ``holidays`` holds ``[start, end, name]`` ranges, both ends inclusive; ``workdays`` the weekend days
    that are working days (调休).
    """

    year: Annotated[int, Field(ge=1949, le=2200)]
    source: Text
    published: dt.date
    holidays: tuple[HolidayRange, ...]
    workdays: tuple[dt.date, ...]

    @model_validator(mode="after")
    def _consistent(self) -> HolidayTable:
        # The same rules as fzmediate/procedure/calendar.py, so a table that loads here is usable there.
        off: set[dt.date] = set()
        for start, end, name in self.holidays:
            if end < start:
                raise ValueError(_("holiday {name} ends before it starts").format(name=name))
            if (end - start).days >= _MAX_HOLIDAY_DAYS:
                raise ValueError(_("holiday {name} is longer than 31 days").format(name=name))
            for offset in range((end - start).days + 1):
                day = start + dt.timedelta(days=offset)
                self._check_year(day)
                if day in off:
                    raise ValueError(_("{day} is in two holiday ranges").format(day=day.isoformat()))
                off.add(day)
        if len(set(self.workdays)) != len(self.workdays):
            raise ValueError(_("a make-up workday is listed twice"))
        for day in self.workdays:
            self._check_year(day)
            if day.weekday() < 5:
                raise ValueError(_("make-up workday {day} is not a Saturday or Sunday").format(day=day.isoformat()))
            if day in off:
                raise ValueError(_("{day} is both a holiday and a make-up workday").format(day=day.isoformat()))
        return self

    def _check_year(self, day: dt.date) -> None:
        # A notice may also rearrange the last days of December of the year before.
        if day.year != self.year and not (day.year == self.year - 1 and day.month == 12):
            raise ValueError(
                _("{day} is outside {year} (and not in the December before)").format(
                    day=day.isoformat(), year=self.year
                )
            )


class Bundle(_Frozen):
    """A signed, versioned catalogue as published by the district.

    `version` only ever grows for a given `bundle_id`; `version_label` is for people (e.g. 2026年第1版).
    `procedures` are passed through as opaque objects (each with an ``id``) until the procedure engine
    owns their schema; once any are present, every matter's `procedure` must name one of them.
    """

    format: Literal["fzmediate-catalogue"]
    # Not Literal[1]: a literal would also accept JSON true, which compares equal to 1.
    format_version: Annotated[int, AfterValidator(_known_format_version)]
    publisher: Text
    bundle_id: BundleId
    version: Positive
    version_label: Text
    published_on: dt.date
    description: str = ""
    matters: Annotated[tuple[Matter, ...], Field(min_length=1)]
    holiday_tables: tuple[HolidayTable, ...] = ()
    procedures: tuple[dict[str, Any], ...] = ()
    #: The organisation units desks belong to (empty in bundles made before units existed).
    units: tuple[OrgUnit, ...] = ()
    #: Optional plain wording for the kiosk's self-help (`fzmediate.catalogue.self_help_model`); without it the
    #: kiosk generates its questions from the matters.
    self_help: SelfHelp | None = None

    @model_validator(mode="after")
    def _cross_check(self) -> Bundle:
        codes = [m.code for m in self.matters]
        for code in codes:
            if codes.count(code) > 1:
                raise ValueError(_("duplicate matter code {code}").format(code=code))
        years = [t.year for t in self.holiday_tables]
        for year in years:
            if years.count(year) > 1:
                raise ValueError(_("the holiday table for {year} is listed twice").format(year=year))
        if self.procedures:
            ids: list[str] = []
            for index, proc in enumerate(self.procedures):
                pid = proc.get("id")
                if not isinstance(pid, str) or not pid.strip():
                    raise ValueError(_("procedure #{n} has no id").format(n=index + 1))
                if pid in ids:
                    raise ValueError(_("duplicate procedure id {id}").format(id=pid))
                ids.append(pid)
            for matter in self.matters:
                if matter.procedure not in ids:
                    raise ValueError(
                        _("matter {code} refers to procedure {id}, which the bundle does not define").format(
                            code=matter.code, id=matter.procedure
                        )
                    )
        self._check_units()
        if self.self_help is not None:
            check_self_help(self.self_help, self.matters)
        return self

    def _check_units(self) -> None:
        if not self.units:
            return
        known = [u.code for u in self.units]
        for code in known:
            if known.count(code) > 1:
                raise ValueError(_("duplicate unit code {code}").format(code=code))
        by_code = {u.code: u for u in self.units}
        for u in self.units:
            if u.parent is not None and u.parent not in by_code:
                raise ValueError(
                    _("unit {code}: parent {parent} is not a listed unit").format(code=u.code, parent=u.parent)
                )
        for matter in self.matters:
            if not matter.implementing_units:
                raise ValueError(_("matter {code} names no implementing_units").format(code=matter.code))
            for mu in matter.implementing_units:
                for ref in (mu.unit, mu.issuing_unit):
                    if ref not in by_code:
                        raise ValueError(
                            _("matter {code}: unit {unit} is not a listed unit").format(code=matter.code, unit=ref)
                        )
                if not by_code[mu.issuing_unit].issues:
                    raise ValueError(
                        _("matter {code}: {unit} cannot issue documents in its own name").format(
                            code=matter.code, unit=mu.issuing_unit
                        )
                    )

    def unit(self, code: str) -> OrgUnit | None:
        """The organisation unit with this code, or None."""
        return next((u for u in self.units if u.code == code), None)

    def matter(self, code: str) -> Matter | None:
        """The matter with this code, or None."""
        return next((m for m in self.matters if m.code == code), None)

    def holiday_table(self, year: int) -> HolidayTable | None:
        """The published holiday table for `year`, or None."""
        return next((t for t in self.holiday_tables if t.year == year), None)
