"""Blobs on the server (fzmediate.server.blobs): resumable upload checked against the hash, nothing half-stored
served, a change naming a missing blob neither taken nor kept, scope by unit, and protocol-1 inline bytes, on
SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

from tests.server.harness import OTHER_UNIT, Device, Server

PATH = "/v1/sync/blobs/{0}"


def _bytes(n: int) -> bytes:
    return os.urandom(n)


def _put(device: Device, sha: str, data: bytes, offset: int, chunk: bytes) -> Any:
    return device.call("PUT", "{0}?offset={1}&size={2}".format(PATH.format(sha), offset, len(data)), content=chunk)


def _held(device: Device, sha: str) -> tuple[int, str]:
    r = device.call("HEAD", PATH.format(sha))
    assert r.status_code == 200
    return int(r.headers["FZ-Blob-Received"]), r.headers["FZ-Blob-Complete"]


def _document(device: Device, data: bytes, **kw: Any) -> dict[str, Any]:
    payload = {
        "case_id": "case-1",
        "kind": "receipt",
        "version": 1,
        "title": "收件回执",
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    payload.update(kw.pop("payload", {}))
    return device.change("document", kw.pop("entity_id", "doc-1"), "append", payload, **kw)


def test_an_interrupted_upload_resumes_from_the_servers_offset(server: Server) -> None:
    desk = server.enroll()
    data = _bytes(3000)
    sha = hashlib.sha256(data).hexdigest()
    assert _held(desk, sha) == (0, "0")
    first = _put(desk, sha, data, 0, data[:1000])
    assert first.status_code == 200 and first.json()["received"] == 1000 and not first.json()["complete"]
    assert _held(desk, sha) == (1000, "0")  # the link dropped here: the server says where to go on
    again = _put(desk, sha, data, 0, data[:1000])  # a chunk sent again after a lost answer changes nothing
    assert again.json()["received"] == 1000
    assert desk.call("GET", PATH.format(sha)).status_code == 404  # nothing half-stored is served
    done = _put(desk, sha, data, 1000, data[1000:])
    assert done.status_code == 200 and done.json() == {"sha256": sha, "size": 3000, "received": 3000, "complete": True}
    assert _held(desk, sha) == (3000, "1")


def test_bytes_that_do_not_match_the_hash_are_refused_and_discarded(server: Server) -> None:
    desk = server.enroll()
    data = _bytes(2000)
    sha = hashlib.sha256(data).hexdigest()
    assert _put(desk, sha, data, 0, data[:1000]).status_code == 200
    wrong = _put(desk, sha, data, 1000, _bytes(1000))
    assert wrong.status_code == 422 and wrong.json() == {"error": "hash_mismatch"}
    assert _held(desk, sha) == (0, "0")  # the partial is gone: a new upload starts from zero
    pushed = desk.push(_document(desk, data))
    assert pushed["results"][0]["reason"] == "blob_missing" and pushed["acked_through"] == 0
    assert desk.call("GET", PATH.format(sha)).status_code == 404


def test_a_change_naming_a_missing_blob_is_not_taken_and_is_taken_once_the_upload_is_whole(server: Server) -> None:
    desk, other = server.enroll(), server.enroll()
    data = _bytes(1500)
    sha = hashlib.sha256(data).hexdigest()
    change, after = _document(desk, data), desk.change("case", "case-1", "create", {"state": "registered"})
    first = desk.push(change, after)
    assert [(r["status"], r.get("reason")) for r in first["results"]] == [("rejected", "blob_missing"), ("gap", None)]
    assert first["acked_through"] == 0
    assert other.pull()["changes"] == []  # nothing published
    assert _put(desk, sha, data, 0, data).json()["complete"]
    second = desk.push(change, after)  # the same two changes again, as the desk's outbox still holds them
    assert [r["status"] for r in second["results"]] == ["applied", "applied"] and second["acked_through"] == 2
    pulled = other.pull()["changes"]
    assert pulled[0]["payload"]["sha256"] == sha
    fetched = other.call("GET", PATH.format(sha))  # a device of the unit reaches the bytes the change names
    assert fetched.status_code == 200 and fetched.content == data


def test_a_device_of_another_unit_cannot_fetch_a_blob(server: Server) -> None:
    desk, stranger = server.enroll(), server.enroll(OTHER_UNIT)
    data = _bytes(800)
    sha = hashlib.sha256(data).hexdigest()
    _put(desk, sha, data, 0, data)
    assert desk.push(_document(desk, data))["results"][0]["status"] == "applied"
    refused = stranger.call("GET", PATH.format(sha))
    assert refused.status_code == 404 and refused.json() == {"error": "not_found"}
    assert _held(stranger, sha) == (0, "0")  # nor does it learn that the server holds the bytes


def test_a_kiosk_may_not_touch_blobs(server: Server) -> None:
    kiosk = server.enroll(role="kiosk")
    data = _bytes(100)
    sha = hashlib.sha256(data).hexdigest()
    assert _put(kiosk, sha, data, 0, data).status_code == 403
    assert kiosk.call("GET", PATH.format(sha)).status_code == 403


def test_protocol_1_inline_bytes_are_checked_kept_as_a_blob_and_left_out_of_the_change(server: Server) -> None:
    desk, other = server.enroll(), server.enroll()
    data = _bytes(1200)
    inline = base64.b64encode(data).decode("ascii")
    bad = desk.push(_document(desk, data, payload={"pdf": base64.b64encode(data[:-1]).decode("ascii")}))
    assert bad["results"][0]["reason"] == "blob_mismatch"  # refused and kept refused: the bytes are not those
    good = desk.push(_document(desk, data, entity_id="doc-2", payload={"pdf": inline}))
    assert good["results"][0]["status"] == "applied"
    pulled = other.pull()["changes"]
    assert [c["entity_id"] for c in pulled] == ["doc-2"] and "pdf" not in pulled[0]["payload"]
    assert other.call("GET", PATH.format(hashlib.sha256(data).hexdigest())).content == data
