"""Applications filed at a kiosk, through the services: sealed at once, carried by file, opened at the desk.

Real stores on both sides (SQLCipher, fast KDF, the fake clock); the desk exports its signed intake key, the
kiosk is set up from it, an application with a rare-character name is sealed, exported, imported, opened and
registered as a case through the desk's own create path.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography import x509

from fzmediate.documents.certify import certificate_request, certify_request, load_private_key
from fzmediate.documents.seal import OfficeSigner
from fzmediate.domain.intake import IntakeError
from fzmediate.errors import AuthenticationError, PermissionDenied, ValidationError
from fzmediate.security import sealed_box as box
from fzmediate.services.intake_inbox import IntakeInbox, SealedApplicationError
from fzmediate.services.kiosk import KioskDevice, WrongStoreKindError
from fzmediate.services.office_intake import (
    KeyFileError,
    OfficeIntake,
    certificate_fingerprint,
    make_key_file,
    read_key_file,
)
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from tests.cases_support import APPLICANT_ID, person
from tests.kiosk_support import (
    MEDIATOR,
    MEDIATOR_ARGS,
    Desk,
    flip_bit,
    kiosk_intake,
    make_desk,
    make_kiosk,
    rewrite_entry,
    sha256_hex,
)
from tests.support import ADMIN_PW, FAST_KDF, KIOSK_PW, FakeClock

TRUST = Path(__file__).resolve().parents[1] / "fixtures" / "trust"
RARE_NAME = "王𠮷"


@pytest.fixture
def desk(tmp_path: Path, clock: FakeClock) -> Desk:
    return make_desk(tmp_path, clock)


@pytest.fixture
def kiosk(tmp_path: Path, clock: FakeClock, desk: Desk) -> KioskDevice:
    return make_kiosk(tmp_path, clock, desk)


def submit_and_export(kiosk: KioskDevice, out: Path, **fields: object) -> str:
    with kiosk.open(KIOSK_PW) as k:
        receipt = k.submit_application(kiosk_intake(**fields))
        assert k.export_applications(out).count == 1
    return receipt.application_id


def inbox_ids(session: Session) -> list[str]:
    return [e.application_id for e in IntakeInbox(session).list(None)]


def test_offline_path_from_kiosk_to_case(desk: Desk, kiosk: KioskDevice, tmp_path: Path) -> None:
    with kiosk.open(KIOSK_PW) as k:
        receipt = k.submit_application(kiosk_intake(parties=[person(name=RARE_NAME), *kiosk_intake()["parties"][1:]]))
        assert receipt.applicants == ("王某",)  # masked on the receipt
        assert receipt.submitted_on == "2026-11-29" and receipt.number.endswith("-20261129-0001")
        assert k.receipt(receipt.number) == receipt
        exported = k.export_applications(tmp_path / "apps.json")
        assert exported.count == 1 and k.status().pending == 0
    file = tmp_path / "apps.json"
    assert file.stat().st_mode & 0o777 == 0o600
    assert RARE_NAME.encode() not in file.read_bytes() and APPLICANT_ID.encode() not in file.read_bytes()

    with desk.ws.unlock(*MEDIATOR) as s:
        inbox = IntakeInbox(s)
        assert inbox.import_file(file).added == 1
        [entry] = inbox.list()
        assert (entry.application_id, entry.number, entry.applicants) == (
            receipt.application_id,
            receipt.number,
            ("王某",),
        )
        summary = inbox.register(receipt.application_id)
        case = s.cases.get(summary.id)
        assert case.parties[0].name == RARE_NAME and case.parties[0].id_number == APPLICANT_ID
        assert case.received_on == dt.date(2026, 11, 29)
        assert [(e.action, e.payload) for e in case.events] == [("register", {"channel": "kiosk"})]
        assert [c.id for c in s.cases.list()] == [summary.id]
        [done] = inbox.list("registered")
        assert (done.status, done.case_id) == ("registered", summary.id)
        with pytest.raises(ValidationError, match=receipt.application_id):
            inbox.register(receipt.application_id)  # registered once only


def test_reimport_adds_nothing(desk: Desk, kiosk: KioskDevice, tmp_path: Path) -> None:
    application = submit_and_export(kiosk, tmp_path / "first.json")
    with kiosk.open(KIOSK_PW) as k:
        assert k.export_applications(tmp_path / "none.json").count == 0  # nothing pending: no file
        k.submit_application(kiosk_intake(summary="第二件申请"))
        assert k.export_applications(tmp_path / "again.json", include_exported=True).count == 2
    assert not (tmp_path / "none.json").exists()
    with desk.ws.unlock(*MEDIATOR) as s:
        inbox = IntakeInbox(s)
        assert inbox.import_file(tmp_path / "first.json").added == 1
        again = inbox.import_file(tmp_path / "first.json")
        assert (again.added, again.already) == (0, 1)
        overlap = inbox.import_file(tmp_path / "again.json")
        assert (overlap.added, overlap.already) == (1, 1)
        assert len(inbox_ids(s)) == 2 and application in inbox_ids(s)


@pytest.mark.parametrize("rehash", [False, True], ids=["digest-mismatch", "digest-recomputed"])
def test_bit_flip_refuses_the_file_naming_the_application(
    desk: Desk, kiosk: KioskDevice, tmp_path: Path, rehash: bool
) -> None:
    application = submit_and_export(kiosk, tmp_path / "apps.json")

    def change(entry: dict[str, str], sealed: bytes) -> bytes:
        altered = flip_bit(sealed)
        if rehash:  # a careful forger: the box's own MAC still catches it
            entry["sha256"] = sha256_hex(altered)
        return altered

    tampered = rewrite_entry(tmp_path / "apps.json", change)
    with desk.ws.unlock(*MEDIATOR) as s:
        with pytest.raises(SealedApplicationError, match=application):
            IntakeInbox(s).import_file(tampered)
        assert inbox_ids(s) == []


def test_application_sealed_to_another_office_is_refused(
    tmp_path: Path, clock: FakeClock, desk: Desk, kiosk: KioskDevice
) -> None:
    other = make_desk(tmp_path, clock, name="other-desk")
    other_kiosk = make_kiosk(tmp_path, clock, other, name="other-kiosk")
    application = submit_and_export(other_kiosk, tmp_path / "other.json")
    with desk.ws.unlock(*MEDIATOR) as s:
        with pytest.raises(SealedApplicationError, match=application) as err:
            IntakeInbox(s).import_file(tmp_path / "other.json")
        assert other.key_id in err.value.message
        assert inbox_ids(s) == []

    # Relabelled with this office's key id, it still does not open: refused as altered, naming it.
    relabelled = rewrite_entry(tmp_path / "other.json", lambda entry, sealed: _relabel(entry, sealed, desk.key_id))
    with desk.ws.unlock(*MEDIATOR) as s, pytest.raises(SealedApplicationError, match=application):
        IntakeInbox(s).import_file(relabelled)


def _relabel(entry: dict[str, str], sealed: bytes, key_id: str) -> bytes:
    entry["office_key_id"] = key_id
    return sealed


def test_uncertified_office_key_needs_the_confirmed_fingerprint(tmp_path: Path, clock: FakeClock, desk: Desk) -> None:
    device = KioskDevice(tmp_path / "k", kdf=FAST_KDF, clock=clock)
    data = desk.key_file.read_bytes()
    with pytest.raises(KeyFileError, match="--trust-uncertified"):
        device.initialize(KIOSK_PW, data)
    with pytest.raises(KeyFileError, match="--trust-uncertified"):
        device.initialize(KIOSK_PW, data, trust_uncertified="00" * 32)
    assert not device.is_initialized() and not (tmp_path / "k" / "fzmediate.db").exists()
    grouped = " ".join(desk.signer_fingerprint[i : i + 4] for i in range(0, 64, 4)).upper()
    assert device.initialize(KIOSK_PW, data, trust_uncertified=grouped).trust == "confirmed"


def test_altered_key_file_is_refused(tmp_path: Path, clock: FakeClock, desk: Desk) -> None:
    body = json.loads(desk.key_file.read_text("utf-8"))
    _private, attacker_public = box.new_key_pair()
    body["payload"]["public_key"] = box.b64(attacker_public)
    body["payload"]["key_fingerprint"] = box.key_fingerprint(attacker_public)
    device = KioskDevice(tmp_path / "k", kdf=FAST_KDF, clock=clock)
    with pytest.raises(KeyFileError, match="签名验证失败"):  # "signature does not verify" (zh_CN)
        device.initialize(KIOSK_PW, json.dumps(body).encode(), trust_uncertified=desk.signer_fingerprint)
    with pytest.raises(KeyFileError):
        device.initialize(KIOSK_PW, b"{not json", trust_uncertified=desk.signer_fingerprint)
    assert not device.is_initialized()


def test_key_file_certified_by_the_district_needs_no_fingerprint() -> None:
    now = dt.datetime(2026, 11, 29, 9, tzinfo=dt.UTC)
    root = x509.load_pem_x509_certificate((TRUST / "TEST-ONLY-root.pem").read_bytes())
    root_key = load_private_key((TRUST / "TEST-ONLY-root-key.pem").read_bytes())
    office = OfficeSigner.generate("测试街道办事处", valid_from=now - dt.timedelta(days=1))
    request = certificate_request(office.private_key, "测试街道办事处")
    certified = OfficeSigner(office.private_key, certify_request(request, root_key, root, valid_from=now))
    _private, public = box.new_key_pair()
    payload = {
        "office": "测试街道办事处",
        "unit": "",
        "key_id": "01a22688-0000-7000-8000-000000000001",
        "public_key": box.b64(public),
        "key_fingerprint": box.key_fingerprint(public),
        "created_on": "2026-11-29",
        "exported_at": now.isoformat(),
        "desk_device_id": "00000000-0000-4000-8000-000000000002",
    }
    verified = read_key_file(make_key_file(payload, certified, []), roots=[root], at=now)
    assert (verified.trust, verified.public_key) == ("certified", public)
    assert verified.signer_fingerprint == certificate_fingerprint(certified.certificate)
    with pytest.raises(KeyFileError):  # the same office, self-issued: not certified
        read_key_file(make_key_file(payload, office, []), roots=[root], at=now)


def test_invalid_or_backdated_application_stores_nothing(kiosk: KioskDevice, tmp_path: Path) -> None:
    with kiosk.open(KIOSK_PW) as k:
        with pytest.raises(IntakeError) as err:
            k.submit_application(kiosk_intake(parties=[person(id_number=APPLICANT_ID[:-1] + "0")]))
        assert APPLICANT_ID[:-1] not in err.value.message
        with pytest.raises(IntakeError, match="received_on"):
            k.submit_application(kiosk_intake(received_on="2026-11-20"))
        assert k.status().pending == 0
        assert k.export_applications(tmp_path / "x.json").count == 0


def test_an_administrator_only_account_cannot_open_applications(desk: Desk, kiosk: KioskDevice, tmp_path: Path) -> None:
    application = submit_and_export(kiosk, tmp_path / "apps.json")
    with desk.ws.unlock("admin", ADMIN_PW) as s:
        assert IntakeInbox(s).import_file(tmp_path / "apps.json").added == 1  # stored still sealed
        with pytest.raises(PermissionDenied):
            IntakeInbox(s).list()
        with pytest.raises(PermissionDenied):
            IntakeInbox(s).register(application)
        with pytest.raises(PermissionDenied):  # signing the key file needs the office signing key
            OfficeIntake(s).export_key(tmp_path / "admin-key.json")
    assert not (tmp_path / "admin-key.json").exists()
    with desk.ws.unlock(*MEDIATOR) as s:
        assert inbox_ids(s) == [application]


def test_reject_keeps_the_reason_and_ends_the_application(desk: Desk, kiosk: KioskDevice, tmp_path: Path) -> None:
    application = submit_and_export(kiosk, tmp_path / "apps.json")
    with desk.ws.unlock(*MEDIATOR) as s:
        inbox = IntakeInbox(s)
        inbox.import_file(tmp_path / "apps.json")
        with pytest.raises(ValidationError, match="reason"):
            inbox.reject(application, "  ")
        inbox.reject(application, "申请材料不全，请到窗口补正")
        assert inbox.list() == [] and [e.status for e in inbox.list("rejected")] == ["rejected"]
        with pytest.raises(ValidationError, match=application):
            inbox.register(application)
        assert s.cases.count() == 0


def test_each_side_refuses_the_other_store(desk: Desk, kiosk: KioskDevice) -> None:
    from fzmediate.services.workspace import Workspace

    with pytest.raises(WrongStoreKindError):
        Workspace(kiosk.paths.root, kdf=FAST_KDF).unlock("staff", KIOSK_PW)
    with pytest.raises(AuthenticationError):
        KioskDevice(desk.ws.paths.root, kdf=FAST_KDF).open(KIOSK_PW)
    with pytest.raises(AuthenticationError):
        kiosk.open(ADMIN_PW)


def test_the_key_file_names_the_desks_unit_for_routing(tmp_path: Path, clock: FakeClock) -> None:
    """The district server routes a kiosk's applications by the unit its key file names: the desk's unit code
    (set by an administrator), not the office's name."""
    ws = Workspace(tmp_path / "unit-desk", kdf=FAST_KDF, clock=clock)
    ws.initialize("admin", ADMIN_PW, full_name="管理员")
    with ws.unlock("admin", ADMIN_PW) as s:
        s.users.add(*MEDIATOR_ARGS)
        s.organisation.set_desk_unit("PS-JD-PS")
    with ws.unlock(*MEDIATOR) as s:
        exported = OfficeIntake(s).export_key(tmp_path / "unit-key.json")
    payload = json.loads(exported.path.read_text(encoding="utf-8"))["payload"]
    assert payload["unit"] == "PS-JD-PS"
