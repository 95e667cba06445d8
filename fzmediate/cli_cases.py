"""``fzmediate catalogue …``, ``fzmediate case …`` and ``fzmediate workdays …``: the case sub-commands.

Same conventions as ``fzmediate.cli``: exit 0 success, 1 refused (one localized line on stderr), 2 usage;
``--json`` for machine-readable output. ``case show`` prints the case file with full personal values (a
legal view; reading it is audited); ``case list`` masks names.

For ``case create`` and ``case act`` the input JSON comes from ``--json FILE`` (``-`` = stdin), which also
switches the output to JSON; ``--payload FILE`` / a positional FILE read it without changing the output.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from fzmediate.domain.case import party_role_label
from fzmediate.domain.identity import id_type_label
from fzmediate.errors import UsageError, ValidationError
from fzmediate.i18n import _
from fzmediate.procedure.calendar import WorkCalendar
from fzmediate.procedure.clock import Unit, add_working_days, describe, working_days_between
from fzmediate.services.case_views import CaseDetail, CaseSummary, jsonable
from fzmediate.services.catalogue import BundleInfo

SubParsers = Any  # argparse's _SubParsersAction is private


def _base() -> Any:
    from fzmediate import cli

    return cli


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("expected a date written YYYY-MM-DD, not {value}").format(value=text)
        ) from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a whole number, not {value}").format(value=text)) from None
    if value < 0:
        raise argparse.ArgumentTypeError(_("expected a number that is not negative"))
    return value


def _read_input(source: str) -> str:
    """The text of FILE, or of stdin for ``-``."""
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(
            _("Cannot read {name}: {problem}").format(name=Path(source).name, problem=exc.strerror)
        ) from None
    except UnicodeDecodeError:
        raise ValidationError(_("{name} is not UTF-8 text.").format(name=Path(source).name)) from None


def _input_and_format(args: argparse.Namespace, *, required: bool) -> tuple[str | None, bool]:
    """(input file, JSON output?) from ``--json [FILE]``, ``--payload FILE`` or a positional FILE."""
    flag = getattr(args, "json", False)
    source = getattr(args, "payload", None) or getattr(args, "file", None)
    if isinstance(flag, str):
        if source is not None and source != flag:
            raise UsageError(_("Give the input file once (--json FILE or FILE)."))
        source = flag
    if required and source is None:
        raise UsageError(_("Give the intake file with --json FILE (- reads standard input)."))
    return source, bool(flag)


def _print_json(data: Any) -> None:
    print(json.dumps(jsonable(data), ensure_ascii=False, indent=2))


def _emit(as_json: bool, data: Any, text: Callable[[], str]) -> None:
    if as_json:
        _print_json(data)
    else:
        print(text())


def _due_text(due: date | None, provisional: bool) -> str:
    if due is None:
        return "—"
    return due.isoformat() + (" " + _("(provisional)") if provisional else "")


# --- catalogue ---------------------------------------------------------------------------------
def cmd_catalogue_list(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        matters = s.catalogue.list()
        info = next((b for b in s.catalogue.bundles() if b.active), None)

    def text() -> str:
        lines = []
        if info is not None:
            lines.append(
                _("Catalogue {bundle} version {version} ({label})").format(
                    bundle=info.bundle_id, version=info.version, label=info.label
                )
            )
        lines.extend("{0:<12} {1:<13} {2}".format(m.code, m.kind, m.name) for m in matters)
        return "\n".join(lines)

    _emit(args.json, matters, text)
    return 0


def cmd_catalogue_show(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        matter = s.catalogue.show(args.code)
    data = matter.model_dump(mode="json")

    def text() -> str:
        lines = ["{0}  {1}  ({2})".format(matter.code, matter.name, matter.kind), matter.guide.summary, ""]
        lines.append(_("Implementing body: {body}").format(body=matter.implementing_body))
        lines.append(_("Legal basis:"))
        lines.extend("  {0} {1}".format(b.law, b.article) for b in matter.legal_basis)
        lines.append(_("Time limits:"))
        lines.extend(
            "  {0} ({1}): {2}".format(t.label, t.name, describe(t.amount, Unit(t.unit))) for t in matter.time_limits
        )
        lines.append(
            _("Consultation: {phone}; complaints: {complaint}").format(
                phone=matter.consult_phone, complaint=matter.complaint_phone
            )
        )
        return "\n".join(lines)

    _emit(args.json, data, text)
    return 0


def _bundle_text(info: BundleInfo) -> str:
    return _("Catalogue {bundle} version {version} ({label}) installed and active.").format(
        bundle=info.bundle_id, version=info.version, label=info.label
    )


def cmd_catalogue_import(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        info = s.catalogue.import_bundle(Path(args.bundle), force=args.force)
    _emit(args.json, info, lambda: _bundle_text(info))
    return 0


# --- cases -------------------------------------------------------------------------------------
def _summary_line(c: CaseSummary) -> str:
    due = _due_text(c.next_due, c.next_due_provisional)
    names = "、".join(c.applicants) + " / " + "、".join(c.respondents)
    return "{0}  {1:<14} {2}  {3}  {4}  {5}".format(
        c.number, c.state, c.received_on.isoformat(), c.matter_name, names, due
    )


def cmd_case_create(args: argparse.Namespace) -> int:
    source, as_json = _input_and_format(args, required=True)
    assert source is not None
    text = _read_input(source)
    with _base()._session(args) as s:
        summary = s.cases.create(text)
    _emit(
        as_json,
        summary,
        lambda: _("Case {number} registered (id {id}).").format(number=summary.number, id=summary.id),
    )
    return 0


def _detail_text(d: CaseDetail) -> str:
    lines = [
        "{0}  ({1})".format(d.number, d.id),
        _("Matter: {code} {name} (catalogue {bundle} version {version})").format(
            code=d.matter_code, name=d.matter_name, bundle=d.bundle_id, version=d.bundle_version
        ),
        _("State: {state}; received on {day}; version {version}").format(
            state=d.state, day=d.received_on.isoformat(), version=d.version
        ),
        _("Next deadline: {name} {due}").format(
            name=d.next_due_name or "—", due=_due_text(d.next_due, d.next_due_provisional)
        ),
        _("Parties:"),
    ]
    for i, p in enumerate(d.parties):
        doc = "{0} {1}".format(id_type_label(p.id_type), p.id_number) if p.id_number else ""
        extra = [x for x in (doc, p.phone, p.address) if x]
        agent = ""
        if p.represents is not None:
            target = next((j for j, q in enumerate(d.parties) if q.id == p.represents), None)
            agent = " → " + _("acts for party {n}").format(n=(target or 0) + 1)
        lines.append(
            "  {0}. [{1}] {2}{3}  {4}".format(i + 1, party_role_label(p.role), p.name, agent, "  ".join(extra))
        )
    lines += [_("Summary: {text}").format(text=d.summary), _("Facts:"), d.facts, _("Claims:"), d.claims, _("Events:")]
    lines.extend("  {0}. {1} {2} ({3})".format(e.seq, e.on.isoformat(), e.action, e.actor) for e in d.events)
    return "\n".join(lines)


def cmd_case_show(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        detail = s.cases.get(args.case)
    _emit(args.json, detail, lambda: _detail_text(detail))
    return 0


def cmd_case_list(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        rows = s.cases.list(args.query, overdue=args.overdue, limit=args.limit, offset=args.offset)
    _emit(args.json, rows, lambda: "\n".join(_summary_line(c) for c in rows) or _("No cases."))
    return 0


def cmd_case_act(args: argparse.Namespace) -> int:
    source, as_json = _input_and_format(args, required=False)
    payload: dict[str, Any] = {}
    if source is not None:
        try:
            loaded = json.loads(_read_input(source))
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("Payload: not valid JSON (line {line}, column {column}).").format(line=exc.lineno, column=exc.colno)
            ) from None
        if not isinstance(loaded, dict):
            raise ValidationError(_("Payload: expected a JSON object."))
        payload = loaded
    with _base()._session(args) as s:
        detail = s.cases.act(args.case, args.action, payload, on=args.on)
    _emit(
        as_json,
        detail,
        lambda: _("{number}: {action} recorded; state {state}; next deadline {name} {due}.").format(
            number=detail.number,
            action=args.action,
            state=detail.state,
            name=detail.next_due_name or "—",
            due=_due_text(detail.next_due, detail.next_due_provisional),
        ),
    )
    return 0


def cmd_case_deadlines(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        rows = s.cases.deadlines(args.case, args.today)

    def text() -> str:
        return "\n".join(
            "{0:<24} {1:<12} {2} {3}".format(d.label, str(d.status), _due_text(d.due, d.provisional), d.basis)
            for d in rows
        ) or _("No deadlines.")

    _emit(args.json, rows, text)
    return 0


def cmd_case_actions(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        rows = s.cases.available_actions(args.case)

    def text() -> str:
        out = []
        for a in rows:
            mark = "✓" if a.allowed else "✗"
            reasons = "; ".join(str(r) for r in a.reasons)
            out.append("{0} {1:<28} {2}  {3}".format(mark, a.name, a.label, reasons).rstrip())
        return "\n".join(out)

    _emit(args.json, rows, text)
    return 0


# --- working days (no unlock) ------------------------------------------------------------------
def _calendar() -> WorkCalendar:
    """Shipped holiday tables and the calendar package, plus the shipped catalogue's holiday tables."""
    from fzmediate.catalogue.bundle import load_shipped_bundle
    from fzmediate.errors import FzError
    from fzmediate.procedure.calendar import parse_holiday_table

    try:
        bundle = load_shipped_bundle().bundle
    except FzError:
        return WorkCalendar()
    tables = [parse_holiday_table(t.model_dump(mode="json"), origin=bundle.bundle_id) for t in bundle.holiday_tables]
    return WorkCalendar(tables)


def cmd_workdays_add(args: argparse.Namespace) -> int:
    deadline = add_working_days(_calendar(), args.start, args.n)
    data = {"start": args.start, "working_days": args.n, "due": deadline.due, "provisional": deadline.provisional}
    _emit(args.json, data, lambda: _due_text(deadline.due, deadline.provisional))
    return 0


def cmd_workdays_between(args: argparse.Namespace) -> int:
    count, provisional = working_days_between(_calendar(), args.a, args.b)
    data = {"from": args.a, "to": args.b, "working_days": count, "provisional": provisional}
    _emit(args.json, data, lambda: str(count) + (" " + _("(provisional)") if provisional else ""))
    return 0


# --- parser ------------------------------------------------------------------------------------
def register(sub: SubParsers, common: argparse.ArgumentParser, as_json: argparse.ArgumentParser) -> None:
    """Add the catalogue, case and workdays commands to the ``fzmediate`` parser."""
    parser_class = type(common)
    in_json = parser_class(add_help=False, argument_default=argparse.SUPPRESS)
    in_json.add_argument(
        "--json",
        nargs="?",
        const=True,
        default=False,
        metavar="FILE",
        help=_("machine-readable output; with FILE, also read the input JSON from FILE (- = stdin)"),
    )

    cat = sub.add_parser("catalogue", parents=[common], help=_("the catalogue of matters"))
    csub = cat.add_subparsers(dest="catalogue_command", required=True, parser_class=parser_class)
    p = csub.add_parser("list", parents=[common, as_json], help=_("list the matters of the active catalogue"))
    p.set_defaults(func=cmd_catalogue_list)
    p = csub.add_parser("show", parents=[common, as_json], help=_("show one matter"))
    p.add_argument("code", metavar="CODE")
    p.set_defaults(func=cmd_catalogue_show)
    p = csub.add_parser("import", parents=[common, as_json], help=_("verify and install a signed catalogue bundle"))
    p.add_argument("bundle", metavar="BUNDLE")
    p.add_argument(
        "--force",
        action="store_true",
        default=False,
        help=_("also accept an older version or another catalogue"),
    )
    p.set_defaults(func=cmd_catalogue_import)

    case = sub.add_parser("case", parents=[common], help=_("cases"))
    ksub = case.add_subparsers(dest="case_command", required=True, parser_class=parser_class)
    p = ksub.add_parser("create", parents=[common, in_json], help=_("register a case from an intake JSON file"))
    p.add_argument("file", nargs="?", metavar="FILE", help=_("intake JSON file (- = stdin)"))
    p.set_defaults(func=cmd_case_create)
    p = ksub.add_parser("show", parents=[common, as_json], help=_("show the case file (full values; audited)"))
    p.add_argument("case", metavar="ID")
    p.set_defaults(func=cmd_case_show)
    p = ksub.add_parser("list", parents=[common, as_json], help=_("list cases (names masked)"))
    p.add_argument("--query", metavar="TEXT", help=_("case number, party name, ID number or phone"))
    p.add_argument("--overdue", action="store_true", default=False, help=_("only cases past their next deadline"))
    p.add_argument("--limit", type=_count, default=50)
    p.add_argument("--offset", type=_count, default=0)
    p.set_defaults(func=cmd_case_list)
    p = ksub.add_parser("act", parents=[common, in_json], help=_("record a procedure action"))
    p.add_argument("case", metavar="ID")
    p.add_argument("action", metavar="ACTION")
    p.add_argument("--payload", metavar="FILE", help=_("the action's data as a JSON object (- = stdin)"))
    p.add_argument("--on", type=_iso_date, metavar="YYYY-MM-DD", help=_("date of the act (default: today)"))
    p.set_defaults(func=cmd_case_act, on=None, payload=None)
    p = ksub.add_parser("deadlines", parents=[common, as_json], help=_("the case's deadlines"))
    p.add_argument("case", metavar="ID")
    p.add_argument("--today", type=_iso_date, metavar="YYYY-MM-DD", help=_("count as of this date"))
    p.set_defaults(func=cmd_case_deadlines, today=None)
    p = ksub.add_parser("actions", parents=[common, as_json], help=_("what can be done next"))
    p.add_argument("case", metavar="ID")
    p.set_defaults(func=cmd_case_actions)

    wd = sub.add_parser("workdays", parents=[common], help=_("working-day arithmetic (no unlock needed)"))
    wsub = wd.add_subparsers(dest="workdays_command", required=True, parser_class=parser_class)
    p = wsub.add_parser("add", parents=[common, as_json], help=_("the N-th working day after START"))
    p.add_argument("start", type=_iso_date, metavar="START")
    p.add_argument("n", type=_count, metavar="N")
    p.set_defaults(func=cmd_workdays_add)
    p = wsub.add_parser("between", parents=[common, as_json], help=_("working days after A up to and including B"))
    p.add_argument("a", type=_iso_date, metavar="A")
    p.add_argument("b", type=_iso_date, metavar="B")
    p.set_defaults(func=cmd_workdays_between)
