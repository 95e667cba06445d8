"""``fzmediate case correct`` (更正) and ``case void`` (作废): keeping the registered record right.

* ``case correct ID --reason TEXT --changes FILE`` corrects registered data (party names, ID numbers, phones,
  addresses, facts, claims). ``FILE`` (``-`` = stdin) holds ``{"facts": "…", "parties": {"<party id>":
  {"phone": "…"}}}``. The old values stay in the case history; documents issued before are issued again as new
  versions (``--no-reissue`` leaves that to later), and the output lists what was and what could not be.
* ``case void ID --reason TEXT --duplicate-of OTHER`` voids a duplicate registration (supervisors and
  administrators): nothing is deleted and the number is never used again.

Both print personal data masked; the service checks every value by the intake rules and names the field.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.security.masking import mask_address, mask_id_number, mask_name, mask_phone

#: A correction file is a few fields; anything larger is a mistake, refused before parsing.
MAX_CHANGES_BYTES = 64 * 1024
_MASKS = {"name": mask_name, "id_number": mask_id_number, "phone": mask_phone, "address": mask_address}


def _base() -> Any:
    # The session helpers live in fzmediate.cli; imported late to keep the import graph one-way.
    from fzmediate import cli

    return cli


def _masked(field: str, value: str) -> str:
    leaf = field.rsplit(".", 1)[-1]
    mask = _MASKS.get(leaf) or (mask_name if leaf == "legal_representative" else None)
    return mask(value) if mask is not None and value else ("…" if value and leaf in ("facts", "claims") else value)


def cmd_case_correct(args: argparse.Namespace) -> int:
    from fzmediate.cli_cases import read_json_input

    loaded = read_json_input(args.changes, what=_("Corrections"), limit=MAX_CHANGES_BYTES)
    if not isinstance(loaded, dict):
        raise ValidationError(_("Corrections: expected a JSON object."), field="changes")
    with _base()._session(args) as s:
        result = s.cases.correct(args.case, loaded, args.reason, reissue=not args.no_reissue)
    rows = [{"field": c.field, "old": _masked(c.field, c.old), "new": _masked(c.field, c.new)} for c in result.changes]
    if args.json:
        out = {
            "case": result.detail.number,
            "changes": rows,
            "reissued": [{"kind": k, "version": v} for k, v in result.reissued],
            "reissue_failed": [{"kind": k, "reason": r} for k, r in result.reissue_failed],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(_("{number}: {count} value(s) corrected.").format(number=result.detail.number, count=len(rows)))
    for row in rows:
        print("  {0}: {1} → {2}".format(row["field"], row["old"], row["new"]))
    for kind, version in result.reissued:
        print(_("  issued again: {kind} (version {version})").format(kind=kind, version=version))
    for kind, reason in result.reissue_failed:
        print(_("  not issued again: {kind}: {reason}").format(kind=kind, reason=reason))
    return 0


def cmd_case_void(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        detail = s.cases.void(args.case, args.reason, duplicate_of=args.duplicate_of)
    if args.json:
        print(json.dumps({"case": detail.number, "state": detail.state}, ensure_ascii=False))
    else:
        print(_("{number} is void (a duplicate registration); nothing was deleted.").format(number=detail.number))
    return 0


def register_keeping(ksub: Any, common: argparse.ArgumentParser, as_json: argparse.ArgumentParser) -> None:
    """Add ``correct`` and ``void`` to the ``case`` sub-commands."""
    p = ksub.add_parser(
        "correct", parents=[common, as_json], help=_("correct registered data, with a reason (更正; audited)")
    )
    p.add_argument("case", metavar="ID")
    p.add_argument("--reason", required=True, metavar="TEXT", help=_("why the data is corrected"))
    p.add_argument("--changes", required=True, metavar="FILE", help=_("the corrections as a JSON object (- = stdin)"))
    p.add_argument(
        "--no-reissue",
        action="store_true",
        default=False,
        help=_("do not issue the documents again now (they still show the old values)"),
    )
    p.set_defaults(func=cmd_case_correct)
    p = ksub.add_parser("void", parents=[common, as_json], help=_("void a duplicate registration (作废)"))
    p.add_argument("case", metavar="ID")
    p.add_argument("--reason", required=True, metavar="TEXT", help=_("why the registration is void"))
    p.add_argument("--duplicate-of", required=True, metavar="ID", help=_("the case it duplicates"))
    p.set_defaults(func=cmd_case_void)
