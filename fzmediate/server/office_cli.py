"""``fzmediate-server certify-office``: district IT certifies the office keys desks asked for (docs/trust.md,
docs/sync-protocol.md "Office certificates").

The district root key is read from the operator's file for this one run (a password is asked for when the
file is encrypted) and never stored by the server. Exit codes: 0 every selected request certified (or none
waiting), 1 at least one refused (each is reported), 2 usage error.
"""

from __future__ import annotations

import argparse
import getpass
import json
from pathlib import Path
from typing import Any, Final

from fzmediate.errors import UsageError
from fzmediate.guard import one_line
from fzmediate.i18n import _

#: A key or certificate file is a few KiB; anything far larger is not one.
MAX_PEM_BYTES: Final = 1 << 20


def register(sub: Any) -> None:
    """Add ``certify-office`` to the ``fzmediate-server`` sub-commands."""
    p = sub.add_parser(
        "certify-office", help=_("certify the office keys desks sent requests for, with the district root key")
    )
    p.add_argument("--root-key", metavar="KEY.pem", help=_("the district root (or intermediate) private key"))
    p.add_argument("--root-cert", metavar="ROOT.pem", help=_("the certificate of that key"))
    which = p.add_mutually_exclusive_group()
    which.add_argument("--device", metavar="DEVICE", help=_("only this device (device id or device code)"))
    which.add_argument("--unit", metavar="UNIT", help=_("only the desks of this unit"))
    which.add_argument("--all", action="store_true", help=_("every waiting request"))
    p.add_argument("--days", type=int, default=None, metavar="N", help=_("validity in days (default: five years)"))
    p.add_argument("--list", action="store_true", help=_("only list the waiting requests"))
    p.add_argument("--json", action="store_true", help=_("output JSON"))
    p.set_defaults(func=certify_office)


def _read(path: str) -> bytes:
    try:
        with Path(path).open("rb") as handle:
            return handle.read(MAX_PEM_BYTES)
    except OSError as exc:
        raise UsageError(
            _("Cannot read {name}: {problem}").format(name=Path(path).name, problem=exc.strerror)
        ) from None


def _root_key(path: str) -> Any:
    """The private key in ``path``; asks for its password when the PEM is encrypted."""
    from fzmediate.documents.certify import load_private_key

    data = _read(path)
    password = None
    if b"ENCRYPTED" in data:
        password = getpass.getpass(_("Password of {name}: ").format(name=Path(path).name)).encode("utf-8")
    return load_private_key(data, password)


def certify_office(args: argparse.Namespace) -> int:
    from cryptography import x509

    from fzmediate.documents.certify import OFFICE_DAYS
    from fzmediate.documents.errors import SealError
    from fzmediate.server.cli import _ready
    from fzmediate.server.office_certs import CERTIFIED, Selection, certify, pending

    selection = Selection(device=args.device, unit=args.unit)
    if not args.list:
        if not (args.device or args.unit or args.all):
            raise UsageError(_("Say which requests to certify: --device, --unit or --all."))
        if not (args.root_key and args.root_cert):
            raise UsageError(_("--root-key and --root-cert are needed to certify (or --list to look)."))
        try:
            root_certificate = x509.load_pem_x509_certificate(_read(args.root_cert))
        except ValueError:
            raise UsageError(
                _("{name} is not a readable PEM certificate.").format(name=Path(args.root_cert).name)
            ) from None
        try:
            root_key = _root_key(args.root_key)
        except SealError as exc:
            raise UsageError(str(exc)) from None
    db = _ready(args)
    try:
        if args.list:
            found = pending(db, selection)
        else:
            try:
                found = certify(
                    db, root_key, root_certificate, selection, days=OFFICE_DAYS if args.days is None else args.days
                )
            except SealError as exc:
                raise UsageError(str(exc)) from None
    finally:
        db.dispose()
    if args.json:
        print(json.dumps([f.as_json() for f in found], ensure_ascii=False, indent=2))
    elif not found:
        print(_("No certificate requests are waiting."))
    for f in [] if args.json else found:
        if args.list:
            line = "{0}  {1:<12} {2}  {3}  {4}".format(
                f.device_code, f.unit, f.received_at.strftime("%Y-%m-%d %H:%M"), f.key_sha256[:16], f.subject
            )
        elif f.status == CERTIFIED:
            line = _("Certified {subject} for device {device} ({unit}) until {date}.").format(
                subject=f.subject,
                device=f.device_code,
                unit=f.unit,
                date=f.not_after.date().isoformat() if f.not_after else "-",
            )
        else:
            line = _("Refused the request of device {device} ({unit}) for {subject}: {reason}.").format(
                device=f.device_code, unit=f.unit, subject=f.subject, reason=_reason(f.reason)
            )
        print(one_line(line))
    return 1 if any(f.status not in (CERTIFIED, "pending") for f in found) else 0


def _reason(code: str | None) -> str:
    from fzmediate.server.office_certs import REVOKED, UNIT_MISMATCH, UNKNOWN_UNIT

    texts = {
        UNIT_MISMATCH: _("the subject is not the issuing body of the device's enrolled unit"),
        UNKNOWN_UNIT: _("the device's unit is not on this server"),
        REVOKED: _("the device is revoked"),
    }
    return texts.get(code or "", code or "-")
