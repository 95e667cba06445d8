"""Enrollment: the device key and the server's assignment are stored in one transaction, once, by an admin."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from fzmediate.errors import PermissionDenied
from fzmediate.services.numbering import DEVICE_CODE_KEY
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import AuditEvent, Meta, SyncState
from fzmediate.sync.client import AlreadyEnrolledError, enroll
from fzmediate.sync.http import DeviceRefused
from fzmediate.sync.signing import public_key_of
from tests.support import ADMIN_PW, MEDIATOR_PW
from tests.sync.fake_server import CODE, FakeServer


def test_enroll_stores_the_key_unit_and_device_code_and_refuses_twice(desk: Session, server: FakeServer) -> None:
    result = enroll(desk, "http://district.test", CODE, transport=server.transport())
    assert (result.unit, result.device_code, result.device_id) == ("PS-JD-PS", "D00001", desk.device_id)
    with desk.read() as s:
        state = s.get(SyncState, 1)
        assert state is not None
        assert (state.server_url, state.unit, state.device_code, state.after, state.acked_through) == (
            "http://district.test", "PS-JD-PS", "D00001", 0, 0,
        )  # fmt: skip
        raw_public = public_key_of(server.devices[desk.device_id].public_key).public_bytes_raw()
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        assert Ed25519PrivateKey.from_private_bytes(state.device_key).public_key().public_bytes_raw() == raw_public
        meta = s.get(Meta, DEVICE_CODE_KEY)
        assert meta is not None and meta.value == "D00001"
        assert s.scalars(select(AuditEvent.action).where(AuditEvent.action == "sync.enroll")).all() == ["sync.enroll"]
    server.codes["SECOND-CODE-5678"] = "PS-JD-PS"
    requests = len(server.requests)
    with pytest.raises(AlreadyEnrolledError):
        enroll(desk, "http://district.test", "SECOND-CODE-5678", transport=server.transport())
    assert len(server.requests) == requests  # refused before the code was spent


def test_state_and_device_code_are_one_transaction(desk: Session, server: FakeServer) -> None:
    def disk_full(*_args: object) -> None:
        raise RuntimeError("disk full")

    event.listen(Meta, "before_insert", disk_full)  # the device code's row fails after sync_state was added
    try:
        with pytest.raises(RuntimeError):
            enroll(desk, "http://district.test", CODE, transport=server.transport())
    finally:
        event.remove(Meta, "before_insert", disk_full)
    with desk.read() as s:
        assert s.get(SyncState, 1) is None and s.get(Meta, DEVICE_CODE_KEY) is None


def test_only_an_administrator_enrolls_and_a_bad_code_names_only_its_code(
    initialized: Workspace, desk: Session, server: FakeServer
) -> None:
    desk.users.add("med1", "mediator", MEDIATOR_PW)
    desk.lock()
    with initialized.unlock("med1", MEDIATOR_PW) as med, pytest.raises(PermissionDenied) as refused:
        enroll(med, "http://district.test", CODE, transport=server.transport())
    assert "sync.enroll" in str(refused.value)
    with initialized.unlock("admin", ADMIN_PW) as admin, pytest.raises(DeviceRefused) as bad:
        enroll(admin, "http://district.test", "WRONG-CODE-0000", transport=server.transport())
    assert "bad_code" in str(bad.value) and "WRONG" not in str(bad.value)
