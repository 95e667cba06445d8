"""``fzmediate doc …``: draft, issue, list, fetch, verify documents and assemble the case file.

Same conventions as ``fzmediate.cli``: exit 0 success, 1 refused (one localized line on stderr), 2 usage;
``--json`` for machine-readable output.

* ``doc render KIND --case ID --out FILE.pdf``: a draft (marked 草稿 on every page, not stored); with
  ``--issue``, the sealed document is stored as the next version of that kind and written to FILE.
  ``doc render guide --matter CODE --out FILE.pdf``: the 申请指南 of a matter (no case).
* ``doc verify FILE.pdf``: valid or invalid with the reason; exit 0 valid, 1 invalid. Needs no unlock: it
  trusts the certificates exported to ``<data dir>/office-certificates.pem`` (or ``--certificates PEM``).
* ``doc list --case ID``, ``doc kinds [--case ID]``, ``doc get DOC_ID --out FILE.pdf``,
  ``doc casefile --case ID --out FILE.pdf``, ``doc office [--name NAME]``.

Written PDFs carry personal data: they are created readable by the owner only (mode 0600).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from fzmediate.errors import UsageError
from fzmediate.i18n import _

SubParsers = Any  # argparse's _SubParsersAction is private


def _base() -> Any:
    from fzmediate import cli

    return cli


def _write(path: str, data: bytes) -> Path:
    from fzmediate.security.atomic import atomic_write_bytes

    target = Path(path)
    try:
        atomic_write_bytes(target, data, mode=0o600)
    except OSError as exc:
        raise UsageError(_("Cannot write {name}: {problem}").format(name=target.name, problem=exc.strerror)) from None
    return target


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(
            _("Cannot read {name}: {problem}").format(name=Path(path).name, problem=exc.strerror)
        ) from None


def _json(data: Any) -> None:
    import json

    from fzmediate.services.case_views import jsonable

    print(json.dumps(jsonable(data), ensure_ascii=False, indent=2))


def _info_line(info: Any) -> str:
    return "{0}  {1}  {2}  v{3}  {4}  {5}".format(
        info.id, info.kind, info.title, info.version, info.issue_date.isoformat(), info.sha256[:16]
    )


# --- commands ----------------------------------------------------------------------------------
def cmd_doc_render(args: argparse.Namespace) -> int:
    from fzmediate.documents.templates.kinds import GUIDE

    kind = args.kind.strip()
    if kind == GUIDE:
        if not args.matter:
            raise UsageError(_("A guide is printed for a matter: give --matter CODE."))
        if args.issue:
            raise UsageError(_("A guide is not issued; leave out --issue."))
        with _base()._session(args) as s:
            pdf = s.documents.guide(args.matter, public=not args.named)
        path = _write(args.out, pdf)
        _emit_written(args, {"path": str(path), "kind": GUIDE, "size": len(pdf)}, path)
        return 0
    if not args.case:
        raise UsageError(_("Name the case with --case ID (a guide takes --matter CODE instead)."))
    with _base()._session(args) as s:
        if args.issue:
            info = s.documents.issue(kind, args.case, reason=args.reason or "")
            pdf = s.documents.get_pdf(info.id)
        else:
            pdf = s.documents.render(kind, args.case)
    path = _write(args.out, pdf)
    if args.issue:
        if args.json:
            _json({**_fields(info), "path": str(path)})
        else:
            print(
                _("Issued {title} version {version} (document {id}), written to {path}.").format(
                    title=info.title, version=info.version, id=info.id, path=path
                )
            )
        return 0
    _emit_written(args, {"path": str(path), "kind": kind, "size": len(pdf), "draft": True}, path)
    return 0


def _fields(info: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(info)


def _emit_written(args: argparse.Namespace, data: dict[str, Any], path: Path) -> None:
    if args.json:
        _json(data)
    elif data.get("draft"):
        print(_("Draft written to {path} (not issued, not stored).").format(path=path))
    else:
        print(_("Written to {path}.").format(path=path))


def cmd_doc_verify(args: argparse.Namespace) -> int:
    from fzmediate.documents.verify import verify_pdf
    from fzmediate.paths import default_data_dir
    from fzmediate.services.office_keys import certificates_path, read_certificates

    data = _read(args.file)
    source = (
        Path(args.certificates)
        if args.certificates
        else certificates_path(Path(args.data_dir) if args.data_dir else default_data_dir())
    )
    trusted = read_certificates(source)
    result = verify_pdf(data, trusted)
    if args.json:
        _json(result)
    elif result.valid:
        print(result.message)
    elif trusted:
        print(result.message, file=sys.stderr)
    else:
        hint = _("No trusted office certificates were found in {path}.").format(path=source)
        print("{0} {1}".format(result.message, hint), file=sys.stderr)
    return 0 if result.valid else 1


def cmd_doc_list(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        rows = s.documents.list(args.case)
    if args.json:
        _json(rows)
    elif not rows:
        print(_("No document of this case has been issued."))
    else:
        for info in rows:
            flag = "" if info.current else "  " + _("(superseded)")
            print(_info_line(info) + flag)
    return 0


def cmd_doc_kinds(args: argparse.Namespace) -> int:
    from fzmediate.services.documents import kind_titles

    if not args.case:
        rows = [{"name": name, "title": title} for name, title in kind_titles()]
        if args.json:
            _json(rows)
        else:
            print("\n".join("{0:<28} {1}".format(r["name"], r["title"]) for r in rows))
        return 0
    with _base()._session(args) as s:
        kinds = s.documents.kinds(args.case)
    if args.json:
        _json(kinds)
    else:
        for k in kinds:
            mark = "✓" if k.available else "✗"
            issued = "  " + _("issued: {n}").format(n=k.issued_versions) if k.issued_versions else ""
            print("{0} {1:<28} {2}{3}{4}".format(mark, k.name, k.title, issued, "  " + k.reason if k.reason else ""))
    return 0


def cmd_doc_get(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        pdf = s.documents.get_pdf(args.document)
    path = _write(args.out, pdf)
    _emit_written(args, {"path": str(path), "size": len(pdf)}, path)
    return 0


def cmd_doc_casefile(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        pdf = s.documents.casefile(args.case)
    path = _write(args.out, pdf)
    _emit_written(args, {"path": str(path), "size": len(pdf)}, path)
    return 0


def cmd_doc_office(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        if args.name is not None:
            s.documents.set_office(args.name)
        name = s.documents.office()
    if args.json:
        _json({"office": name})
    elif name:
        print(_("Issuing body: {name}").format(name=name))
    else:
        print(_("No issuing body set: each matter's implementing body is used."))
    return 0


# --- parser ------------------------------------------------------------------------------------
def register(sub: SubParsers, common: argparse.ArgumentParser, as_json: argparse.ArgumentParser) -> None:
    """Add the ``doc`` commands to the ``fzmediate`` parser."""
    parser_class = type(common)
    doc = sub.add_parser("doc", parents=[common], help=_("documents: draft, issue, verify, case file"))
    dsub = doc.add_subparsers(dest="doc_command", required=True, parser_class=parser_class)

    p = dsub.add_parser("render", parents=[common, as_json], help=_("write a document of a case (or a guide)"))
    p.add_argument("kind", metavar="KIND", help=_("document kind (see `fzmediate doc kinds`)"))
    p.add_argument("--case", metavar="ID", help=_("case id or number"))
    p.add_argument("--matter", metavar="CODE", help=_("matter code (for KIND guide)"))
    p.add_argument("--out", required=True, metavar="FILE", help=_("the PDF file to write"))
    p.add_argument("--issue", action="store_true", default=False, help=_("seal and store it instead of a draft"))
    p.add_argument("--reason", metavar="TEXT", help=_("why a new version is issued"))
    p.add_argument("--named", action="store_true", default=False, help=_("a guide printed at the desk (not masked)"))
    p.set_defaults(func=cmd_doc_render, case=None, matter=None, reason=None)

    p = dsub.add_parser("verify", parents=[common, as_json], help=_("check an issued PDF (no unlock needed)"))
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--certificates", metavar="PEM", help=_("trusted office certificates (default: the data directory's)")
    )
    p.set_defaults(func=cmd_doc_verify, certificates=None)

    p = dsub.add_parser("list", parents=[common, as_json], help=_("the issued documents of a case"))
    p.add_argument("--case", required=True, metavar="ID")
    p.set_defaults(func=cmd_doc_list)

    p = dsub.add_parser("kinds", parents=[common, as_json], help=_("document kinds (for a case: which can be made)"))
    p.add_argument("--case", metavar="ID")
    p.set_defaults(func=cmd_doc_kinds, case=None)

    p = dsub.add_parser("get", parents=[common, as_json], help=_("write the stored bytes of an issued document"))
    p.add_argument("document", metavar="DOC_ID")
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(func=cmd_doc_get)

    p = dsub.add_parser("casefile", parents=[common, as_json], help=_("the case file (卷宗) as one PDF"))
    p.add_argument("--case", required=True, metavar="ID")
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(func=cmd_doc_casefile)

    p = dsub.add_parser("office", parents=[common, as_json], help=_("show or set the issuing body's name"))
    p.add_argument("--name", metavar="NAME", help=_("the name printed and sealed on documents"))
    p.set_defaults(func=cmd_doc_office, name=None)
