"""The ``fzmediate`` command: a thin shell over ``fzmediate.services``.

Exit codes: 0 success, 1 refused operation (one localized line on stderr), 2 usage error, 130 interrupted.
Whatever goes wrong, the user sees one line and never a traceback (:mod:`fzmediate.guard`); output cut
short by a closed pipe (``fzmediate case list | head``) ends quietly.

The global options ``--data-dir``, ``--user``, ``--lang`` and ``--json`` may stand before or after the
sub-command (``fzmediate --data-dir D init`` = ``fzmediate init --data-dir D``); given twice, the later one
wins. ``--json`` is refused by commands that have no JSON output.

Passwords come from an interactive prompt or, for automation, ``FZMEDIATE_PASSWORD`` (acting user) and
``FZMEDIATE_NEW_PASSWORD`` (a password being set, including the first administrator's at ``init``).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, NoReturn

from fzmediate.cli_args import prescan as _prescan
from fzmediate.errors import UsageError
from fzmediate.guard import one_line, run_guarded
from fzmediate.i18n import _, set_locale
from fzmediate.logsetup import configure_logging
from fzmediate.paths import default_data_dir
from fzmediate.security.masking import mask_address, mask_id_number, mask_name, mask_phone
from fzmediate.security.roles import role_label
from fzmediate.services.dto import UserInfo
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace

log = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line: what is wrong and where to read how it is done (the usage text is in --help)."""
        print(
            one_line(_("{prog}: usage error: {detail} (see {prog} --help)").format(prog=self.prog, detail=message)),
            file=sys.stderr,
        )
        raise SystemExit(2)


def _password_from(env: str, prompt: str, *, confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise UsageError(_("No password given: type it at a terminal or set {env}.").format(env=env))
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass(_("Repeat the password: ")) != first:
        raise UsageError(_("The two passwords differ."))
    return first


def _workspace(args: argparse.Namespace) -> Workspace:
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    configure_logging(data_dir / "logs")
    return Workspace(data_dir)


def _session(args: argparse.Namespace, *, inspect: bool = False) -> Session:
    if not args.user:
        raise UsageError(_("Name the acting user with --user NAME."))
    ws = _workspace(args)
    ws.require_initialized()
    password = _password_from("FZMEDIATE_PASSWORD", _("Password for {user}: ").format(user=args.user))
    return ws.unlock(args.user, password, inspect=inspect)


def print_json(data: Any) -> None:
    """``data`` as indented JSON; text that cannot be UTF-8 (a lone surrogate stored long ago) is escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, ensure_ascii=True, indent=2, default=str)
    print(text)


def _emit(args: argparse.Namespace, data: Any, text: Callable[[], str]) -> None:
    if getattr(args, "json", False):
        print_json(data)
    else:
        print(text())


def _masked_user(u: UserInfo) -> dict[str, Any]:
    """Lists are not legal documents: personal fields are masked (DESIGN.md, Security and privacy)."""
    d = asdict(u)
    d["role"] = u.role.value
    d["full_name"] = mask_name(u.full_name) if u.full_name else ""
    d["phone"] = mask_phone(u.phone) if u.phone else ""
    d["id_number"] = mask_id_number(u.id_number) if u.id_number else ""
    d["address"] = mask_address(u.address) if u.address else ""
    return d


# --- commands ----------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    ws = _workspace(args)
    password = _password_from(
        "FZMEDIATE_NEW_PASSWORD", _("New password for {user}: ").format(user=args.admin), confirm=True
    )
    result = ws.initialize(args.admin, password, full_name=args.full_name or "", unit=args.unit or "")
    print(_("Store created. Administrator: {login}.").format(login=result.admin.login))
    print(_("Recovery code (shown only this once; print it and give it to the supervisor to seal):"))
    print("    " + result.recovery_code)
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    new_pw = _password_from(
        "FZMEDIATE_NEW_PASSWORD", _("Password for the new user {user}: ").format(user=args.name), confirm=True
    )
    with _session(args) as s:
        u = s.users.add(
            args.name,
            args.role,
            new_pw,
            legally_qualified=args.legally_qualified,
            full_name=args.full_name or "",
            phone=args.phone or "",
            id_type=args.id_type or "",
            id_number=args.id_number or "",
            address=args.address or "",
        )
    _emit(
        args,
        _masked_user(u),
        lambda: _("User {login} added ({role}).").format(login=u.login, role=role_label(u.role)),
    )
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    with _session(args) as s:
        users = s.users.list(include_removed=args.all)
    rows = [_masked_user(u) for u in users]

    def text() -> str:
        lines = []
        for r, u in zip(rows, users, strict=True):
            flag = " ⚖" if u.legally_qualified else ""
            state = "" if u.active else " " + _("(removed)")
            lines.append("{0:<20} {1:<12} {2}{3}{4}".format(u.login, role_label(u.role), r["full_name"], flag, state))
        return "\n".join(lines)

    _emit(args, rows, text)
    return 0


def cmd_user_remove(args: argparse.Namespace) -> int:
    with _session(args) as s:
        s.users.remove(args.name)
    print(_("User {login} removed; the store was re-encrypted with a new key.").format(login=args.name))
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    new_pw = _password_from(
        "FZMEDIATE_NEW_PASSWORD", _("New password for {user}: ").format(user=args.name), confirm=True
    )
    with _session(args) as s:
        s.users.set_password(args.name, new_pw)
    print(_("Password of {login} changed.").format(login=args.name))
    return 0


def cmd_user_regrant(args: argparse.Namespace) -> int:
    with _session(args) as s:
        u = s.users.regrant(args.name)
    print(_("The role of {login} ({role}) is signed again by {admin}.").format(
        login=u.login, role=role_label(u.role), admin=args.user))  # fmt: skip
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from fzmediate.services.anchors import read_anchor_file

    anchors = [read_anchor_file(Path(a)) for a in args.anchor or []]
    # Opened for inspection: a store whose signatures fail is still read, so that check can name what failed.
    with _session(args, inspect=True) as s:
        report = s.maintenance.check(anchors, deep=args.deep)
    data = {"ok": report.ok, "problems": list(report.problems), "audit_events": report.audit_events}

    def text() -> str:
        if report.ok:
            return _("Check passed: database pages intact, audit chain of {n} events intact.").format(
                n=report.audit_events
            )
        return "\n".join(report.problems)

    if report.ok or args.json:
        _emit(args, data, text)
    else:
        print(text(), file=sys.stderr)
    return 0 if report.ok else 1


def cmd_backup(args: argparse.Namespace) -> int:
    with _session(args) as s:
        info = s.maintenance.backup(Path(args.out))
    _emit(
        args,
        {"path": str(info.path), "created_at": info.created_at, "schema": info.schema, "size": info.size},
        lambda: _("Encrypted backup written: {path} ({size} bytes).").format(path=info.path, size=info.size),
    )
    return 0


def _backup_password(login: str, default: str) -> str:
    """The password valid in the backup: ``FZMEDIATE_BACKUP_PASSWORD``, else asked (Enter: the same), else the same."""
    value = os.environ.get("FZMEDIATE_BACKUP_PASSWORD")
    if value is not None:
        return value
    if sys.stdin.isatty():
        typed = getpass.getpass(_("Password of {user} in the backup (Enter: the same as above): ").format(user=login))
        return typed or default
    return default


def cmd_restore(args: argparse.Namespace) -> int:
    """Two logins may be involved: ``--user``, an administrator of the current store, authorises replacing
    it; ``--backup-user`` (default: the same login) opens the backup and must be an administrator in it."""
    ws = _workspace(args)
    backup_user = args.backup_user or args.user
    if ws.is_initialized():
        if not args.user:
            raise UsageError(_("Name an administrator of the current store with --user NAME."))
        password = _password_from("FZMEDIATE_PASSWORD", _("Password for {user}: ").format(user=args.user))
        kept = ws.restore(
            Path(args.input),
            args.user,
            password,
            backup_login=backup_user,
            backup_password=_backup_password(backup_user, password),
            replace_store=args.replace_store,
        )
    else:
        if not backup_user:
            raise UsageError(_("Name an administrator of the backed-up store with --user NAME."))
        password = os.environ.get("FZMEDIATE_BACKUP_PASSWORD") or _password_from(
            "FZMEDIATE_PASSWORD", _("Password for {user}: ").format(user=backup_user)
        )
        kept = ws.restore(Path(args.input), backup_user, password)
    print(_("Backup restored."))
    if kept is not None:
        print(_("The store it replaced was kept in {path}.").format(path=kept))
    return 0


def cmd_recover(args: argparse.Namespace) -> int:
    ws = _workspace(args)
    if not args.user:
        raise UsageError(_("Name the acting user with --user NAME."))
    code = _password_from("FZMEDIATE_RECOVERY_CODE", _("Recovery code: "))
    new_pw = _password_from(
        "FZMEDIATE_NEW_PASSWORD", _("New password for {user}: ").format(user=args.user), confirm=True
    )
    new_code = ws.recover(code, args.user, new_pw)
    print(_("Password of {login} reset.").format(login=args.user))
    print(_("The old recovery code no longer works. New recovery code (shown only this once):"))
    print("    " + new_code)
    return 0


# --- parser ------------------------------------------------------------------------------------
def _global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR", help=_("data directory (default: per-user app data)"))
    parser.add_argument("--user", metavar="NAME", help=_("acting user"))
    parser.add_argument("--lang", metavar="LOCALE", help=_("language: zh_CN (default), en, zh_TW"))


def build_parser() -> argparse.ArgumentParser:
    """The ``fzmediate`` parser. The global options are declared twice, on purpose, as separate actions: on
    the top parser with their defaults (None, False), and on every sub-parser through ``common`` with
    SUPPRESS, so that a sub-parser only sets what was given after the sub-command and never resets a value
    given before it. (A shared parent would share the action objects, and one default would rule both.)
    """
    common = _Parser(add_help=False, argument_default=argparse.SUPPRESS)
    _global_options(common)
    # Commands with JSON output take --json after the sub-command too; json_capable tells main() it is one.
    as_json = _Parser(add_help=False, argument_default=argparse.SUPPRESS)
    as_json.add_argument("--json", action="store_true", help=_("machine-readable output"))
    as_json.set_defaults(json_capable=True)

    p = _Parser(prog="fzmediate", description=_("Mediation and adjudication desk: command line"))
    _global_options(p)
    p.add_argument("--json", action="store_true", default=False, help=_("machine-readable output (where offered)"))
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    init = sub.add_parser("init", parents=[common], help=_("set up a new encrypted store"))
    init.add_argument("--admin", required=True, metavar="NAME", help=_("user name of the first administrator"))
    init.add_argument("--full-name", help=_("the administrator's real name"))
    init.add_argument("--unit", metavar="CODE", help=_("this desk's organisation unit (see office units)"))
    init.set_defaults(func=cmd_init)

    user = sub.add_parser("user", parents=[common], help=_("manage users"))
    usub = user.add_subparsers(dest="user_command", required=True, parser_class=_Parser)
    add = usub.add_parser("add", parents=[common, as_json], help=_("add a user"))
    add.add_argument("name")
    add.add_argument("--role", required=True, help="admin | supervisor | mediator | kiosk")
    add.add_argument(
        "--legally-qualified",
        action="store_true",
        default=False,
        help=_("supervisor with legal qualification"),
    )
    add.add_argument("--full-name")
    add.add_argument("--phone")
    add.add_argument("--id-type")
    add.add_argument("--id-number")
    add.add_argument("--address")
    add.set_defaults(func=cmd_user_add)
    ls = usub.add_parser("list", parents=[common, as_json], help=_("list users"))
    ls.add_argument("--all", action="store_true", default=False, help=_("include removed users"))
    ls.set_defaults(func=cmd_user_list)
    rm = usub.add_parser("remove", parents=[common], help=_("remove a user and re-key the store"))
    rm.add_argument("name")
    rm.set_defaults(func=cmd_user_remove)
    pw = usub.add_parser("passwd", parents=[common], help=_("change a password"))
    pw.add_argument("name")
    pw.set_defaults(func=cmd_user_passwd)
    rg = usub.add_parser(
        "regrant", parents=[common], help=_("sign a user's role again (after checking it; administrators)")
    )
    rg.add_argument("name")
    rg.set_defaults(func=cmd_user_regrant)

    chk = sub.add_parser("check", parents=[common, as_json], help=_("verify the database and the audit chain"))
    chk.add_argument(
        "--anchor",
        action="append",
        metavar="FILE",
        help=_("an issued PDF or a head receipt whose audit head the chain must still contain (repeatable)"),
    )
    chk.add_argument(
        "--deep",
        action="store_true",
        default=False,
        help=_("also compare every index with its table (SQLite integrity_check; much slower)"),
    )
    chk.set_defaults(func=cmd_check)
    bk = sub.add_parser("backup", parents=[common, as_json], help=_("write an encrypted backup"))
    bk.add_argument("out", metavar="OUT")
    bk.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", parents=[common], help=_("restore an encrypted backup"))
    rs.add_argument("input", metavar="IN")
    rs.add_argument(
        "--backup-user",
        metavar="NAME",
        help=_(
            "administrator in the backup (default: --user); password from FZMEDIATE_BACKUP_PASSWORD "
            "(default: the same as the current one)"
        ),
    )
    rs.add_argument(
        "--replace-store",
        action="store_true",
        default=False,
        help=_("allow a backup of another store to replace the current one (which is kept in backups/)"),
    )
    rs.set_defaults(func=cmd_restore)
    rc = sub.add_parser("recover", parents=[common], help=_("reset a password with the recovery code"))
    rc.set_defaults(func=cmd_recover)

    from fzmediate.cli_cases import register as register_case_commands

    register_case_commands(sub, common, as_json)  # catalogue, case, workdays (fzmediate/cli_cases.py)
    from fzmediate.cli_docs import register as register_doc_commands

    register_doc_commands(sub, common, as_json)  # doc render|verify|list|… (fzmediate/cli_docs.py)
    from fzmediate.cli_kiosk import register as register_kiosk_commands

    register_kiosk_commands(sub, common, as_json)  # office export-key, kiosk …, intake … (fzmediate/cli_kiosk.py)
    from fzmediate.cli_audit import register as register_audit_commands

    register_audit_commands(sub, common, as_json)  # audit anchor|tail (fzmediate/cli_audit.py)
    from fzmediate.cli_sync import register as register_sync_commands

    register_sync_commands(sub, common, as_json)  # enroll, sync (fzmediate/cli_sync.py)
    return p


def _log_dir(argv: Sequence[str]) -> Path:
    data_dir = _prescan(argv, "--data-dir")
    return (Path(data_dir) if data_dir else default_data_dir()) / "logs"


def _check_arguments(argv: Sequence[str]) -> None:
    """Refuse arguments that are not text: bytes that are not UTF-8 reach Python as lone surrogates."""
    for position, arg in enumerate(argv, start=1):
        if any(unicodedata.category(ch) == "Cs" for ch in arg):
            raise UsageError(_("Argument {n} is not valid text (not UTF-8).").format(n=position))


def _run(argv: list[str]) -> int:
    set_locale(_prescan(argv, "--lang"))  # before the parser, so that --help is localized too
    _check_arguments(argv)
    args = build_parser().parse_args(argv)
    if args.json and not getattr(args, "json_capable", False):
        raise UsageError(_("This command has no JSON output: leave out --json."))
    return int(args.func(args))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``fzmediate`` command; return the exit code. Never raises (see :mod:`fzmediate.guard`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    return run_guarded(lambda: _run(args), log_dir=lambda: _log_dir(args))


if __name__ == "__main__":
    raise SystemExit(main())
