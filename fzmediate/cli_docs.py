"""``fzmediate doc …``: draft, issue, list, fetch, verify documents and assemble the case file.

Same conventions as ``fzmediate.cli``: exit 0 success, 1 refused (one localized line on stderr), 2 usage;
``--json`` for machine-readable output.

* ``doc render KIND --case ID --out FILE.pdf``: a draft (marked 草稿 on every page, not stored); with
  ``--issue``, the sealed document is stored as the next version of that kind and written to FILE.
  ``doc render guide --matter CODE --out FILE.pdf``: the 申请指南 of a matter (no case).
* ``doc verify FILE.pdf``: exit 0 valid (intact and signed by an office a district root certified), 3 signature
  and seals intact but the signer not certified by the district (e.g. a self-issued office key), 1 invalid.
  Needs no unlock and reads no file of the data directory: trust is the district roots shipped with the app.
  ``--roots PEM`` replaces them with other roots, for tests and inspection only (it says so on stderr).
* ``doc list --case ID``, ``doc kinds [--case ID]``, ``doc get DOC_ID --out FILE.pdf``,
  ``doc casefile --case ID --out FILE.pdf``, ``doc office [--name NAME]``.

``fzmediate office …``: the office's document-signing key and its certification by the district
(docs/trust.md):

* ``office request --out REQ.pem`` (desk): a certificate request for the active office key;
* ``office certify --root-key KEY.pem --root-cert ROOT.pem REQ.pem --out CERT.pem [--days N]`` (the
  district, on its own offline machine; no store needed): the office certificate;
* ``office install CERT.pem`` (desk): checks that it matches the active key and chains to a district root,
  stores it with its chain (audited);
* ``office show``: the active key's certificate and whether the district certified it.

Written PDFs carry personal data: they are created readable by the owner only (mode 0600).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from fzmediate.errors import UsageError, ValidationError
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


#: Largest PDF ``doc verify`` reads: an issued document is far smaller; a huge file is never held in memory.
MAX_PDF_BYTES = 128 * 1024 * 1024


def _read(path: str) -> bytes:
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_PDF_BYTES + 1)
    except OSError as exc:
        raise UsageError(
            _("Cannot read {name}: {problem}").format(name=Path(path).name, problem=exc.strerror)
        ) from None
    if len(data) > MAX_PDF_BYTES:
        raise ValidationError(
            _("{name} is larger than {mb} MB: not an issued document.").format(
                name=Path(path).name, mb=MAX_PDF_BYTES >> 20
            )
        )
    return data


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


#: Exit code of `doc verify` for a document whose signature and seals are intact but whose signer the
#: district did not certify.
NOT_CERTIFIED_EXIT = 3


def _test_roots(path: str | None) -> list[Any] | None:
    """The roots named with ``--roots`` (tests and inspection only), with a warning; None without it."""
    if path is None:
        return None
    from cryptography import x509

    try:
        roots = x509.load_pem_x509_certificates(_read(path))
    except ValueError:
        raise UsageError(_("{name} holds no readable PEM certificate.").format(name=Path(path).name)) from None
    print(
        _("Warning: trusting the roots in {name} instead of the district roots shipped with the app.").format(
            name=Path(path).name
        ),
        file=sys.stderr,
    )
    return roots


def cmd_doc_verify(args: argparse.Namespace) -> int:
    from fzmediate.documents.verify import NOT_CERTIFIED, verify_pdf

    data = _read(args.file)
    result = verify_pdf(data, roots=_test_roots(args.roots))
    if args.json:
        _json(result)
    elif result.valid:
        print(result.message)
    else:
        print(result.message, file=sys.stderr)
    if result.valid:
        return 0
    return NOT_CERTIFIED_EXIT if result.reason == NOT_CERTIFIED else 1


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
        name = s.documents.office()
    if args.json:
        _json({"office": name})
    elif name:
        print(_("Issuing body: {name}").format(name=name))
    else:
        print(_("No unit set for this desk: an administrator sets it with fzmediate office unit CODE."))
    return 0


def cmd_office_units(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        units = s.organisation.units()
        current = s.organisation.desk_unit_code()
    if args.json:
        _json(
            [
                {"code": u.code, "name": u.name, "kind": u.kind, "parent": u.parent, "desk": u.code == current}
                for u in units
            ]
        )
    else:
        for u in units:
            print("{0} {1:<12} {2}".format("*" if u.code == current else " ", u.code, u.name))
    return 0


def cmd_office_unit(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        if args.code is not None:
            s.organisation.set_desk_unit(args.code)
        unit = s.organisation.desk_unit()
        issuer = s.organisation.desk_issuer() if unit is not None else None
    if args.json:
        _json(
            {
                "unit": unit.code if unit else "",
                "name": unit.name if unit else "",
                "issuer": issuer.name if issuer else "",
            }
        )
    elif unit is None:
        print(_("No unit set for this desk: an administrator sets it with fzmediate office unit CODE."))
    else:
        print(
            _("Unit: {code} {name}; documents issued as {issuer}.").format(
                code=unit.code, name=unit.name, issuer=issuer.name if issuer else ""
            )
        )
    return 0


def cmd_office_request(args: argparse.Namespace) -> int:
    with _base()._session(args) as s:
        request = s.documents.keys.certificate_request()
    path = _write(args.out, request)
    if args.json:
        _json({"path": str(path)})
    else:
        print(_("Certificate request written to {path}; take it to the district to be certified.").format(path=path))
    return 0


def cmd_office_certify(args: argparse.Namespace) -> int:
    import datetime as dt

    from cryptography import x509

    from fzmediate.documents.certify import OFFICE_DAYS, certify_request, load_private_key
    from fzmediate.documents.errors import SealError

    try:
        request = x509.load_pem_x509_csr(_read(args.request))
    except ValueError:
        raise UsageError(
            _("{name} is not a readable certificate request (PEM).").format(name=Path(args.request).name)
        ) from None
    try:
        root_certificate = x509.load_pem_x509_certificate(_read(args.root_cert))
    except ValueError:
        raise UsageError(
            _("{name} is not a readable PEM certificate.").format(name=Path(args.root_cert).name)
        ) from None
    try:
        root_key = load_private_key(_read(args.root_key))
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        certificate = certify_request(
            request, root_key, root_certificate, valid_from=now, days=OFFICE_DAYS if args.days is None else args.days
        )
    except SealError as exc:
        raise UsageError(str(exc)) from None
    from cryptography.hazmat.primitives.serialization import Encoding

    from fzmediate.security.district_trust import common_name

    path = _write(args.out, certificate.public_bytes(Encoding.PEM))
    subject = common_name(certificate.subject)
    if args.json:
        _json({"path": str(path), "subject": subject, "not_after": certificate.not_valid_after_utc})
    else:
        print(
            _("Certified {subject} until {date}; written to {path}.").format(
                subject=subject, date=certificate.not_valid_after_utc.date().isoformat(), path=path
            )
        )
    return 0


def cmd_office_install(args: argparse.Namespace) -> int:
    data = _read(args.certificate)
    roots = _test_roots(args.roots)
    with _base()._session(args) as s:
        status = s.documents.keys.install(data, roots=roots)
    if args.json:
        _json({"subject": status.subject, "root": status.root, "certified": status.certified})
    else:
        print(_("Installed: {message}").format(message=status.message))
    return 0


def cmd_office_show(args: argparse.Namespace) -> int:
    roots = _test_roots(args.roots)
    with _base()._session(args) as s:
        info = s.documents.keys.show(roots=roots)
    if args.json:
        _json(info)
    else:
        print(_("Office key {fingerprint}: {subject}, issued by {issuer}, valid until {date}.").format(
            fingerprint=info.fingerprint[:16], subject=info.subject, issuer=info.issuer,
            date=info.not_after.date().isoformat(),
        ))  # fmt: skip
        print(info.message)
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
    p.add_argument("--roots", metavar="PEM", help=_("TESTS ONLY: trust these roots instead of the district's"))
    p.set_defaults(func=cmd_doc_verify, roots=None)

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

    p = dsub.add_parser("office", parents=[common, as_json], help=_("show the desk's issuing body"))
    p.set_defaults(func=cmd_doc_office)

    register_office(sub, common, as_json)


def register_office(sub: SubParsers, common: argparse.ArgumentParser, as_json: argparse.ArgumentParser) -> SubParsers:
    """Add the ``office`` group (the office's signing key and its certification); returns its sub-parsers so
    that other ``office`` commands can be added to the same group."""
    parser_class = type(common)
    office = sub.add_parser("office", parents=[common], help=_("the office's signing key and its certification"))
    osub = office.add_subparsers(dest="office_command", required=True, parser_class=parser_class)

    p = osub.add_parser("request", parents=[common, as_json], help=_("a certificate request for the office key"))
    p.add_argument("--out", required=True, metavar="REQ.pem", help=_("the request file to write"))
    p.set_defaults(func=cmd_office_request)

    p = osub.add_parser(
        "certify", parents=[common, as_json], help=_("the district certifies a request (offline, no store)")
    )
    p.add_argument("request", metavar="REQ.pem")
    p.add_argument("--root-key", required=True, metavar="KEY.pem", help=_("the district's root private key"))
    p.add_argument("--root-cert", required=True, metavar="ROOT.pem", help=_("the district's root certificate"))
    p.add_argument("--out", required=True, metavar="CERT.pem", help=_("the certificate file to write"))
    p.add_argument("--days", type=int, metavar="N", help=_("validity in days (default: five years)"))
    p.set_defaults(func=cmd_office_certify, days=None)

    p = osub.add_parser("install", parents=[common, as_json], help=_("install the certificate the district issued"))
    p.add_argument("certificate", metavar="CERT.pem")
    p.add_argument("--roots", metavar="PEM", help=_("TESTS ONLY: trust these roots instead of the district's"))
    p.set_defaults(func=cmd_office_install, roots=None)

    p = osub.add_parser("units", parents=[common, as_json], help=_("the organisation units of the catalogue"))
    p.set_defaults(func=cmd_office_units)

    p = osub.add_parser("unit", parents=[common, as_json], help=_("show or set this desk's organisation unit"))
    p.add_argument("code", nargs="?", metavar="CODE", help=_("the unit's code (administrators)"))
    p.set_defaults(func=cmd_office_unit)

    p = osub.add_parser("show", parents=[common, as_json], help=_("the office key's certificate and its trust"))
    p.add_argument("--roots", metavar="PEM", help=_("TESTS ONLY: trust these roots instead of the district's"))
    p.set_defaults(func=cmd_office_show, roots=None)
    return osub
