"""``fzmediate catalogue …``, ``fzmediate case …`` and ``fzmediate workdays …``: the case sub-commands.

Same conventions as ``fzmediate.cli``: exit 0 success, 1 refused (one localized line on stderr), 2 usage;
``--json`` for machine-readable output. ``case show`` prints the case file with personal data masked (not
audited); ``case show --full`` prints it in full, through the audited read; ``case list`` masks names.

For ``case create`` and ``case act`` the input JSON comes from ``--json FILE`` (``-`` = stdin), which also
switches the output to JSON; ``--payload FILE`` / a positional FILE read it without changing the output.
It is read by :func:`fzmediate.jsonsafe.load_json` (size, nesting, number and character limits; every
refusal one line naming the field) before the store is unlocked, so refused input never reaches the store.

``case show --json`` and ``case act --json`` print personal data masked (names 张某某, ID numbers and phones
starred, addresses cut at the township; ID numbers and phones inside free text starred too) unless
``--full`` is given: the full values come from the audited case-file read (``case.show`` in the audit log).
The masking is the services' (``fzmediate.services.case_views.mask_detail``): the desk browses the same view.

Text output is for people: states, acts, time limits, deadline statuses and case kinds are shown in words
(the district's labels from the case's pinned procedure definition and matter, or gettext for our own), and
columns are padded by display width (a CJK character takes two columns). JSON output keeps the codes, with
the labels alongside (``state`` and ``state_label`` …): scripts rely on the codes. Action and matter codes
stay visible where a command takes them as arguments (``case actions``, ``catalogue list``).

``case describe-actions`` (not listed in the help) prints the Markdown reference of every act, its payload
and an example, generated from the act forms of the shipped catalogue: docs/case-actions.md
(:mod:`fzmediate.cli_describe`).
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from fzmediate.catalogue.localize import localized
from fzmediate.cli_describe import cmd_case_describe_actions
from fzmediate.cli_describe import describe_actions as describe_actions
from fzmediate.cli_describe import shipped_definitions as shipped_definitions
from fzmediate.domain.case import party_role_label
from fzmediate.domain.identity import id_type_label
from fzmediate.domain.intake import MAX_INTAKE_BYTES
from fzmediate.errors import UsageError, ValidationError
from fzmediate.i18n import _
from fzmediate.jsonsafe import load_json
from fzmediate.procedure.calendar import WorkCalendar
from fzmediate.procedure.clock import Unit, add_working_days, describe, working_days_between
from fzmediate.procedure.engine import DeadlineInfo
from fzmediate.services.case_views import (
    CaseDetail,
    CaseSummary,
    case_kind_label,
    deadline_status_label,
    jsonable,
    masked_detail,
)
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


#: An act's data: a few fields of at most 50,000 characters each.
MAX_PAYLOAD_BYTES = 2 * 1024 * 1024
_ACTION_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _action_code(text: str) -> str:
    if not _ACTION_CODE.fullmatch(text):
        raise argparse.ArgumentTypeError(_("expected an action code such as accept (see case actions ID)"))
    return text


def _read_input(source: str, limit: int) -> bytes:
    """The bytes of FILE, or of stdin for ``-``; at most ``limit`` + 1 are read, so a huge input is never
    held in memory (the JSON reader then refuses it as too large)."""
    if source == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is not None:
            data: bytes = stream.read(limit + 1)
            return data
        return sys.stdin.read(limit + 1).encode("utf-8", "surrogatepass")
    try:
        with Path(source).open("rb") as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        raise UsageError(
            _("Cannot read {name}: {problem}").format(name=Path(source).name, problem=exc.strerror)
        ) from None


def read_json_input(source: str, *, what: str, limit: int) -> Any:
    """The JSON document of FILE (``-`` = stdin), decoded by :func:`fzmediate.jsonsafe.load_json`."""
    return load_json(_read_input(source, limit), what=what, max_bytes=limit)


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
    _base().print_json(jsonable(data))


def _emit(as_json: bool, data: Any, text: Callable[[], str]) -> None:
    if as_json:
        _print_json(data)
    else:
        print(text())


# --- text layout -------------------------------------------------------------------------------
def text_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: East Asian wide and fullwidth characters take two, combining
    marks and invisible format characters none (``unicodedata.east_asian_width``)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` display columns (never cut)."""
    return text + " " * max(0, width - text_width(text))


def table(rows: Iterable[Sequence[str]], gap: str = "  ") -> list[str]:
    """Rows as lines with every column but the last padded to its widest cell (by display width)."""
    grid = [list(r) for r in rows]
    count = max((len(r) for r in grid), default=0)
    widths = [max((text_width(r[i]) for r in grid if i < len(r)), default=0) for i in range(count)]
    lines = []
    for row in grid:
        cells = [pad(cell, widths[i]) if i < len(row) - 1 else cell for i, cell in enumerate(row)]
        lines.append(gap.join(cells).rstrip())
    return lines


def _marked(text: str, mark: str) -> str:
    """``text`` and a remark such as （暂定）: a fullwidth bracket brings its own spacing, others get a space."""
    wide = bool(mark) and unicodedata.east_asian_width(mark[0]) in ("W", "F")
    return text + ("" if wide else " ") + mark


def _due_text(due: date | None, provisional: bool, *, overdue: bool = False) -> str:
    if due is None:
        return "—"
    text = due.isoformat()
    if provisional:
        text = _marked(text, _("(provisional)"))
    if overdue:
        text = _marked(text, _("(overdue)"))
    return text


def _next_due_text(label: str, due: date | None, provisional: bool, *, overdue: bool = False) -> str:
    """The next deadline in words: "调解期限 2026-12-28", "—" when nothing is owed."""
    if due is None:
        return "—"
    return "{0} {1}".format(localized(label), _due_text(due, provisional, overdue=overdue)).strip()


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
                    bundle=info.bundle_id, version=info.version, label=localized(info.label)
                )
            )
        lines.extend(table([m.code, case_kind_label(m.kind), localized(m.name)] for m in matters))
        return "\n".join(lines)

    _emit(args.json, [{**jsonable(m), "kind_label": case_kind_label(m.kind)} for m in matters], text)
    return 0


def cmd_catalogue_show(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        matter = s.catalogue.show(args.code)
    data = matter.model_dump(mode="json")

    def text() -> str:
        lines = [
            "{0}  {1}  {2}".format(matter.code, localized(matter.name), case_kind_label(matter.kind)),
            localized(matter.guide.summary),
            "",
        ]
        lines.append(_("Implementing body: {body}").format(body=localized(matter.implementing_body)))
        lines.append(_("Legal basis:"))
        lines.extend("  {0} {1}".format(localized(b.law), localized(b.article)) for b in matter.legal_basis)
        lines.append(_("Time limits:"))
        rows = []
        for t in matter.time_limits:
            row = ["  " + localized(t.label), describe(t.amount, Unit(t.unit))]
            if t.extendable_by is not None:
                ext = t.extendable_by
                row.append(_("may be extended by {period}").format(period=describe(ext.amount, Unit(ext.unit))))
            rows.append(row)
        lines.extend(table(rows))
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
def _summary_lines(rows: Sequence[CaseSummary], today: date) -> list[str]:
    """One aligned line per case: number, state, received, next deadline, matter, parties (masked)."""
    return table(
        [
            c.number,
            localized(c.state_label),
            c.received_on.isoformat(),
            _next_due_text(c.next_due_label, c.next_due, c.next_due_provisional, overdue=c.overdue(today)),
            localized(c.matter_name),
            "、".join(c.applicants) + " / " + "、".join(c.respondents),
        ]
        for c in rows
    )


def cmd_case_create(args: argparse.Namespace) -> int:
    source, as_json = _input_and_format(args, required=True)
    assert source is not None
    data = read_json_input(source, what=_("Intake data"), limit=MAX_INTAKE_BYTES)
    with _base()._session(args) as s:
        summary = s.cases.create(data, confirm_duplicate=args.confirm_duplicate)
    _emit(
        as_json,
        summary,
        lambda: _("Case {number} registered (id {id}).").format(number=summary.number, id=summary.id),
    )
    return 0


def _detail_text(d: CaseDetail, today: date) -> str:
    lines = [
        "{0}  ({1})".format(d.number, d.id),
        _("Matter: {code} {name} (catalogue {bundle} version {version})").format(
            code=d.matter_code, name=localized(d.matter_name), bundle=d.bundle_id, version=d.bundle_version
        ),
        _("State: {state}; received on {day}; version {version}").format(
            state=localized(d.state_label), day=d.received_on.isoformat(), version=d.version
        ),
        _("Next deadline: {deadline}").format(
            deadline=_next_due_text(d.next_due_label, d.next_due, d.next_due_provisional, overdue=d.overdue(today))
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
    lines.extend(
        table(
            ["  {0}.".format(e.seq), e.on.isoformat(), localized(e.action_label), "({0})".format(e.actor)]
            for e in d.events
        )
    )
    return "\n".join(lines)


def cmd_case_show(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        # Masked and not audited by default; in full only on request, through the audited read.
        detail = s.cases.reveal(args.case) if args.full else s.cases.view(args.case)
        today = s.cases.today()
    _emit(args.json, detail, lambda: _detail_text(detail, today))
    return 0


def cmd_case_list(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        rows = s.cases.list(args.query, overdue=args.overdue, limit=args.limit, offset=args.offset)
        today = s.cases.today()
    _emit(args.json, rows, lambda: "\n".join(_summary_lines(rows, today)) or _("No cases."))
    return 0


def cmd_case_act(args: argparse.Namespace) -> int:
    source, as_json = _input_and_format(args, required=False)
    payload: dict[str, Any] = {}
    if source is not None:
        loaded = read_json_input(source, what=_("Action data"), limit=MAX_PAYLOAD_BYTES)
        if not isinstance(loaded, dict):
            raise ValidationError(_("Payload: expected a JSON object."))
        payload = loaded
    with _base()._session(args) as s:
        detail = s.cases.act(
            args.case,
            args.action,
            payload,
            on=args.on,
            late_reason=args.late_reason or "",
            out_of_order_reason=args.out_of_order_reason or "",
        )
        if as_json and args.full:
            detail = s.cases.get(detail.id)  # full values only through the audited read
        today = s.cases.today()
    done = detail.events[-1]
    _emit(
        as_json,
        detail if args.full else masked_detail(detail),
        lambda: _("{number}: {action} recorded; state {state}; next deadline {deadline}.").format(
            number=detail.number,
            action=localized(done.action_label),
            state=localized(detail.state_label),
            deadline=_next_due_text(
                detail.next_due_label, detail.next_due, detail.next_due_provisional, overdue=detail.overdue(today)
            ),
        ),
    )
    return 0


def cmd_case_deadlines(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        rows = s.cases.deadlines(args.case, args.today)

    def text() -> str:
        return "\n".join(_deadline_lines(rows)) or _("No deadlines.")

    data = [{**jsonable(d), "status_label": deadline_status_label(d.status, late=d.late)} for d in rows]
    _emit(args.json, data, text)
    return 0


def _deadline_lines(rows: Sequence[DeadlineInfo]) -> list[str]:
    """Label, status, due date (（暂定） when provisional), period; overdue ones flagged with "!"."""
    return table(
        [
            "!" if d.status == "overdue" else " ",
            localized(d.label),
            deadline_status_label(d.status, late=d.late),
            _due_text(d.due, d.provisional),
            localized(d.basis),
        ]
        for d in rows
    )


def cmd_case_actions(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        rows = s.cases.available_actions(args.case)

    def text() -> str:
        # The label for people, the code for `case act ID ACTION`, and why not.
        return "\n".join(
            table(["✓" if a.allowed else "✗", localized(a.label), a.name, _("; ").join(a.reasons)] for a in rows)
        )

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
        metavar="FILE",
        help=_("machine-readable output; with FILE, also read the input JSON from FILE (- = stdin)"),
    )
    in_json.set_defaults(json_capable=True)
    full = parser_class(add_help=False, argument_default=argparse.SUPPRESS)
    full.add_argument(
        "--full",
        action="store_true",
        default=False,
        help=_("personal data in full (the read is audited); masked without it"),
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
    p.add_argument(
        "--confirm-duplicate",
        action="store_true",
        default=False,
        help=_("register even though the application matches an open case"),
    )
    p.set_defaults(func=cmd_case_create)
    p = ksub.add_parser(
        "show",
        parents=[common, as_json, full],
        help=_("show the case file (personal data masked unless --full, which is audited)"),
    )
    p.add_argument("case", metavar="ID")
    p.set_defaults(func=cmd_case_show)
    p = ksub.add_parser("list", parents=[common, as_json], help=_("list cases (names masked)"))
    p.add_argument("--query", metavar="TEXT", help=_("case number, party name, ID number or phone"))
    p.add_argument("--overdue", action="store_true", default=False, help=_("only cases past their next deadline"))
    p.add_argument("--limit", type=_count, default=50)
    p.add_argument("--offset", type=_count, default=0)
    p.set_defaults(func=cmd_case_list)
    p = ksub.add_parser("act", parents=[common, in_json, full], help=_("record a procedure action"))
    p.add_argument("case", metavar="ID")
    p.add_argument("action", metavar="ACTION", type=_action_code)
    p.add_argument("--payload", metavar="FILE", help=_("the action's data as a JSON object (- = stdin)"))
    p.add_argument("--on", type=_iso_date, metavar="YYYY-MM-DD", help=_("date of the act (default: today)"))
    p.add_argument("--late-reason", metavar="TEXT", help=_("why an act dated before today is entered late (补录)"))
    p.add_argument("--out-of-order-reason", metavar="TEXT", help=_("why an act is dated before the previous act"))
    p.set_defaults(func=cmd_case_act, on=None, payload=None, late_reason=None, out_of_order_reason=None)
    p = ksub.add_parser("deadlines", parents=[common, as_json], help=_("the case's deadlines"))
    p.add_argument("case", metavar="ID")
    p.add_argument("--today", type=_iso_date, metavar="YYYY-MM-DD", help=_("count as of this date"))
    p.set_defaults(func=cmd_case_deadlines, today=None)
    p = ksub.add_parser("actions", parents=[common, as_json], help=_("what can be done next"))
    p.add_argument("case", metavar="ID")
    p.set_defaults(func=cmd_case_actions)
    from fzmediate.cli_case_keeping import register_keeping

    register_keeping(ksub, common, as_json)
    # Hidden (no help, left out of the list of commands): prints docs/case-actions.md.
    listed = "{" + ",".join(ksub.choices) + "}"
    p = ksub.add_parser("describe-actions", parents=[common])
    p.add_argument("procedure", nargs="?", metavar="PROCEDURE")
    p.set_defaults(func=cmd_case_describe_actions)
    ksub.metavar = listed

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
