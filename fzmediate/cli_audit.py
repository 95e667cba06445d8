"""``fzmediate audit …``: anchors of the audit chain kept outside the store.

* ``audit anchor [--out FILE]``: a signed head receipt (one line) for the supervisor's logbook; later
  ``fzmediate check --anchor FILE`` proves the chain still holds that head.
* ``audit tail [--limit N]``: the newest events (ids and actions, no personal data).

Same conventions as ``fzmediate.cli``: exit 0 success, 1 refused, 2 usage; ``--json`` for machines.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fzmediate.i18n import _

SubParsers = Any  # argparse's _SubParsersAction is private


def _cli() -> Any:
    from fzmediate import cli

    return cli


def cmd_audit_anchor(args: argparse.Namespace) -> int:
    from fzmediate.security.atomic import atomic_write_bytes
    from fzmediate.services.anchors import take_receipt

    cli = _cli()
    with cli._session(args) as s:
        receipt = take_receipt(s)
    if args.out:
        atomic_write_bytes(Path(args.out), (receipt.line() + "\n").encode("ascii"), mode=0o644)

    def text() -> str:
        return "\n".join(
            [
                _("Audit head of store {store}: event {seq}, taken {at} by {login}.").format(
                    store=receipt.store_id[:8], seq=receipt.seq, at=receipt.at, login=receipt.login
                ),
                _("Copy this line into the logbook; `fzmediate check --anchor FILE` proves it later:"),
                receipt.line(),
            ]
        )

    cli._emit(args, {**asdict(receipt), "line": receipt.line()}, text)
    return 0


def cmd_audit_tail(args: argparse.Namespace) -> int:
    cli = _cli()
    with cli._session(args) as s:
        rows = s.maintenance.audit_tail(args.limit)
    data = [asdict(r) for r in rows]

    def text() -> str:
        return "\n".join("{0:>8}  {1}  {2:<12} {3:<24} {4}".format(r.seq, r.at[:19], r.actor, r.action, r.object_type)
                         for r in rows)  # fmt: skip

    cli._emit(args, data, text)
    return 0


def register(sub: SubParsers, common: argparse.ArgumentParser, as_json: argparse.ArgumentParser) -> None:
    parser_class = type(common)
    audit = sub.add_parser("audit", parents=[common], help=_("the audit log and its anchors"))
    asub = audit.add_subparsers(dest="audit_command", required=True, parser_class=parser_class)
    p = asub.add_parser("anchor", parents=[common, as_json], help=_("print a signed receipt of the audit head"))
    p.add_argument("--out", metavar="FILE", help=_("also write the receipt line to FILE"))
    p.set_defaults(func=cmd_audit_anchor, out=None)
    p = asub.add_parser("tail", parents=[common, as_json], help=_("the newest audit events"))
    p.add_argument("--limit", type=int, default=20, metavar="N")
    p.set_defaults(func=cmd_audit_tail)
