"""No personal data in the clear anywhere on disk.

Canary people (rare-character names, checksum-valid invented ID numbers, phones, addresses) are stored
through the service layer and through the CLI, errors are provoked, and the store is closed; then every
file under the data directory, the temp directory and the log directory is searched for each canary in
UTF-8 and UTF-16LE.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from fzmediate.errors import ValidationError
from fzmediate.logsetup import configure_logging
from fzmediate.services.workspace import Workspace
from tests.cli_helpers import run_cli
from tests.support import ADMIN_PW, FAST_KDF, MEDIATOR_PW, SUPERVISOR_PW
from tests.synthetic import make_resident_id

CANARIES = {
    "name_service": "欧阳𠮷䶮",
    "name_cli": "司马𡒄堃",
    "id_service": make_resident_id(region="440310", seq=731),
    "id_cli": make_resident_id(region="440310", seq=517),
    "phone_service": "13987650123",
    "phone_cli": "18676543219",
    "address_service": "坪山区坑梓街道金沙社区𠮷字巷十七号",
    "address_cli": "坪山区马峦街道江岭社区䶮园二十九栋",
}


def encodings(value: str) -> Iterator[bytes]:
    yield value.encode("utf-8")
    yield value.encode("utf-16-le")


def files_under(*roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.exists():
            yield from (p for p in root.rglob("*") if p.is_file())


@pytest.mark.slow
def test_no_canary_in_any_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    configure_logging(data / "logs")

    ws = Workspace(data, kdf=FAST_KDF)
    ws.initialize("admin", ADMIN_PW, full_name=CANARIES["name_service"])
    with ws.unlock("admin", ADMIN_PW) as s:
        s.users.add(
            "sup1",
            "supervisor",
            SUPERVISOR_PW,
            legally_qualified=True,
            full_name=CANARIES["name_service"],
            phone=CANARIES["phone_service"],
            id_type="resident_id",
            id_number=CANARIES["id_service"],
            address=CANARIES["address_service"],
        )
        # Refusals carrying personal values must not leak them into logs or messages either.
        with pytest.raises(ValidationError) as err:
            s.users.add("sup1", "supervisor", SUPERVISOR_PW, phone=CANARIES["phone_service"])
        assert CANARIES["phone_service"] not in err.value.message
        with pytest.raises(ValidationError) as err:
            s.users.add("bad1", "mediator", MEDIATOR_PW, id_number=CANARIES["id_service"][:-1] + "0")
        assert CANARIES["id_service"][:-1] not in err.value.message
        s.maintenance.backup(data / "canary.fzbackup")

    env = {"FZMEDIATE_PASSWORD": ADMIN_PW, "FZMEDIATE_NEW_PASSWORD": MEDIATOR_PW}
    r = run_cli(
        "user",
        "add",
        "med1",
        "--role",
        "mediator",
        "--full-name",
        CANARIES["name_cli"],
        "--phone",
        CANARIES["phone_cli"],
        "--id-type",
        "resident_id",
        "--id-number",
        CANARIES["id_cli"],
        "--address",
        CANARIES["address_cli"],
        "--data-dir",
        str(data),
        "--user",
        "admin",
        env=env,
        tmp=tmp,
    )
    assert r.code == 0, r.err
    r = run_cli("user", "list", "--json", "--data-dir", str(data), "--user", "admin", env=env, tmp=tmp)
    assert r.code == 0, r.err
    for value in CANARIES.values():
        assert value not in r.out, "list output must be masked"
    r = run_cli(  # a refused CLI call with personal data in its arguments
        "user",
        "add",
        "med2",
        "--role",
        "mediator",
        "--phone",
        CANARIES["phone_cli"][:-2],
        "--data-dir",
        str(data),
        "--user",
        "admin",
        env=env,
        tmp=tmp,
    )
    assert r.code == 1 and CANARIES["phone_cli"][:-2] not in r.err

    # The values really are stored (decrypted through the service): the search below is meaningful.
    with ws.unlock("admin", ADMIN_PW) as s:
        stored = {u.login: u for u in s.users.list()}
    assert stored["sup1"].id_number == CANARIES["id_service"]
    assert stored["med1"].address == CANARIES["address_cli"]

    scanned = list(files_under(data, tmp, data / "logs"))
    assert any(p.name == "fzmediate.db" for p in scanned)
    assert any(p.suffix == ".log" for p in scanned)
    for path in scanned:
        blob = path.read_bytes()
        for label, value in CANARIES.items():
            for form in encodings(value):
                assert form not in blob, "{0} found in {1}".format(label, path.relative_to(tmp_path))


@pytest.mark.slow
def test_no_canary_in_kiosk_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kiosk store, the sealed applications file and the exported key file: zero hits, before and after the
    desk imported and registered the application (its store is searched too)."""
    from fzmediate.services.intake_inbox import IntakeInbox
    from tests.cases_support import person
    from tests.kiosk_support import MEDIATOR, kiosk_intake, make_desk, make_kiosk
    from tests.support import KIOSK_PW, FakeClock

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    clock = FakeClock()
    desk = make_desk(tmp_path, clock)
    configure_logging(tmp_path / "kiosk" / "logs")
    kiosk = make_kiosk(tmp_path, clock, desk)
    applicant = person(
        name=CANARIES["name_service"],
        id_number=CANARIES["id_service"],
        phone=CANARIES["phone_service"],
        address=CANARIES["address_service"],
    )
    agent = person(
        "agent",
        CANARIES["name_cli"],
        id_number=CANARIES["id_cli"],
        phone=CANARIES["phone_cli"],
        address=CANARIES["address_cli"],
        represents=0,
        power_of_attorney="一般授权",
        authority="general",
    )
    exported = tmp_path / "applications.json"
    with kiosk.open(KIOSK_PW) as k:
        receipt = k.submit_application(kiosk_intake(parties=[applicant, kiosk_intake()["parties"][1], agent]))
        k.export_applications(exported)
    configure_logging(desk.ws.paths.logs)
    with desk.ws.unlock(*MEDIATOR) as s:
        inbox = IntakeInbox(s)
        inbox.import_file(exported)
        inbox.list()
        case_id = inbox.register(receipt.application_id).id
        # Really stored and readable at the desk: the search below is meaningful.
        assert s.cases.get(case_id).parties[0].id_number == CANARIES["id_service"]

    scanned = [*files_under(kiosk.paths.root, desk.ws.paths.root, tmp), exported, desk.key_file]
    assert any(p.name == "fzmediate.db" and kiosk.paths.root in p.parents for p in scanned)
    for path in scanned:
        blob = path.read_bytes()
        for label, value in CANARIES.items():
            for form in encodings(value):
                assert form not in blob, "{0} found in {1}".format(label, path.relative_to(tmp_path))
