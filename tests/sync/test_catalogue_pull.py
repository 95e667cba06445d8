"""The district publishes a signed catalogue on the server; desks and kiosks pull it and verify it themselves.

Real HTTP on loopback (the ``district`` fixture of ``test_real_server``); bundles are signed with the TEST ONLY
key (``tests.cases_support``), which the server's and the devices' trusted keys include only in these tests.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update

from fzmediate.catalogue.bundle import BundleError, dump_bundle_file
from fzmediate.catalogue.keys import TrustedKeys
from fzmediate.server.catalogue import newest, publish
from fzmediate.server.cli import main as server_main
from fzmediate.server.db import Database, utc_now
from fzmediate.server.enroll import issue_code
from fzmediate.server.models import PublishedCatalogue
from fzmediate.services.session import Session
from fzmediate.store.models import Case, CatalogueBundle
from fzmediate.sync.catalogue_pull import CATALOGUE_PATH, CatalogueRefused, pull_catalogue
from fzmediate.sync.client import enroll, sync
from fzmediate.sync.http import Channel, DeviceRefused, http_client
from fzmediate.sync.protocol import EnrollRequest
from fzmediate.sync.signing import public_b64
from tests.cases_support import SHIPPED, dev_trusted, intake, signed_bundle
from tests.kiosk_support import make_desk, make_kiosk
from tests.support import ADMIN_PW, KIOSK_PW, FakeClock
from tests.sync.recording import Recorder
from tests.sync.test_real_server import UNIT, _desk
from tests.sync.test_real_server import district as district  # the loopback server fixture

District = tuple[str, Database]
NEXT = SHIPPED + 1


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch) -> TrustedKeys:
    """The shipped keys plus the TEST ONLY key, for the server's and the devices' checks alike."""
    keys = dev_trusted()
    monkeypatch.setattr(TrustedKeys, "load", staticmethod(lambda *a: keys))
    return keys


def _publish_cli(db: Database, path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = server_main(["--lang", "en", "--db", db.url, "publish-catalogue", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def _tampered(version: int) -> bytes:
    """A test-signed bundle whose content was changed after signing."""
    file: dict[str, Any] = json.loads(signed_bundle(version))
    file["bundle"]["version_label"] = "篡改版"
    return dump_bundle_file(file)


def _pinned(s: Session, case_id: str) -> int:
    with s.read() as r:
        version = r.scalar(select(Case.bundle_version).where(Case.id == case_id))
    assert version is not None
    return int(version)


def test_a_published_catalogue_reaches_a_desk_and_only_new_cases_use_it(
    tmp_path: Path, clock: FakeClock, district: District, trusted: TrustedKeys, capsys: pytest.CaptureFixture[str]
) -> None:
    base, db = district
    ws = _desk(tmp_path, "a", clock)
    with ws.unlock("admin", ADMIN_PW) as s:
        old_case = s.cases.create(intake()).id
        enroll(s, base, issue_code(db, UNIT, "desk")[0])
        before = Recorder()
        assert sync(s, transport=before).catalogue == 0  # nothing published yet: the sync goes on as before
        assert before.count(CATALOGUE_PATH) == 0  # the pull's hints said so: not asked for
        bundle = tmp_path / "pingshan-next.fzcat.json"
        bundle.write_bytes(signed_bundle(NEXT))
        code, out, _err = _publish_cli(db, bundle, capsys)
        assert code == 0 and "version {0}".format(NEXT) in out
        fetched = Recorder()
        report = sync(s, transport=fetched)
        assert (report.catalogue, report.errors) == (1, 0)
        assert fetched.count(CATALOGUE_PATH) == 1
        assert s.catalogue.active_ref() == ("pingshan", NEXT)
        new_case = s.cases.create(intake(), confirm_duplicate=True).id
        assert (_pinned(s, old_case), _pinned(s, new_case)) == (SHIPPED, NEXT)
        held = Recorder()
        assert sync(s, transport=held).catalogue == 0  # already held: the pull's hints say so, no request
        assert held.count(CATALOGUE_PATH) == 0
        old_server = Recorder(old_server=True)
        assert sync(s, transport=old_server).catalogue == 0  # a server before hints answers "unchanged"
        assert old_server.count(CATALOGUE_PATH) == 1
        with s.read() as r:
            versions = sorted(r.scalars(select(CatalogueBundle.version)))
        assert versions == [SHIPPED, NEXT]


def test_the_server_refuses_the_same_version_again_an_older_one_and_a_tampered_bundle(
    tmp_path: Path, district: District, trusted: TrustedKeys, capsys: pytest.CaptureFixture[str]
) -> None:
    _base, db = district
    first = tmp_path / "next.fzcat.json"
    first.write_bytes(signed_bundle(NEXT))
    assert _publish_cli(db, first, capsys)[0] == 0
    for raw in (signed_bundle(NEXT), signed_bundle(SHIPPED)):
        path = tmp_path / "again.fzcat.json"
        path.write_bytes(raw)
        code, _out, err = _publish_cli(db, path, capsys)
        assert code == 1
        assert "each publication must carry a higher version number" in err
    tampered = tmp_path / "tampered.fzcat.json"
    tampered.write_bytes(_tampered(NEXT + 1))
    code, _out, err = _publish_cli(db, tampered, capsys)
    assert code == 1 and "signature does not match" in err
    with pytest.raises(BundleError) as refused:
        publish(db, signed_bundle(NEXT + 1), trusted_keys=_shipped_only())
    assert refused.value.reason == "unknown_key"  # the server trusts exactly the keys a desk trusts
    head = newest(db)
    assert head is not None and head.version == NEXT


def _shipped_only() -> TrustedKeys:
    from fzmediate.resources import resource

    return TrustedKeys.from_json(resource("catalogue", "trusted-keys.json").read_bytes())


def test_a_desk_refuses_a_tampered_bundle_from_a_compromised_server(
    tmp_path: Path, clock: FakeClock, district: District, trusted: TrustedKeys, english: None
) -> None:
    base, db = district
    publish(db, signed_bundle(NEXT), trusted_keys=trusted)
    with db.sessions() as session:  # the server's database is changed behind its back
        session.execute(update(PublishedCatalogue).values(raw=_tampered(NEXT)))
        session.commit()
    ws = _desk(tmp_path, "a", clock)
    with ws.unlock("admin", ADMIN_PW) as s:
        enroll(s, base, issue_code(db, UNIT, "desk")[0])
        with pytest.raises(CatalogueRefused) as refused:
            sync(s)
        assert refused.value.code == "catalogue_refused"
        assert "signature does not match" in refused.value.message
        assert "The catalogue in use is unchanged." in refused.value.message
        assert s.catalogue.active_ref() == ("pingshan", SHIPPED)
        with s.read() as r:
            assert list(r.scalars(select(CatalogueBundle.version))) == [SHIPPED]


def _kiosk_channel(client: httpx.Client, db: Database, clock: FakeClock, device_id: str) -> Channel:
    """A kiosk device enrolled on the server (role kiosk) and a channel signed with its key."""
    key = Ed25519PrivateKey.generate()
    request = EnrollRequest(
        code=issue_code(db, UNIT, "kiosk")[0], device_id=device_id, public_key=public_b64(key), role="kiosk"
    )
    unsigned = Channel(client, now=clock)  # learns the clock offset (the test clock is days off the server's)
    unsigned.call("POST", "/v1/enroll", body=request.model_dump_json().encode())
    return Channel(client, now=clock, offset_s=unsigned.offset_s, device_id=device_id, key=key)


def test_a_kiosk_pulls_the_catalogue_into_its_store(
    tmp_path: Path, clock: FakeClock, district: District, trusted: TrustedKeys
) -> None:
    base, db = district
    publish(db, signed_bundle(NEXT), trusted_keys=trusted)
    device = make_kiosk(tmp_path, clock, make_desk(tmp_path, clock))
    with device.open(KIOSK_PW) as kiosk, http_client(base, transport=None, ca_pem=None) as client:
        channel = _kiosk_channel(client, db, clock, kiosk.device_id)
        pulled = pull_catalogue(kiosk, channel)
        assert pulled.offered == ("pingshan", NEXT) and pulled.installed is not None
        assert kiosk.catalogue.active_ref() == ("pingshan", NEXT)
        again = pull_catalogue(kiosk, channel)
        assert (again.offered, again.installed) == (("pingshan", NEXT), None)
        etag = '"{0}"'.format(newest(db).digest)  # type: ignore[union-attr]
        assert channel.call("GET", CATALOGUE_PATH).headers["ETag"] == etag


def test_an_unenrolled_device_gets_no_catalogue(tmp_path: Path, district: District, trusted: TrustedKeys) -> None:
    base, db = district
    publish(db, signed_bundle(NEXT), trusted_keys=trusted)
    with http_client(base, transport=None, ca_pem=None) as client:
        stranger = Channel(client, now=utc_now, device_id=str(uuid.uuid4()), key=Ed25519PrivateKey.generate())
        with pytest.raises(DeviceRefused) as refused:
            stranger.call("GET", CATALOGUE_PATH)
        assert refused.value.code == "unknown_device"
        unsigned = client.get(CATALOGUE_PATH, headers={"FZ-Protocol": "1"})
        assert (unsigned.status_code, unsigned.json()) == (401, {"error": "bad_signature"})
