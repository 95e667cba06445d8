"""``fzmediate office export-key``, ``fzmediate kiosk …`` and ``fzmediate intake …``: applications filed at a kiosk.

Same conventions as ``fzmediate.cli``: exit 0 success, 1 refused (one localized line on stderr), 2 usage;
``--json`` for machine-readable output.

Desk:

* ``office export-key --out FILE`` (mediators, supervisors): the office's public intake key in a file signed
  with the office's document-signing key (0600); prints the signer's fingerprint, which kiosk staff confirm for
  an office the district has not certified yet.
* ``intake import FILE``: store the applications of a kiosk's export file, still sealed (idempotent).
* ``intake list [--status S | --all]``, ``intake register APPLICATION_ID``,
  ``intake reject APPLICATION_ID --reason TEXT``: need a mediator's or supervisor's share of the intake key.

Kiosk (its own data directory; the staff password from ``FZMEDIATE_PASSWORD``, at set-up
``FZMEDIATE_NEW_PASSWORD``):

* ``kiosk init --office-key FILE [--trust-uncertified FINGERPRINT]``;
* ``kiosk export-applications FILE [--all]`` (0600), ``kiosk status``;
* ``kiosk enroll --server URL --code CODE [--ca FILE] [--label TEXT]`` (a code issued with ``--role kiosk``),
  ``kiosk sync [--json]``: send the waiting applications to the district server (``fzmediate.sync.kiosk_push``);
  the export file stays the offline fallback.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any, Final

from fzmediate.errors import UsageError
from fzmediate.i18n import _

SubParsers = Any  # argparse's _SubParsersAction is private


def _base() -> Any:
    from fzmediate import cli

    return cli


def _data_dir(args: argparse.Namespace) -> Path:
    from fzmediate.logsetup import configure_logging
    from fzmediate.paths import default_data_dir

    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    configure_logging(data_dir / "logs")
    return data_dir


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(
            _("Cannot read {name}: {problem}").format(name=Path(path).name, problem=exc.strerror)
        ) from None


def _grouped(fingerprint: str) -> str:
    """A fingerprint in groups of four, easier to read aloud and compare."""
    return " ".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))


# --- desk: the office key ----------------------------------------------------------------------
def cmd_office_export_key(args: argparse.Namespace) -> int:
    from fzmediate.services.office_intake import OfficeIntake

    with _base()._session(args) as s:
        exported = OfficeIntake(s).export_key(Path(args.out))
    data = {
        "path": str(exported.path),
        "key_id": exported.key_id,
        "key_fingerprint": exported.key_fingerprint,
        "signer_fingerprint": exported.signer_fingerprint,
        "certified": exported.certified,
    }
    if args.json:
        _print_json(data)
        return 0
    print(_("Office intake key written to {path}.").format(path=exported.path))
    print(_("Signer fingerprint (SHA-256): {fingerprint}").format(fingerprint=_grouped(exported.signer_fingerprint)))
    if not exported.certified:
        print(
            _(
                "The district has not certified this office's signing key: kiosk staff must confirm this fingerprint "
                "with --trust-uncertified."
            )
        )
    return 0


# --- desk: the inbox -----------------------------------------------------------------------------
def cmd_intake_import(args: argparse.Namespace) -> int:
    from fzmediate.services.intake_inbox import IntakeInbox

    with _base()._session(args) as s:
        result = IntakeInbox(s).import_file(Path(args.file))
    if args.json:
        _print_json(asdict(result))
    else:
        print(
            _("Imported {added} sealed applications ({already} were already here).").format(
                added=result.added, already=result.already
            )
        )
    return 0


def cmd_intake_list(args: argparse.Namespace) -> int:
    from fzmediate.services.intake_inbox import IntakeInbox, status_label

    with _base()._session(args) as s:
        entries = IntakeInbox(s).list(None if args.all else args.status)
    if args.json:
        _print_json([asdict(e) for e in entries])
        return 0
    if not entries:
        print(_("No sealed application in the inbox."))
        return 0
    for e in entries:
        names = "、".join(e.applicants) if e.readable else _("(does not open: damaged or altered)")
        print(
            "{0}  {1}  {2}  {3}  {4}  {5}".format(
                e.application_id, e.number or "-", e.submitted_at[:10] or "-", e.matter_code or "-",
                status_label(e.status), names,
            )
        )  # fmt: skip
    return 0


def cmd_intake_register(args: argparse.Namespace) -> int:
    from fzmediate.services.intake_inbox import IntakeInbox

    with _base()._session(args) as s:
        summary = IntakeInbox(s).register(args.application, confirm_duplicate=args.confirm_duplicate)
    if args.json:
        _print_json({"application_id": args.application, "case_id": summary.id, "number": summary.number})
    else:
        print(_("Application registered as case {number} ({id}).").format(number=summary.number, id=summary.id))
    return 0


def cmd_intake_reject(args: argparse.Namespace) -> int:
    from fzmediate.services.intake_inbox import IntakeInbox

    with _base()._session(args) as s:
        IntakeInbox(s).reject(args.application, args.reason)
    print(_("Application {id} rejected.").format(id=args.application))
    return 0


# --- kiosk ---------------------------------------------------------------------------------------
def _kiosk(args: argparse.Namespace) -> Any:
    from fzmediate.services.kiosk import KioskDevice

    device = KioskDevice(_data_dir(args))
    password = _base()._password_from("FZMEDIATE_PASSWORD", _("Kiosk staff password: "))
    return device.open(password)


def cmd_kiosk_init(args: argparse.Namespace) -> int:
    from fzmediate.services.kiosk import KioskDevice

    key_file = _read(args.office_key)
    device = KioskDevice(_data_dir(args))
    password = _base()._password_from("FZMEDIATE_NEW_PASSWORD", _("New kiosk staff password: "), confirm=True)
    setup = device.initialize(password, key_file, trust_uncertified=args.trust_uncertified)
    if args.json:
        _print_json(asdict(setup))
        return 0
    print(_("Kiosk store created (device {device}).").format(device=setup.device_id))
    if setup.trust == "certified":
        print(_("Applications will be sealed to {office} (certified by the district).").format(office=setup.office))
    else:
        print(
            _("Applications will be sealed to {office} (not certified; fingerprint confirmed by staff).").format(
                office=setup.office
            )
        )
    return 0


def cmd_kiosk_export(args: argparse.Namespace) -> int:
    with _kiosk(args) as kiosk:
        result = kiosk.export_applications(Path(args.file), include_exported=args.all)
    if args.json:
        _print_json({"path": str(result.path) if result.path else None, "count": result.count})
    elif result.count == 0:
        print(_("No application is waiting for export; no file was written."))
    else:
        print(_("{count} sealed applications written to {path}.").format(count=result.count, path=result.path))
    return 0


def cmd_kiosk_status(args: argparse.Namespace) -> int:
    with _kiosk(args) as kiosk:
        status = kiosk.status()
    if args.json:
        _print_json(asdict(status))
    else:
        print(
            _("{pending} sealed applications wait for export; {exported} were exported.").format(
                pending=status.pending, exported=status.exported
            )
        )
    return 0


def cmd_kiosk_enroll(args: argparse.Namespace) -> int:
    from fzmediate.cli_sync import transport_for_cli
    from fzmediate.sync.kiosk_push import enroll_kiosk

    ca_pem = None
    if args.ca:
        try:
            ca_pem = Path(args.ca).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            raise UsageError(_("Cannot read the CA file {name}.").format(name=Path(args.ca).name)) from None
    with _kiosk(args) as kiosk:
        result = enroll_kiosk(
            kiosk, args.server, args.code, ca_pem=ca_pem, label=args.label, transport=transport_for_cli()
        )
    data = {"device_id": result.device_id, "unit": result.unit, "unit_name": result.unit_name,
            "device_code": result.device_code, "server": result.server_url}  # fmt: skip
    if args.json:
        _print_json(data)
        return 0
    print(
        _("Enrolled with {server}: unit {unit} ({unit_name}), device code {code}.").format(
            server=result.server_url, unit=result.unit, unit_name=result.unit_name, code=result.device_code
        )
    )
    return 0


def cmd_kiosk_sync(args: argparse.Namespace) -> int:
    from fzmediate.cli_sync import transport_for_cli
    from fzmediate.sync.kiosk_push import sync_kiosk

    with _kiosk(args) as kiosk:
        report = sync_kiosk(kiosk, transport=transport_for_cli())
    if args.json:
        _print_json(report.as_dict())
        return 0
    print(
        _("Sent {sent} sealed applications ({duplicate} the server already held); {waiting} still wait.").format(
            sent=report.sent, duplicate=report.duplicate, waiting=report.waiting
        )
    )
    if report.refused:
        codes = ", ".join("{0} {1}".format(code, n) for code, n in sorted(report.reasons.items()))
        print(
            _(
                "The server refused {count} applications ({codes}); they stay on this kiosk: export them to a file "
                "for the office."
            ).format(count=report.refused, codes=codes)
        )
    if report.catalogue:
        print(_("The district's newer catalogue was installed on this kiosk."))
    if report.too_large:
        print(
            _("{count} applications are too large to send; export them to a file for the office.").format(
                count=report.too_large
            )
        )
    return 0


# --- parser ------------------------------------------------------------------------------------
def _group(sub: SubParsers, name: str, common: argparse.ArgumentParser, help_text: str) -> SubParsers:
    """The sub-command group ``name``, created here or reused when another module made it first."""
    existing = sub.choices.get(name)
    if existing is not None:
        for action in existing._actions:
            if isinstance(action, argparse._SubParsersAction):
                return action
    group = sub.add_parser(name, parents=[common], help=help_text)
    return group.add_subparsers(dest=name + "_command", required=True, parser_class=type(common))


#: The ``fzmediate kiosk …`` commands: ``main.py kiosk`` followed by one of these is the command line, not the
#: kiosk's screen (tests/unit/test_main_routing.py keeps this in step with the parser).
KIOSK_COMMANDS: Final = frozenset({"init", "export-applications", "status", "enroll", "sync"})


def register(sub: SubParsers, common: argparse.ArgumentParser, as_json: argparse.ArgumentParser) -> None:
    """Add ``office export-key``, ``kiosk …`` and ``intake …`` to the ``fzmediate`` parser."""
    office = _group(sub, "office", common, _("the office: its keys"))
    p = office.add_parser(
        "export-key", parents=[common, as_json], help=_("write the office's signed intake key for kiosks")
    )
    p.add_argument("--out", required=True, metavar="FILE", help=_("the key file to write"))
    p.set_defaults(func=cmd_office_export_key)

    kiosk = _group(sub, "kiosk", common, _("a kiosk device: its own store and sealed applications"))
    p = kiosk.add_parser("init", parents=[common, as_json], help=_("set up a kiosk store"))
    p.add_argument("--office-key", required=True, metavar="FILE", help=_("the key file the desk exported"))
    p.add_argument(
        "--trust-uncertified",
        metavar="FINGERPRINT",
        help=_("accept an office key the district has not certified: the fingerprint the desk printed"),
    )
    p.set_defaults(func=cmd_kiosk_init, trust_uncertified=None)
    p = kiosk.add_parser(
        "export-applications", parents=[common, as_json], help=_("write the sealed applications to a file")
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--all", action="store_true", default=False, help=_("also those exported before"))
    p.set_defaults(func=cmd_kiosk_export)
    p = kiosk.add_parser("status", parents=[common, as_json], help=_("how many applications wait for export"))
    p.set_defaults(func=cmd_kiosk_status)
    p = kiosk.add_parser("enroll", parents=[common, as_json], help=_("enroll this kiosk with the district server"))
    p.add_argument("--server", required=True, metavar="URL", help=_("the district server's address"))
    p.add_argument("--code", required=True, metavar="CODE", help=_("the one-time enrollment code"))
    p.add_argument("--ca", metavar="FILE", help=_("the district CA certificate (PEM) to trust"))
    p.add_argument("--label", default="", metavar="TEXT", help=_("a name for this kiosk in the server's list"))
    p.set_defaults(func=cmd_kiosk_enroll, ca=None)
    p = kiosk.add_parser(
        "sync",
        parents=[common, as_json],
        help=_("send the sealed applications to the district server; fetch its catalogue"),
    )
    p.set_defaults(func=cmd_kiosk_sync)

    intake = _group(sub, "intake", common, _("applications sealed at a kiosk"))
    p = intake.add_parser("import", parents=[common, as_json], help=_("import a kiosk's export file"))
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_intake_import)
    p = intake.add_parser("list", parents=[common, as_json], help=_("the inbox (masked)"))
    p.add_argument("--status", default="pending", help="pending | registered | rejected")
    p.add_argument("--all", action="store_true", default=False, help=_("every status"))
    p.set_defaults(func=cmd_intake_list)
    p = intake.add_parser("register", parents=[common, as_json], help=_("register an application as a case"))
    p.add_argument("application", metavar="APPLICATION_ID")
    p.add_argument(
        "--confirm-duplicate",
        action="store_true",
        help=_("register even though it matches an open case (the warning named the case)"),
    )
    p.set_defaults(func=cmd_intake_register)
    p = intake.add_parser("reject", parents=[common], help=_("reject an application, with the reason"))
    p.add_argument("application", metavar="APPLICATION_ID")
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.set_defaults(func=cmd_intake_reject)
