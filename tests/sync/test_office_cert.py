"""The office certificate through the real district server over HTTP on loopback (docs/sync-protocol.md,
"Office certificates"): a supervisor's sync sends the request, ``fzmediate-server certify-office`` certifies it
with the (TEST-ONLY) district key, the next sync installs it as ``fzmediate office install`` does; a document
issued afterwards verifies as valid (``doc verify`` exit 0), one issued before stays ``not_certified`` (exit 3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fzmediate import cli
from fzmediate.security.district_trust import common_name
from fzmediate.server.admin import UnitRecord, load_units
from fzmediate.server.cli import main as server_main
from fzmediate.server.enroll import issue_code
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.sync.client import enroll, sync
from tests.documents import case_lifecycles as life
from tests.documents import trust
from tests.support import ADMIN_PW, FAST_KDF, FakeClock
from tests.sync.test_real_server import UNIT, district

__all__ = ["district"]  # the loopback server fixture, reused


def _desk(tmp_path: Path, clock: FakeClock) -> Workspace:
    ws = Workspace(tmp_path / "desk", kdf=FAST_KDF, clock=clock)
    ws.initialize("admin", ADMIN_PW, full_name="管理员", unit=UNIT)
    life.staff(ws)  # the desk's unit PS-JD-PS issues as 深圳市坪山区坪山街道办事处; med1, sup1
    return ws


def _server(capsys: pytest.CaptureFixture[str], db: Any, *args: str) -> tuple[int, Any]:
    capsys.readouterr()
    code = server_main(["--lang", "en", "--db", db.url, "certify-office", "--json", *args])
    out, _err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else None


def _verify(capsys: pytest.CaptureFixture[str], s: Session, doc_id: str, tmp_path: Path) -> int:
    pdf = tmp_path / "{0}.pdf".format(doc_id)
    pdf.write_bytes(s.documents.get_pdf(doc_id))
    capsys.readouterr()
    code = cli.main(["--lang", "en", "doc", "verify", str(pdf), "--roots", str(trust.ROOT_PEM)])
    capsys.readouterr()
    return code


def test_a_desk_gets_its_office_certified_through_sync(
    tmp_path: Path, clock: FakeClock, district: tuple[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    base, db = district
    load_units(db, [UnitRecord(UNIT, life.OFFICE, "street_office", None)])  # the catalogue's name of the unit
    ws = _desk(tmp_path, clock)
    roots = [trust.root()]
    with ws.unlock("admin", ADMIN_PW) as s:
        enroll(s, base, issue_code(db, UNIT, "desk")[0])  # an administrator holds no office key: no request yet
    assert _server(capsys, db, "--list") == (0, [])
    with ws.unlock(*life.SUPERVISOR) as s:
        before = s.documents.issue("receipt", life.refused_case(s)).id
        report = sync(s, office_roots=roots)  # sends the request for the active office key
        assert (report.errors, report.office_certificates) == (0, 0)
        assert sync(s, office_roots=roots).office_certificates == 0  # sent once; nothing certified yet
    code, waiting = _server(capsys, db, "--list")
    assert code == 0 and [(w["unit"], w["subject"]) for w in waiting] == [(UNIT, life.OFFICE)]

    root = ("--root-key", str(trust.ROOT_KEY_PEM), "--root-cert", str(trust.ROOT_PEM))
    code, done = _server(capsys, db, "--unit", UNIT, *root)
    assert code == 0 and [d["status"] for d in done] == ["certified"]

    with ws.unlock(*life.MEDIATOR) as s:  # a mediator may not install the office certificate: it waits
        assert sync(s, office_roots=roots).office_certificates == 0
        assert not s.documents.keys.show(roots=roots).certified
    with ws.unlock(*life.SUPERVISOR) as s:
        report = sync(s, office_roots=roots)
        assert (report.errors, report.office_certificates) == (0, 1)
        info = s.documents.keys.show(roots=roots)
        assert (info.certified, info.subject, info.issuer) == (True, life.OFFICE, common_name(trust.root().subject))
        after = s.documents.issue("receipt", life.refused_case(s)).id
        assert sync(s, office_roots=roots).office_certificates == 0  # installed once
        assert s.documents.verify(s.documents.get_pdf(after), roots=roots).valid
        old = s.documents.verify(s.documents.get_pdf(before), roots=roots)
        assert (old.valid, old.reason, old.intact) == (False, "not_certified", True)
        assert _verify(capsys, s, after, tmp_path) == 0
        assert _verify(capsys, s, before, tmp_path) == 3


def test_a_request_made_by_a_supervisor_travels_with_the_enrollment(
    tmp_path: Path, clock: FakeClock, district: tuple[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    base, db = district
    load_units(db, [UnitRecord(UNIT, life.OFFICE, "street_office", None)])
    ws = _desk(tmp_path, clock)
    with ws.unlock(*life.SUPERVISOR) as s:
        request = s.documents.keys.certificate_request().decode("ascii")  # as `fzmediate office request` makes it
    with ws.unlock("admin", ADMIN_PW) as s:
        enroll(s, base, issue_code(db, UNIT, "desk")[0], office_request=request)
    _code, waiting = _server(capsys, db, "--list")
    assert [w["subject"] for w in waiting] == [life.OFFICE]
    assert (
        _server(capsys, db, "--all", "--root-key", str(trust.ROOT_KEY_PEM), "--root-cert", str(trust.ROOT_PEM))[0] == 0
    )
    with ws.unlock("admin", ADMIN_PW) as s:  # an administrator may install it (not make it)
        assert sync(s, office_roots=[trust.root()]).office_certificates == 1
        assert s.documents.keys.show(roots=[trust.root()]).certified
