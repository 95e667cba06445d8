"""The client against the real district server over TLS on loopback, with the district CA pinned.

How a desk gets its pinned CA: district IT hands out the district CA certificate (PEM) with the server address;
``fzmediate enroll --server URL --code CODE --ca FILE`` reads it (``fzmediate.cli_sync``) and passes it as
``ca_pem`` to ``fzmediate.services.sync.enroll_desk`` → ``fzmediate.sync.client.enroll``, which keeps it in the
store with the enrollment (``sync_state.ca_pem``); every later sync reads it from there and trusts that CA only
(``fzmediate.sync.http.http_client``). The desk's enroll dialog (``fzmediate.desk.sync.enroll``) asks for the same
file and refuses an https address without it. Only a plain ``fzmediate enroll`` without ``--ca`` pins nothing:
the system's trust store then applies (httpx: ``SSL_CERT_FILE``, else certifi's bundle).

The certificates are made here with ``cryptography``: a district CA, which issues the server's certificate for
127.0.0.1 (IP SAN), an expired one, and one for another address; and a foreign CA under the district CA's very
name, which issues a certificate for 127.0.0.1 too (an impostor, or a proxy that intercepts TLS). One server
database; one uvicorn listener per certificate (``tests.sync.fault.district.Listener``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sqlalchemy import func, select

from fzmediate import cli
from fzmediate.desk import sync as desk_sync
from fzmediate.desk.token import EventToken
from fzmediate.i18n import _, set_locale
from fzmediate.services.numbering import DEVICE_CODE_KEY
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import AuditEvent, Meta, OutboxEntry, SyncState
from fzmediate.sync.client import enroll, sync
from fzmediate.sync.http import CertificateRefused, RetryPolicy, ServerUnreachable
from tests.cases_support import intake, organization, person
from tests.support import ADMIN_PW
from tests.sync.conftest import Sleeps
from tests.sync.fault.district import Databases, District, Listener, free_port

pytest.importorskip("uvicorn")

CA_NAME = "坪山区调解平台 CA"
UNREACHABLE = "The district server could not be reached; nothing was lost. Try again later."


# --- the certificates ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Authority:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @property
    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


@dataclass(frozen=True)
class Issued:
    certfile: str
    keyfile: str


def _authority(name: str) -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    usage = x509.KeyUsage(
        digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
    )  # fmt: skip
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(key, cert)


def _issue(
    ca: Authority, folder: Path, name: str, *, ip: str = "127.0.0.1", days: tuple[int, int] = (-1, 90)
) -> Issued:
    """A server certificate for ``ip`` from ``ca``, valid from ``days[0]`` to ``days[1]`` days from now."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ip)]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + timedelta(days=days[0]))
        .not_valid_after(now + timedelta(days=days[1]))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    certfile, keyfile = folder / (name + ".crt"), folder / (name + ".key")
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return Issued(str(certfile), str(keyfile))


@dataclass
class TlsDistrict:
    """The district CA, the foreign CA, and the server's listeners by the certificate they present."""

    ca: Authority
    foreign_ca: Authority
    folder: Path
    server: District
    listeners: dict[str, Listener]
    issued: dict[str, Issued]

    def url(self, name: str) -> str:
        return self.listeners[name].url

    def code(self) -> str:
        return self.server.code()


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsDistrict]:
    folder = tmp_path_factory.mktemp("tls")
    ca, foreign = _authority(CA_NAME), _authority(CA_NAME)  # the impostor even takes the district CA's name
    issued = {
        "district": _issue(ca, folder, "district"),
        "foreign": _issue(foreign, folder, "foreign"),
        "expired": _issue(ca, folder, "expired", days=(-60, -1)),
        "elsewhere": _issue(ca, folder, "elsewhere", ip="10.9.8.7"),
    }
    listeners = {name: Listener(ssl_certfile=i.certfile, ssl_keyfile=i.keyfile) for name, i in issued.items()}
    databases = Databases("sqlite", folder)
    server = District(databases.fresh(), list(listeners.values()))
    yield TlsDistrict(ca, foreign, folder, server, listeners, issued)
    server.close()
    for listener in listeners.values():
        listener.stop()
    databases.close()


@contextmanager
def presenting(district: TlsDistrict, listener: str, certificate: str) -> Iterator[None]:
    """The listener ``listener`` presents ``certificate`` in its next handshakes (another certificate installed
    on the district server's address, or something in between), then its own again."""
    context = district.listeners[listener]._server.config.ssl
    assert context is not None
    try:
        context.load_cert_chain(district.issued[certificate].certfile, district.issued[certificate].keyfile)
        yield
    finally:
        context.load_cert_chain(district.issued[listener].certfile, district.issued[listener].keyfile)


def _nothing_enrolled(desk: Session) -> None:
    with desk.read() as s:
        assert s.get(SyncState, 1) is None and s.get(Meta, DEVICE_CODE_KEY) is None
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "sync.enroll")) == 0


# --- (a) the district CA pinned: enrollment and sync over https ---------------------------------------------------


def test_enroll_with_the_district_ca_then_sync_over_https(
    initialized: Workspace, data_dir: Path, district: TlsDistrict, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.cases.create(intake(parties=[person(name="司马青青"), organization()]))
    ca_file = district.folder / "district-ca.pem"
    ca_file.write_text(district.ca.pem, encoding="ascii")
    monkeypatch.setenv("FZMEDIATE_PASSWORD", ADMIN_PW)
    base = ["--data-dir", str(data_dir), "--user", "admin", "--lang", "en"]
    url = district.url("district")
    assert cli.main([*base, "enroll", "--server", url, "--code", district.code(), "--ca", str(ca_file)]) == 0
    assert "PS-JD-PS" in capsys.readouterr().out
    assert cli.main([*base, "sync", "--json"]) == 0  # the pinned CA comes from the store now
    assert '"errors": 0' in capsys.readouterr().out
    with initialized.unlock("admin", ADMIN_PW) as s, s.read() as r:
        state = r.get(SyncState, 1)
        assert state is not None and (state.server_url, state.ca_pem) == (url, district.ca.pem)
        assert state.last_report is not None and state.last_report["pushed"] >= 1
        assert r.scalar(select(func.count()).select_from(OutboxEntry)) == 0


# --- (b) a certificate from a foreign CA --------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_a_foreign_ca_is_refused_at_once_and_enrollment_is_not_recorded(
    desk: Session, district: TlsDistrict, retry: RetryPolicy, sleeps: Sleeps
) -> None:
    code = district.code()
    with pytest.raises(CertificateRefused) as refused:
        enroll(desk, district.url("foreign"), code, ca_pem=district.ca.pem, retry=retry)
    assert refused.value.code == "tls_untrusted"
    assert "certificate is not from the district CA" in refused.value.message
    assert "ask district IT for the district CA certificate" in refused.value.message
    assert sleeps == []  # the same certificate fails again: not retried
    _nothing_enrolled(desk)
    result = enroll(desk, district.url("district"), code, ca_pem=district.ca.pem)  # the code never left this desk
    assert result.unit == "PS-JD-PS"


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_cli_says_the_certificate_is_not_from_the_district_ca(
    lang: str, initialized: Workspace, data_dir: Path, district: TlsDistrict, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    ca_file = district.folder / "district-ca.pem"
    ca_file.write_text(district.ca.pem, encoding="ascii")
    monkeypatch.setenv("FZMEDIATE_PASSWORD", ADMIN_PW)
    argv = ["--data-dir", str(data_dir), "--user", "admin", "--lang", lang, "enroll"]
    argv += ["--server", district.url("foreign"), "--code", district.code(), "--ca", str(ca_file)]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err.strip()
    set_locale(lang)
    assert err.startswith("fzmediate") and "CA" in err and _(UNREACHABLE) not in err
    if lang == "en":
        assert "The district server's certificate is not from the district CA" in err
    with initialized.unlock("admin", ADMIN_PW) as s:
        _nothing_enrolled(s)


def test_a_sync_meeting_a_foreign_certificate_stops_with_the_outbox_intact(
    desk: Session, district: TlsDistrict
) -> None:
    """The desk's own call (what its sync screen shows): not "offline", but "sync stopped" with the reason."""
    enroll(desk, district.url("district"), district.code(), ca_pem=district.ca.pem)
    desk.cases.create(intake(parties=[person(name="上官云"), organization()]))
    with desk.read() as s:
        waiting = s.scalar(select(func.count()).select_from(OutboxEntry))
    assert waiting
    with presenting(district, "district", "foreign"), pytest.raises(desk_sync.SyncFailed) as failed:
        desk_sync.run(desk, EventToken())
    assert (failed.value.code, failed.value.offline) == ("tls_untrusted", False)
    assert "CA" in failed.value.message and failed.value.message != _(UNREACHABLE)
    with desk.read() as s:
        state = s.get(SyncState, 1)
        assert state is not None and state.last_sync_at is None and state.acked_through == 0
        assert s.scalar(select(func.count()).select_from(OutboxEntry)) == waiting
    assert sync(desk).pushed == waiting  # the district's own certificate again: everything goes


# --- (c) expired, or for another address ----------------------------------------------------------------------


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(("listener", "says"), [("expired", "date and time"), ("elsewhere", "server address")])
def test_an_expired_certificate_or_one_for_another_address_is_not_valid(
    listener: str, says: str, desk: Session, district: TlsDistrict, retry: RetryPolicy, sleeps: Sleeps
) -> None:
    with pytest.raises(CertificateRefused) as refused:
        enroll(desk, district.url(listener), district.code(), ca_pem=district.ca.pem, retry=retry)
    assert refused.value.code == "tls_invalid"
    assert "certificate" in refused.value.message and says in refused.value.message
    assert "not from the district CA" not in refused.value.message and sleeps == []
    _nothing_enrolled(desk)


# --- (d) nobody listening ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_a_refused_connection_still_reads_as_unreachable(
    desk: Session, district: TlsDistrict, retry: RetryPolicy, sleeps: Sleeps
) -> None:
    url = "https://127.0.0.1:{0}".format(free_port())
    with pytest.raises(ServerUnreachable) as unreachable:
        enroll(desk, url, district.code(), ca_pem=district.ca.pem, retry=retry)
    assert (unreachable.value.code, unreachable.value.message) == ("unreachable", UNREACHABLE)
    assert len(sleeps) == retry.attempts - 1  # retried: the network may come back
    _nothing_enrolled(desk)


# --- (e) the pinned CA replaces the system's trust store ---------------------------------------------------------


def test_the_pinned_ca_is_the_only_one_trusted(
    desk: Session, district: TlsDistrict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The foreign CA is put into "the system's trust store" (``SSL_CERT_FILE``, which httpx honours): unpinned,
    the desk trusts its certificate; with the district CA pinned it does not (``ssl.create_default_context(
    cadata=…)`` loads no default certificates)."""
    store = district.folder / "system-store.pem"
    store.write_text(district.foreign_ca.pem, encoding="ascii")
    monkeypatch.setenv("SSL_CERT_FILE", str(store))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    code = district.code()
    with pytest.raises(CertificateRefused) as refused:
        enroll(desk, district.url("foreign"), code, ca_pem=district.ca.pem)
    assert refused.value.code == "tls_untrusted"
    _nothing_enrolled(desk)
    assert enroll(desk, district.url("foreign"), code).unit == "PS-JD-PS"  # unpinned: the system store decides


# --- the desk's enroll dialog: the CA file is asked for ----------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_the_desk_enrolls_over_https_only_with_the_district_ca_file(
    initialized: Workspace, district: TlsDistrict
) -> None:
    from fzmediate.errors import ValidationError

    url = district.url("district")
    not_pem = district.folder / "not-a-certificate.pem"
    not_pem.write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n", encoding="ascii")
    ca_file = district.folder / "district-ca-desk.pem"
    ca_file.write_text(district.ca.pem, encoding="ascii")
    with initialized.unlock("admin", ADMIN_PW) as desk:
        for given, words in (("", "choose the certificate file"), (str(not_pem), "cannot be read")):
            with pytest.raises(ValidationError) as refused:
                desk_sync.enroll(desk, EventToken(), url, district.code(), given)
            assert refused.value.field == "ca" and words in str(refused.value)
        _nothing_enrolled(desk)
        view = desk_sync.enroll(desk, EventToken(), url, district.code(), str(ca_file))
        assert view.unit == "PS-JD-PS"
        with desk.read() as r:
            state = r.get(SyncState, 1)
            assert state is not None and state.ca_pem == district.ca.pem
