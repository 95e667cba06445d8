"""``fzmediate enroll`` and ``fzmediate sync``: this desk and the district server (docs/sync-protocol.md).

Same conventions as ``fzmediate.cli``: exit 0 success, 1 refused (one localized line on stderr), 2 usage;
``--json`` for machine-readable output.

* ``enroll --server URL --code CODE [--ca FILE]`` (administrators, once): the one-time code district IT printed;
  ``--ca`` pins the district CA (PEM) for TLS.
* ``sync [--json]``: push this desk's changes, pull the others', and print the counts.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import httpx

from fzmediate.errors import UsageError
from fzmediate.i18n import _

SubParsers = Any  # argparse's _SubParsersAction is private
#: Shown when the learned clock offset is larger than this (seconds; docs/sync-protocol.md).
OFFSET_NOTICE_S = 300.0


def _base() -> Any:
    from fzmediate import cli

    return cli


def transport_for_cli() -> httpx.BaseTransport | None:
    """The transport the commands use: the default (None). Tests replace this to talk to a fake server."""
    return None


def cmd_enroll(args: argparse.Namespace) -> int:
    from fzmediate.services.sync import enroll_desk

    ca_pem = None
    if args.ca:
        try:
            ca_pem = Path(args.ca).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            raise UsageError(_("Cannot read the CA file {name}.").format(name=Path(args.ca).name)) from None
    with _base()._session(args) as s:
        result = enroll_desk(s, args.server, args.code, ca_pem=ca_pem, transport=transport_for_cli())
    data = {
        "device_id": result.device_id,
        "unit": result.unit,
        "unit_name": result.unit_name,
        "device_code": result.device_code,
        "server": result.server_url,
    }
    if args.json:
        _base().print_json(data)
        return 0
    print(
        _("Enrolled with {server}: unit {unit} ({unit_name}), device code {code}.").format(
            server=result.server_url, unit=result.unit, unit_name=result.unit_name, code=result.device_code
        )
    )
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from fzmediate.gc_tuning import bulk_work
    from fzmediate.services.sync import run

    with _base()._session(args) as s, bulk_work():  # unlocked, catalogue loaded: thousands of changes next
        report = run(s, transport=transport_for_cli())
    if args.json:
        _base().print_json(report.as_dict())
        return 0
    print(
        _("Sent {pushed} changes, received {pulled}; {conflicts} conflicts, {errors} errors.").format(
            pushed=report.pushed, pulled=report.pulled, conflicts=report.conflicts, errors=report.errors
        )
    )
    if report.applications:
        print(_("{count} applications filed at kiosks arrived in the intake inbox.").format(count=report.applications))
    if report.conflicts:
        print(_("Conflicting changes were kept on both sides; a person must decide which value stands."))
    if abs(report.clock_offset_s) > OFFSET_NOTICE_S:
        print(
            _("This computer's clock differs from the server's by {minutes} minutes; please correct it.").format(
                minutes=round(report.clock_offset_s / 60)
            )
        )
    if report.up_to_date:
        print(_("This desk is up to date."))
    return 0


def register(sub: SubParsers, common: argparse.ArgumentParser, as_json: argparse.ArgumentParser) -> None:
    """Add ``enroll`` and ``sync`` to the ``fzmediate`` parser."""
    p = sub.add_parser("enroll", parents=[common, as_json], help=_("enroll this desk with the district server"))
    p.add_argument("--server", required=True, metavar="URL", help=_("the district server's address"))
    p.add_argument("--code", required=True, metavar="CODE", help=_("the one-time enrollment code"))
    p.add_argument("--ca", metavar="FILE", help=_("the district CA certificate (PEM) to trust"))
    p.set_defaults(func=cmd_enroll, ca=None)
    p = sub.add_parser("sync", parents=[common, as_json], help=_("exchange changes with the district server"))
    p.set_defaults(func=cmd_sync)
