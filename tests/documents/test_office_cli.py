"""``fzmediate office request|certify|install|show`` and ``doc verify`` exit codes, end to end with the real
command, certified by the TEST-ONLY root; and the audit head every issued document carries."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from sqlalchemy import select

from fzmediate import cli
from fzmediate.documents.verify import read_anchor
from fzmediate.i18n import set_locale
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import AuditEvent, OfficeKeyRow
from tests.cli_helpers import Result, run_cli
from tests.documents import case_lifecycles as life
from tests.documents.trust import ROOT_KEY_PEM, ROOT_PEM
from tests.support import ADMIN_PW, FAST_KDF

SUP = {"FZMEDIATE_PASSWORD": life.SUPERVISOR[1]}
MED = {"FZMEDIATE_PASSWORD": life.MEDIATOR[1]}


@dataclass(frozen=True)
class Store:
    ws: Workspace
    data: Path
    agreed: str


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    set_locale("zh_CN")
    data = tmp_path_factory.mktemp("office-cli") / "data"
    ws = Workspace(data, kdf=FAST_KDF)
    ws.initialize("admin", ADMIN_PW, full_name="管理员")
    life.staff(ws)
    with ws.unlock(*life.MEDIATOR) as s:
        agreed = s.cases.get(life.agreed_case(s)).number
    return Store(ws, data, agreed)


class Cli:
    """The real command, in this process (`fzmediate.cli.main`): exit code, stdout and stderr."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, *args: str, data: Path | None = None, who: tuple[str, str] | None = None) -> Result:
        self.capsys.readouterr()
        if who is None:
            self.monkeypatch.delenv("FZMEDIATE_PASSWORD", raising=False)
        else:
            self.monkeypatch.setenv("FZMEDIATE_PASSWORD", who[1])
        where = ["--data-dir", str(data)] if data is not None else []
        user = ["--user", who[0]] if who is not None else []
        code = cli.main(["--lang", "en", *args, *where, *user])
        out, err = self.capsys.readouterr()
        return Result(code, out, err)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, store: Store) -> Callable[..., Result]:
    cli_ = Cli(capsys, monkeypatch)

    def fz(*args: str, who: tuple[str, str] | None = life.SUPERVISOR, data: bool = True) -> Result:
        return cli_(*args, data=store.data if data else None, who=who)

    return fz


def issue(run: Callable[..., Result], store: Store, kind: str, out: Path) -> dict[str, str]:
    r = run("doc", "render", kind, "--case", store.agreed, "--out", str(out), "--issue", "--json", who=life.MEDIATOR)
    assert r.code == 0, r.err
    info: dict[str, str] = json.loads(r.out)
    return info


def test_request_certify_install_then_documents_verify(
    store: Store, run: Callable[..., Result], tmp_path: Path
) -> None:
    before = tmp_path / "before.pdf"
    issue(run, store, "acceptance_notice", before)
    r = run("doc", "verify", str(before), who=None)
    assert r.code == 3 and "not certified by a district root" in r.err  # self-issued: never valid

    request = tmp_path / "req.pem"
    r = run("office", "request", "--out", str(request))
    assert r.code == 0, r.err
    csr = x509.load_pem_x509_csr(request.read_bytes())
    assert csr.is_signature_valid and csr.subject.rfc4514_string() == "CN=" + life.OFFICE

    # The district, on its own machine: no store, no user.
    certificate = tmp_path / "office.pem"
    r = run(
        "office", "certify", str(request), "--root-key", str(ROOT_KEY_PEM), "--root-cert", str(ROOT_PEM),
        "--out", str(certificate), "--days", "400", who=None, data=False,
    )  # fmt: skip
    assert r.code == 0, r.err
    issued = x509.load_pem_x509_certificate(certificate.read_bytes())
    assert issued.public_key() == csr.public_key() and issued.subject == csr.subject
    assert (issued.not_valid_after_utc - issued.not_valid_before_utc).days == 400

    # The shipped app does not trust the TEST-ONLY root: installing is refused, naming why.
    r = run("office", "install", str(certificate))
    assert r.code == 1 and "not a district root" in r.err and len(r.err.strip().splitlines()) == 1
    r = run("office", "install", str(certificate), "--roots", str(ROOT_PEM))
    assert r.code == 0, r.err
    assert "Warning" in r.err and "Installed" in r.out

    r = run("office", "show", "--roots", str(ROOT_PEM), "--json")
    assert r.code == 0, r.err
    shown = json.loads(r.out)
    assert shown["certified"] is True and shown["subject"] == life.OFFICE and shown["issuer"].startswith("TEST-ONLY")
    r = run("office", "show", "--json")
    assert r.code == 0 and json.loads(r.out)["certified"] is False  # …and without the test root it is not

    after = tmp_path / "after.pdf"
    info = issue(run, store, "agreement", after)
    r = run("doc", "verify", str(after), "--roots", str(ROOT_PEM), who=None)
    assert r.code == 0, r.err
    assert r.out.startswith("Valid") and info["id"] in r.out and "Warning" in r.err
    r = run("doc", "verify", str(after), who=None)  # the shipped roots: not the test root
    assert r.code == 3
    data = bytearray(after.read_bytes())
    data[data.find(b"/Producer") + 12] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    r = run("doc", "verify", str(tampered), "--roots", str(ROOT_PEM), "--json", who=None)
    assert r.code == 1 and json.loads(r.out)["reason"] == "altered"
    # What was signed before the certificate was installed stays self-issued.
    assert run("doc", "verify", str(before), "--roots", str(ROOT_PEM), who=None).code == 3

    with store.ws.unlock(*life.SUPERVISOR) as s, s.read() as q:
        actions = list(q.scalars(select(AuditEvent.action).where(AuditEvent.action.like("office_key.%"))))
        row = q.scalars(select(OfficeKeyRow).where(OfficeKeyRow.active.is_(True))).one()
        assert row.chain_pem == ""  # certified by the root itself: no intermediate to keep
        assert x509.load_pem_x509_certificate(row.certificate_pem.encode()) == issued
    assert "office_key.request" in actions and "office_key.certify" in actions


def test_install_refuses_a_certificate_for_another_key(run: Callable[..., Result], tmp_path: Path) -> None:
    from fzmediate.documents.certify import certificate_request, certify_request, load_private_key
    from fzmediate.documents.seal import OfficeSigner
    from tests.documents.trust import START

    other = OfficeSigner.generate(life.OFFICE)
    foreign = certify_request(
        certificate_request(other.private_key, life.OFFICE),
        load_private_key(ROOT_KEY_PEM.read_bytes()),
        x509.load_pem_x509_certificate(ROOT_PEM.read_bytes()),
        valid_from=START,
    )
    path = tmp_path / "foreign.pem"
    from cryptography.hazmat.primitives.serialization import Encoding

    path.write_bytes(foreign.public_bytes(Encoding.PEM))
    r = run("office", "install", str(path), "--roots", str(ROOT_PEM))
    assert r.code == 1 and "not for this store's active office key" in r.err
    r = run("office", "install", str(path), "--roots", str(ROOT_PEM), who=life.MEDIATOR)
    assert r.code == 1  # a mediator may not change the office's certificate


def test_certify_refuses_bad_input(tmp_path: Path) -> None:
    """In a subprocess: the district's machine runs the command with no store at all."""
    junk = tmp_path / "junk.pem"
    junk.write_text("not a request")
    out = tmp_path / "out.pem"
    r = run_cli(
        "--lang", "en", "office", "certify", str(junk), "--root-key", str(ROOT_KEY_PEM), "--root-cert", str(ROOT_PEM),
        "--out", str(out),
    )  # fmt: skip
    assert r.code != 0 and len(r.err.strip().splitlines()) == 1 and not out.exists()


def test_every_issued_document_carries_the_audit_head_at_issuance(store: Store) -> None:
    with store.ws.unlock(*life.MEDIATOR) as s:
        info = s.documents.issue("consent_request", store.agreed)
        pdf = s.documents.get_pdf(info.id)
        with s.read() as q:
            issue_event = q.scalars(
                select(AuditEvent).where(AuditEvent.action == "document.issue").order_by(AuditEvent.seq.desc())
            ).first()
            assert issue_event is not None
            previous = q.scalars(select(AuditEvent).where(AuditEvent.seq == issue_event.seq - 1)).one()
            head = (previous.seq, previous.hash)
    # The head just before the issuing event: the event itself is appended in the same transaction.
    assert read_anchor(pdf) == head
