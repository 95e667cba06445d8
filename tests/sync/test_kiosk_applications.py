"""Kiosk applications through the real district server over HTTP on loopback (docs/sync-protocol.md, "Kiosk
applications"): a kiosk of a community enrolls, pushes what a visitor filed, and the street office's desk takes
it into its intake inbox at its next sync; other units and the kiosk itself see nothing of it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from fzmediate import cli
from fzmediate.desk.today import SectionKind, today
from fzmediate.desk.token import EventToken
from fzmediate.security import keyslots as ks
from fzmediate.server.admin import UnitRecord, load_units
from fzmediate.server.db import Database
from fzmediate.server.enroll import issue_code
from fzmediate.server.models import KioskApplication
from fzmediate.services.intake_inbox import IntakeInbox
from fzmediate.services.kiosk import KioskService
from fzmediate.services.paths import StorePaths
from fzmediate.store.models import Case, IntakeKeyRow, KeyShareRow, SyncState
from fzmediate.sync.application_protocol import (
    APPLICATIONS_PATH,
    FETCH_PATH,
    ApplicationFetchRequest,
    ApplicationFetchResponse,
    ApplicationPushRequest,
    ApplicationPushResponse,
    SealedApplication,
    sealed_text,
)
from fzmediate.sync.client import EnrollingStore, enroll, sync
from fzmediate.sync.http import Channel, DeviceRefused, RetryPolicy, http_client
from fzmediate.sync.kiosk_push import enroll_kiosk, sync_kiosk
from tests.cases_support import organization, person
from tests.kiosk_support import MEDIATOR, Desk, kiosk_intake, make_desk, make_kiosk, sha256_hex
from tests.support import ADMIN_PW, KIOSK_PW, FakeClock
from tests.sync.recording import PULL_PATH, Recorder
from tests.sync.test_real_server import UNIT, district  # noqa: F401  (the loopback server fixture)

COMMUNITY = "PS-SQ-LH"  # a community of the street office UNIT: its kiosk files for UNIT
OTHER_UNIT = "PS-JD-ML"
NO_SLEEP = RetryPolicy(attempts=4, sleep=lambda _s: None)


@dataclass
class Setup:
    base: str
    db: Database
    office: Desk
    kiosk_dir: Path


@pytest.fixture
def setup(tmp_path: Path, clock: FakeClock, district: tuple[str, Database]) -> Iterator[Setup]:  # noqa: F811
    """The street office's desk enrolled at UNIT, and a kiosk set up with its intake key, enrolled at the
    community under it."""
    base, db = district
    load_units(
        db,
        [
            UnitRecord(COMMUNITY, "六和社区", "community", UNIT),
            UnitRecord(OTHER_UNIT, "马峦街道办事处", "street_office", None),
        ],
    )
    office = make_desk(tmp_path, clock)
    with office.ws.unlock("admin", ADMIN_PW) as s:
        enroll(s, base, issue_code(db, UNIT, "desk")[0])
    device = make_kiosk(tmp_path, clock, office)
    with device.open(KIOSK_PW) as k:
        result = enroll_kiosk(k, base, issue_code(db, COMMUNITY, "kiosk")[0], label="六和社区 kiosk")
        assert (result.unit, result.device_id) == (COMMUNITY, k.device_id)
    yield Setup(base, db, office, tmp_path / "kiosk")


def _open_kiosk(setup: Setup, clock: FakeClock) -> KioskService:
    from fzmediate.services.kiosk import KioskDevice
    from tests.support import FAST_KDF

    return KioskDevice(setup.kiosk_dir, kdf=FAST_KDF, clock=clock).open(KIOSK_PW)


def _channel(client: httpx.Client, store: EnrollingStore, clock: FakeClock) -> Channel:
    """A channel signed as the store's own sync signs (its device key and learned clock offset)."""
    with store.read() as s:
        state = s.get(SyncState, 1)
        assert state is not None
        key, offset = Ed25519PrivateKey.from_private_bytes(state.device_key), state.clock_offset_s
    return Channel(client, now=clock, offset_s=offset, device_id=store.device_id, key=key, retry=NO_SLEEP)


class LoseFirstAnswer(httpx.HTTPTransport):
    """Lets the first push of applications reach the server, then loses its answer (as a dropped link does)."""

    def __init__(self) -> None:
        super().__init__()
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.url.path == APPLICATIONS_PATH and not self.lost:
            self.lost += 1
            response.read()
            raise httpx.ReadError("answer lost", request=request)
        return response


def test_a_kiosk_application_reaches_the_street_office_desk(setup: Setup, clock: FakeClock, tmp_path: Path) -> None:
    with _open_kiosk(setup, clock) as k:
        receipt = k.submit_application(kiosk_intake(parties=[person(name="欧阳娜娜"), organization()]))
        lossy = LoseFirstAnswer()
        report = sync_kiosk(k, transport=lossy, retry=NO_SLEEP)
        # The first answer was lost: the retried push was answered "duplicate", and that marks it sent too.
        assert lossy.lost == 1
        assert (report.sent, report.duplicate, report.refused, report.waiting) == (0, 1, 0, 0)
        again = sync_kiosk(k)
        assert (again.sent, again.duplicate, again.waiting) == (0, 0, 0)  # nothing waits any more
        assert k.status().pending == 0
    with setup.db.sessions() as s:
        row = s.get(KioskApplication, receipt.application_id)
        assert row is not None and (row.unit, row.kiosk_unit, row.matter_code) == (UNIT, COMMUNITY, "PS-TJ-007")
        assert row.sealed is not None and sha256_hex(row.sealed) == row.sha256

    with setup.office.ws.unlock(*MEDIATOR) as s:
        report_desk = sync(s)
        assert (report_desk.applications, report_desk.errors) == (1, 0)
        entries = IntakeInbox(s).list()
        assert [(e.application_id, e.number, e.readable) for e in entries] == [
            (receipt.application_id, receipt.number, True)
        ]
        assert entries[0].applicants == ("欧阳某某",)
        opened = IntakeInbox(s).open(receipt.application_id)  # decrypts with the office's intake key
        assert [p["name"] for p in opened.intake["parties"]] == ["欧阳娜娜", "坪山某物业管理有限公司"]
        waiting = today(s, EventToken()).section(SectionKind.APPLICATIONS)
        assert waiting is not None and waiting.total == 1
        assert sync(s).applications == 0  # acknowledged: not handed out again
    with setup.db.sessions() as s:
        row = s.get(KioskApplication, receipt.application_id)
        assert row is not None and row.acked_at is not None and row.sealed is None  # the server dropped the bytes


def test_other_units_and_the_kiosk_see_nothing(setup: Setup, clock: FakeClock, tmp_path: Path) -> None:
    with _open_kiosk(setup, clock) as k:
        k.submit_application(kiosk_intake())
        assert sync_kiosk(k).sent == 1
    other = make_desk(tmp_path, clock, "other")
    with other.ws.unlock("admin", ADMIN_PW) as s:
        enroll(s, setup.base, issue_code(setup.db, OTHER_UNIT, "desk")[0])
    with other.ws.unlock(*MEDIATOR) as s:
        assert sync(s).applications == 0
        assert IntakeInbox(s).list() == []
        # Even naming the street office's key, a desk of another unit is handed nothing.
        request = ApplicationFetchRequest(key_ids=[setup.office.key_id]).model_dump_json().encode()
        with http_client(setup.base, transport=None, ca_pem=None) as client:
            page = ApplicationFetchResponse.model_validate_json(
                _channel(client, s, clock).call("POST", FETCH_PATH, body=request).content
            )
        assert page.applications == [] and not page.more
    with _open_kiosk(setup, clock) as k, http_client(setup.base, transport=None, ca_pem=None) as client:
        channel = _channel(client, k, clock)
        for method, path, body in (("POST", FETCH_PATH, request), ("GET", "/v1/sync/pull", None)):
            with pytest.raises(DeviceRefused) as refused:
                channel.call(method, path, body=body)
            assert refused.value.code == "forbidden"
    with setup.office.ws.unlock(*MEDIATOR) as s:
        assert sync(s).applications == 1  # still there for the right desk


def test_the_server_checks_where_an_application_goes(setup: Setup, clock: FakeClock) -> None:
    """A matter the catalogue gives to another unit is refused with a clear code and stays on the kiosk for the
    export file; a unit the kiosk does not belong under, or bytes that do not match their hash, are refused."""
    with _open_kiosk(setup, clock) as k:
        k.submit_application(kiosk_intake(matter="PS-TJ-001"))  # the market regulation branch's matter
        report = sync_kiosk(k)
        assert (report.sent, report.refused, report.reasons, report.waiting) == (0, 1, {"matter_unit": 1}, 1)
        assert k.export_applications(Path(setup.kiosk_dir) / "fallback.json").count == 1  # the offline way
        sealed = b"\x01" * 80
        good = {
            "office_key_id": setup.office.key_id,
            "key_fingerprint": "0" * 64,
            "sha256": sha256_hex(sealed),
            "sealed": sealed_text(sealed),
        }
        body = ApplicationPushRequest(
            applications=[
                SealedApplication(application_id="0190c0de-0000-7000-8000-000000000001", unit=OTHER_UNIT, **good),
                SealedApplication(application_id="0190c0de-0000-7000-8000-000000000002", unit="PS-XX-NONE", **good),
                SealedApplication(
                    application_id="0190c0de-0000-7000-8000-000000000003", **{**good, "sha256": "1" * 64}
                ),
                SealedApplication(application_id="0190c0de-0000-7000-8000-000000000004", matter_code="NOPE", **good),
            ]
        )
        with http_client(setup.base, transport=None, ca_pem=None) as client:
            answer = ApplicationPushResponse.model_validate_json(
                _channel(client, k, clock).call("POST", APPLICATIONS_PATH, body=body.model_dump_json().encode()).content
            )
        assert [(r.status, r.reason) for r in answer.results] == [
            ("rejected", "unit_scope"),
            ("rejected", "unknown_unit"),
            ("rejected", "hash_mismatch"),
            ("rejected", "unknown_matter"),
        ]
    with setup.office.ws.unlock("admin", ADMIN_PW) as s, http_client(setup.base, transport=None, ca_pem=None) as c:
        with pytest.raises(DeviceRefused) as refused:  # a desk may not push as a kiosk
            _channel(c, s, clock).call("POST", APPLICATIONS_PATH, body=body.model_dump_json().encode())
        assert refused.value.code == "forbidden"


def test_the_kiosk_store_never_holds_a_case_key(setup: Setup, clock: FakeClock) -> None:
    with _open_kiosk(setup, clock) as k:
        k.submit_application(kiosk_intake())
        sync_kiosk(k)
        with k.read() as s:
            state = s.get(SyncState, 1)
            assert state is not None and state.role == "kiosk" and len(state.device_key) == 32
            device_key = state.device_key
            for table in (IntakeKeyRow, KeyShareRow, Case):
                assert s.scalar(select(func.count()).select_from(table)) == 0
    paths = StorePaths(setup.kiosk_dir)
    slots = ks.KeySlotFile.load(paths.slots)
    assert [(slot.kind, slot.login) for slot in slots.slots] == [("user", "staff")]  # no recovery slot
    db_bytes = b"".join(p.read_bytes() for p in paths.db_companions() if p.exists())
    assert db_bytes and device_key not in db_bytes  # the device key lives only inside the encrypted store


def test_kiosk_enroll_and_sync_from_the_command_line(
    tmp_path: Path,
    clock: FakeClock,
    district: tuple[str, Database],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base, db = district
    office = make_desk(tmp_path, clock)
    with office.ws.unlock("admin", ADMIN_PW) as s:
        enroll(s, base, issue_code(db, UNIT, "desk")[0])
    device = make_kiosk(tmp_path, clock, office)
    with device.open(KIOSK_PW) as k:
        k.submit_application(kiosk_intake())
    monkeypatch.setenv("FZMEDIATE_PASSWORD", KIOSK_PW)
    args = ["--data-dir", str(tmp_path / "kiosk"), "--lang", "en", "kiosk"]
    code = issue_code(db, UNIT, "kiosk")[0]
    assert cli.main([*args, "enroll", "--server", base, "--code", code, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unit"] == UNIT
    assert cli.main([*args, "sync", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["sent"], report["duplicate"], report["refused"], report["waiting"]) == (1, 0, 0, 0)
    assert cli.main([*args, "sync"]) == 0
    assert "Sent 0 sealed applications" in capsys.readouterr().out
    assert cli.main([*args, "enroll", "--server", base, "--code", code]) == 1
    assert "already enrolled" in capsys.readouterr().err


def test_an_application_that_does_not_open_holds_back_no_other(setup: Setup, clock: FakeClock) -> None:
    """A box that does not open with the office's key (here: bytes never sealed, under the office key's id) is
    an error at the desk and stays unacknowledged at the server; the good application beside it arrives."""
    with _open_kiosk(setup, clock) as k:
        receipt = k.submit_application(kiosk_intake())
        junk = b"\x02" * 120
        bad = SealedApplication(
            application_id="0190c0de-0000-7000-8000-0000000000aa",
            office_key_id=setup.office.key_id,
            key_fingerprint="0" * 64,
            sha256=sha256_hex(junk),
            sealed=sealed_text(junk),
        )
        body = ApplicationPushRequest(applications=[bad]).model_dump_json().encode()
        with http_client(setup.base, transport=None, ca_pem=None) as client:
            _channel(client, k, clock).call("POST", APPLICATIONS_PATH, body=body)
        assert sync_kiosk(k).sent == 1
    with setup.office.ws.unlock(*MEDIATOR) as s:
        report = sync(s)
        assert (report.applications, report.errors) == (1, 1)
        assert [e.application_id for e in IntakeInbox(s).list()] == [receipt.application_id]
    with setup.db.sessions() as db:
        held = db.get(KioskApplication, bad.application_id)
        assert held is not None and held.acked_at is None and held.sealed == junk


def test_a_desk_asks_for_applications_only_when_its_pull_says_some_wait(
    setup: Setup, clock: FakeClock, tmp_path: Path
) -> None:
    """The last pull page's hints count the applications a desk could take; a desk fetches only when there are
    some, and from a server before hints (no count) it fetches every sync as it always did."""
    with setup.office.ws.unlock(*MEDIATOR) as s:
        quiet = Recorder()
        assert sync(s, transport=quiet).applications == 0
        assert quiet.count(FETCH_PATH) == 0 and quiet.pull_params[-1]["hints"] == "1"
        old = Recorder(old_server=True)
        assert sync(s, transport=old).applications == 0
        assert old.count(FETCH_PATH) == 1  # not told: asks
    with _open_kiosk(setup, clock) as k:
        receipt = k.submit_application(kiosk_intake())
        assert sync_kiosk(k).sent == 1
    second = make_desk(tmp_path, clock, "second")  # another desk of the same street office
    with second.ws.unlock("admin", ADMIN_PW) as s:
        enroll(s, setup.base, issue_code(setup.db, UNIT, "desk")[0])
    with second.ws.unlock(*MEDIATOR) as s, http_client(setup.base, transport=None, ca_pem=None) as client:
        page = _channel(client, s, clock).call("GET", PULL_PATH, params={"hints": 1}).json()
        assert page["hints"]["applications"] == 1  # its unit's, whatever key it is sealed to
    with setup.office.ws.unlock(*MEDIATOR) as s, http_client(setup.base, transport=None, ca_pem=None) as client:
        channel = _channel(client, s, clock)
        request = ApplicationFetchRequest(key_ids=[setup.office.key_id]).model_dump_json().encode()
        claimed = ApplicationFetchResponse.model_validate_json(channel.call("POST", FETCH_PATH, body=request).content)
        assert [a.application_id for a in claimed.applications] == [receipt.application_id]
        assert channel.call("GET", PULL_PATH, params={"hints": 1}).json()["hints"]["applications"] == 1
    with second.ws.unlock(*MEDIATOR) as s, http_client(setup.base, transport=None, ca_pem=None) as client:
        page = _channel(client, s, clock).call("GET", PULL_PATH, params={"hints": 1}).json()
        assert page["hints"]["applications"] == 0  # claimed by the office's desk for now
    with setup.office.ws.unlock(*MEDIATOR) as s:
        told = Recorder()
        assert sync(s, transport=told).applications == 1
        assert told.count(FETCH_PATH) == 1
        after = Recorder()
        assert sync(s, transport=after).applications == 0
        assert after.count(FETCH_PATH) == 0  # acknowledged: none wait, none asked for
