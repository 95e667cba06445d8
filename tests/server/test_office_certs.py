"""Office certificates through the server (docs/sync-protocol.md, "Office certificates"): a desk's request at
enrollment or later, ``fzmediate-server certify-office`` with the district key, the certificate fetched by the
desk; refusals (another unit's name, a kiosk, a request that is not one). SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fzmediate.documents.certify import certificate_request
from fzmediate.security.district_trust import office_chain_status
from fzmediate.server.cli import main
from fzmediate.server.office_certs import key_sha256
from fzmediate.sync.protocol import OFFICE_CERTIFICATE_PATH, OFFICE_REQUEST_PATH, PROTOCOL_HEADER
from fzmediate.sync.signing import public_b64
from tests.documents import trust
from tests.server.harness import UNIT, Device, Server

#: The name the server's test unit issues in (tests/server/conftest.py).
OFFICE = "坪山街道办事处"
OTHER_OFFICE = "马峦街道办事处"


def _request(name: str = OFFICE) -> tuple[ec.EllipticCurvePrivateKey, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    return key, certificate_request(key, name).public_bytes(serialization.Encoding.PEM).decode("ascii")


def _enroll(server: Server, device_id: str, office_request: str | None, *, role: str = "desk") -> Any:
    key = Ed25519PrivateKey.generate()
    body: dict[str, Any] = {
        "code": server.code(UNIT, role),
        "device_id": device_id,
        "public_key": public_b64(key),
        "role": role,
    }
    if office_request is not None:
        body["office_request"] = office_request
    r = server.client.post("/v1/enroll", json=body, headers={PROTOCOL_HEADER: "1"})
    device = Device(server, device_id, key, device_code=r.json().get("device_code", "")) if r.is_success else None
    return r, device


def _cli(capsys: pytest.CaptureFixture[str], server: Server, *args: str) -> tuple[int, str]:
    code = main(["--lang", "en", "--db", server.url, "certify-office", *args])
    out, err = capsys.readouterr()
    return code, out + err


def _certify(capsys: pytest.CaptureFixture[str], server: Server, *which: str) -> tuple[int, str]:
    return _cli(
        capsys, server, *which, "--root-key", str(trust.ROOT_KEY_PEM), "--root-cert", str(trust.ROOT_PEM), "--json"
    )


def test_a_request_sent_at_enrollment_is_certified_and_fetched_by_the_desk(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    key, pem = _request()
    r, desk = _enroll(server, "desk-a", pem)
    assert r.status_code == 200 and "office_certificate" not in r.json()
    assert desk.call("GET", OFFICE_CERTIFICATE_PATH).json() == {"error": "not_found"}

    code, out = _cli(capsys, server, "--list", "--json")
    (waiting,) = json.loads(out)
    assert code == 0 and (waiting["device_code"], waiting["subject"], waiting["status"]) == (
        desk.device_code,
        OFFICE,
        "pending",
    )
    code, out = _certify(capsys, server, "--device", desk.device_code)
    (done,) = json.loads(out)
    assert code == 0 and done["status"] == "certified" and done["unit"] == UNIT

    answer = desk.call("GET", OFFICE_CERTIFICATE_PATH)
    assert answer.status_code == 200
    certificates = x509.load_pem_x509_certificates(answer.json()["certificate"].encode("ascii"))
    assert key_sha256(certificates[0].public_key()) == key_sha256(key.public_key()) == answer.json()["key_sha256"]
    status = office_chain_status(certificates, roots=[trust.root()])
    assert status.certified and status.subject == OFFICE
    assert _cli(capsys, server, "--list", "--json") == (0, "[]\n")  # nothing waits any more
    mine = "{0}?key={1}".format(OFFICE_CERTIFICATE_PATH, key_sha256(key.public_key()))
    assert desk.call("GET", mine).json()["certificate"] == answer.json()["certificate"]
    assert desk.call("GET", "{0}?key={1}".format(OFFICE_CERTIFICATE_PATH, "0" * 64)).status_code == 404
    assert desk.call("GET", OFFICE_CERTIFICATE_PATH + "?key=x").status_code == 422


def test_a_later_request_is_answered_with_its_state_and_a_retried_enrollment_carries_the_certificate(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    r, desk = _enroll(server, "desk-b", None)
    assert r.status_code == 200
    _key, pem = _request()
    first = desk.call("POST", OFFICE_REQUEST_PATH, {"office_request": pem})
    assert first.status_code == 200 and first.json()["status"] == "pending"
    assert desk.call("POST", OFFICE_REQUEST_PATH, {"office_request": pem}).json()["status"] == "pending"  # once
    assert [w["device_code"] for w in json.loads(_cli(capsys, server, "--list", "--json")[1])] == [desk.device_code]
    assert _certify(capsys, server, "--unit", UNIT)[0] == 0
    again = desk.call("POST", OFFICE_REQUEST_PATH, {"office_request": pem}).json()
    assert (
        again["status"] == "certified"
        and again["key_sha256"] == desk.call("GET", OFFICE_CERTIFICATE_PATH).json()["key_sha256"]
    )


def test_a_request_naming_another_unit_is_refused_and_reported(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    _key, pem = _request(OTHER_OFFICE)  # enrolled for 坪山, asks to be certified as 马峦
    _r, desk = _enroll(server, "desk-c", pem)
    code, out = _certify(capsys, server, "--all")
    (done,) = json.loads(out)
    assert code == 1 and (done["status"], done["reason"]) == ("refused", "unit_mismatch")
    assert desk.call("GET", OFFICE_CERTIFICATE_PATH).status_code == 404
    assert desk.call("POST", OFFICE_REQUEST_PATH, {"office_request": pem}).json()["reason"] == "unit_mismatch"
    _key, pem = _request(OTHER_OFFICE)
    desk.call("POST", OFFICE_REQUEST_PATH, {"office_request": pem})
    code, out = _cli(capsys, server, "--all", "--root-key", str(trust.ROOT_KEY_PEM), "--root-cert", str(trust.ROOT_PEM))
    assert code == 1 and "Refused the request of device {0}".format(desk.device_code) in out


def test_a_kiosk_may_neither_send_nor_fetch(server: Server) -> None:
    kiosk = server.enroll(role="kiosk")
    _key, pem = _request()
    assert kiosk.call("GET", OFFICE_CERTIFICATE_PATH).json() == {"error": "forbidden"}
    assert kiosk.call("POST", OFFICE_REQUEST_PATH, {"office_request": pem}).status_code == 403
    r, _ = _enroll(server, "kiosk-x", pem, role="kiosk")
    assert r.status_code == 422 and r.json()["problems"] == ["body.office_request: only a desk has an office key"]


def _tampered() -> str:
    """A request whose signature does not match its content (the subject changed after signing)."""
    _key, pem = _request()
    der = x509.load_pem_x509_csr(pem.encode()).public_bytes(serialization.Encoding.DER)
    changed = der.replace(OFFICE.encode("utf-8"), OTHER_OFFICE.encode("utf-8"))
    body = base64.encodebytes(changed).decode("ascii")
    return "-----BEGIN CERTIFICATE REQUEST-----\n" + body + "-----END CERTIFICATE REQUEST-----\n"


def _rsa() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    builder = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, OFFICE)])
    )
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode("ascii")


@pytest.mark.parametrize(
    ("make", "rule"),
    [
        (lambda: "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgcmVxdWVzdA==\n-----END CERTIFICATE REQUEST-----\n",
         "not a PEM certificate request"),
        (lambda: "王某某 110101199003071234", "not a PEM certificate request"),
        (_tampered, "not signed by its own key"),
        (_rsa, "the key must be EC P-256 or Ed25519"),
        (lambda: "x" * 9000, "String should have at most 8192 characters"),
    ],
)  # fmt: skip
def test_a_request_that_is_not_a_good_one_is_422_naming_the_field(server: Server, make: Any, rule: str) -> None:
    text = make()
    r, _ = _enroll(server, "desk-bad", text)
    assert r.status_code == 422 and r.json()["problems"] == ["body.office_request: " + rule]
    assert "王某某" not in r.text and "110101" not in r.text  # never echoed
    r, desk = _enroll(server, "desk-good", None)  # a refused request burnt no code and enrolled nothing
    assert r.status_code == 200
    answer = desk.call("POST", OFFICE_REQUEST_PATH, {"office_request": text})
    assert answer.status_code == 422 and answer.json()["problems"] == ["body.office_request: " + rule]


def test_an_ed25519_key_is_accepted(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    pem = certificate_request(key, OFFICE).public_bytes(serialization.Encoding.PEM).decode("ascii")
    _r, desk = _enroll(server, "desk-ed", pem)
    assert _certify(capsys, server, "--all")[0] == 0
    assert desk.call("GET", OFFICE_CERTIFICATE_PATH).status_code == 200


def test_certify_office_usage_errors(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    root = ("--root-key", str(trust.ROOT_KEY_PEM), "--root-cert", str(trust.ROOT_PEM))
    assert _cli(capsys, server, *root)[0] == 2  # which requests: --device, --unit or --all
    assert _cli(capsys, server, "--all")[0] == 2  # no key
    code, out = _cli(capsys, server, "--all", "--root-key", str(trust.ROOT_PEM), "--root-cert", str(trust.ROOT_PEM))
    assert code == 2 and "key" in out
    code, out = _cli(capsys, server, "--all", "--root-key", str(trust.ROOT_KEY_PEM), "--root-cert", "/none/x.pem")
    assert code == 2 and "x.pem" in out


def test_a_wrong_or_encrypted_root_key(
    server: Server, capsys: pytest.CaptureFixture[str], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _enroll(server, "desk-e", _request()[1])
    wrong = tmp_path / "wrong.pem"
    wrong.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    code, out = _cli(capsys, server, "--all", "--root-key", str(wrong), "--root-cert", str(trust.ROOT_PEM))
    assert code == 2 and "does not belong" in out
    assert len(json.loads(_cli(capsys, server, "--list", "--json")[1])) == 1  # nothing was stored
    locked = tmp_path / "locked.pem"
    locked.write_bytes(
        trust.root_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"district-secret"),
        )
    )
    asked: list[str] = []

    def password(prompt: str) -> str:
        asked.append(prompt)
        return "district-secret"

    monkeypatch.setattr("getpass.getpass", password)
    code, out = _cli(capsys, server, "--all", "--root-key", str(locked), "--root-cert", str(trust.ROOT_PEM))
    assert code == 0 and asked == ["Password of locked.pem: "] and "Certified {0}".format(OFFICE) in out
