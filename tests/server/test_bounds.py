"""Requests the wire models allow but the databases cannot store are refused (422, fields named, values not
echoed), never a 500; and odd values that do get stored cannot break the district view."""

from __future__ import annotations

import gzip
import json
from typing import Any, cast

import httpx
import pytest
import zstandard

from fzmediate.server.district_view import district_stats
from fzmediate.sync.protocol import MAX_BODY_BYTES, PROTOCOL_HEADER, SCHEMA_HEADER
from fzmediate.sync.signing import sign_request
from tests.server.harness import Device, Server

MARKER = "柏舟测试人"


def _problems(answer: Any) -> list[str]:
    assert answer.status_code == 422, answer.text
    assert MARKER not in answer.text
    problems: list[str] = answer.json()["problems"]
    return problems


def test_values_the_columns_cannot_hold_are_refused(server: Server) -> None:
    desk = server.enroll()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"version": 2**40}, "body.changes.0.version: out of range"),
        ({"base_version": 2**31}, "body.changes.0.base_version: out of range"),
        ({"device_seq": 2**63}, "body.changes.0.device_seq: out of range"),
        ({"entity_id": MARKER + "\x00"}, "body.changes.0.entity_id: contains NUL"),
        ({"payload": {"name": MARKER + "\x00"}}, "body.changes.0.payload.*: contains NUL"),
        ({"payload": {MARKER + "\x00": 1}}, "body.changes.0.payload.*: contains NUL"),
        ({"created_at": "0001-01-01T00:00:00+05:00"}, "body.changes.0.created_at: out of range"),
        ({"created_at": "9999-12-31T23:00:00-05:00"}, "body.changes.0.created_at: out of range"),
        ({"device_seq": 2**63, "payload": {"name": MARKER + "\x00"}}, "body.changes.0.device_seq: out of range"),
    ]
    for change, problem in cases:
        row = desk.change("case", "c1", "create", {"name": MARKER})
        row.update(change)
        answer = desk.call("POST", "/v1/sync/push", {"changes": [row]})
        assert problem in _problems(answer), change
    assert _problems(desk.call("POST", "/v1/sync/anchor", {"seq": 2**64, "hash": "ab"})) == ["body.seq: out of range"]
    assert desk.call("GET", "/v1/sync/pull?after={0}".format(2**64)).status_code == 422
    accepted = desk.push(desk.change("case", "c1", "create", {"name": MARKER}, device_seq=1))
    assert accepted["results"][0]["status"] == "applied"  # nothing was taken before


def test_odd_values_a_desk_sent_do_not_break_the_district_view(server: Server) -> None:
    desk = server.enroll()
    desk.push(
        desk.change(
            "case", "c1", "create", {"matter_code": 5, "state": ["x"], "received_on": 20261101, "next_due": {}}
        ),
        desk.change("case", "c2", "create", {"matter_code": "PS-TJ-001", "received_on": "2026-11-01"}),
        desk.change("case_event", "e1", "append", {"case_id": "c1", "seq": "x", "action": "withdraw", "on_date": 3}),
        desk.change("case_event", "e2", "append", {"case_id": "c2", "seq": 2**70, "action": "decide", "on_date": "x"}),
        desk.change("case_event", "e3", "append", {"case_id": 7, "seq": 1.5, "action": "refuse"}),
        desk.change("case_event", "e4", "append", {"action": "terminate"}),
    )
    figures = district_stats(server.db).as_json()
    assert figures["total"]["received"] == 2 and figures["total"]["outcomes"] == {"withdrawn": 1, "decided": 1}
    assert figures["total"]["median_days"] is None


# --- compressed request bodies (zstd, gzip) -----------------------------------------------------------------

CODINGS = ("zstd", "gzip")


def _pack(data: bytes, coding: str) -> bytes:
    return zstandard.ZstdCompressor().compress(data) if coding == "zstd" else gzip.compress(data)


def _send(desk: Device, raw: bytes, *, encoding: str = "gzip", digest_of: bytes | None = None) -> httpx.Response:
    """POST ``raw`` to /v1/sync/push as sent, with ``Content-Encoding``; signed over ``digest_of`` (default:
    the bytes as sent)."""
    headers = {PROTOCOL_HEADER: "1", SCHEMA_HEADER: "0002", "content-type": "application/json"}
    headers["content-encoding"] = encoding
    client = desk.server.client
    signed = client.build_request(
        "POST", "/v1/sync/push", content=raw if digest_of is None else digest_of, headers=headers
    )
    sign_request(signed, desk.device_id, desk.key, now=desk.server.clock())
    kept = {k: v for k, v in signed.headers.items() if k.lower() != "content-length"}
    request = client.build_request("POST", "/v1/sync/push", content=raw, headers=kept)
    return cast(httpx.Response, desk.server.client.send(request))


@pytest.mark.parametrize("coding", CODINGS)
def test_a_compressed_push_is_taken_and_every_answer_says_which_codings_the_server_takes(
    server: Server, coding: str
) -> None:
    desk = server.enroll()
    rows = [desk.change("case", "c{0}".format(i), "create", {"name": MARKER, "n": i}) for i in range(1, 40)]
    plain = json.dumps({"changes": rows}).encode("utf-8")
    answer = _send(desk, _pack(plain, coding), encoding=coding)
    assert answer.status_code == 200, answer.text
    assert [r["status"] for r in answer.json()["results"]] == ["applied"] * 39
    assert answer.headers["accept-encoding"] == "zstd, gzip"  # preferred first
    assert len(desk.pull(0)["changes"]) == 0  # its own changes; the other desk sees them all
    assert len(server.enroll().pull(0)["changes"]) == 39


@pytest.mark.parametrize("coding", CODINGS)
def test_the_digest_is_over_the_bytes_as_sent(server: Server, coding: str) -> None:
    desk = server.enroll()
    plain = json.dumps({"changes": [desk.change("case", "c1", "create", {"name": MARKER})]}).encode("utf-8")
    refused = _send(desk, _pack(plain, coding), encoding=coding, digest_of=plain)  # a digest of the plain body
    assert (refused.status_code, refused.json()) == (401, {"error": "bad_signature"})
    assert _send(desk, _pack(plain, coding), encoding=coding).status_code == 200


def _zstd_unsized(data: bytes) -> bytes:
    """A zstd frame that does not say how large it inflates (as a stream compressor writes it)."""
    packer = zstandard.ZstdCompressor(level=19, write_content_size=False).compressobj()
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize("coding", [*CODINGS, "zstd-unsized"])
def test_a_compression_bomb_is_refused_413_without_inflating_it(server: Server, coding: str) -> None:
    desk = server.enroll()
    wire = coding.partition("-")[0]

    def pack(data: bytes) -> bytes:
        return _zstd_unsized(data) if coding == "zstd-unsized" else _pack(data, coding)

    bomb = pack(b"[" * (MAX_BODY_BYTES * 50))  # 50 MB inflated, a few KB sent
    assert len(bomb) < MAX_BODY_BYTES // 10
    answer = _send(desk, bomb, encoding=wire)
    assert (answer.status_code, answer.json()) == (413, {"error": "too_large"})
    assert _send(desk, pack(b" " * (MAX_BODY_BYTES + 1)), encoding=wire).status_code == 413
    ok = pack(json.dumps({"changes": [desk.change("case", "c1", "create", {"name": MARKER})]}).encode("utf-8"))
    assert _send(desk, ok, encoding=wire).status_code == 200  # the same kind of frame, within the limit


def test_a_zstd_frame_that_claims_more_than_the_limit_is_refused_before_inflating(server: Server) -> None:
    """A frame's header may declare its size; zstandard would allocate that much at once."""
    desk = server.enroll()
    huge = zstandard.ZstdCompressor(level=19).compress(b"\0" * (MAX_BODY_BYTES * 200))
    assert zstandard.frame_content_size(huge) == MAX_BODY_BYTES * 200
    answer = _send(desk, huge, encoding="zstd")
    assert (answer.status_code, answer.json()) == (413, {"error": "too_large"})


def test_a_zstd_frame_that_asks_for_a_huge_window_is_refused(server: Server) -> None:
    """A few hundred bytes can ask the decoder for a 128 MB window (zstd's own default limit)."""
    desk = server.enroll()
    params = zstandard.ZstdCompressionParameters.from_level(19, window_log=27, write_content_size=False)
    packer = zstandard.ZstdCompressor(compression_params=params).compressobj()
    wide = packer.compress(b"[" * 10_000_000) + packer.flush()
    assert len(wide) < 1000 and zstandard.get_frame_parameters(wide).window_size == 1 << 27
    answer = _send(desk, wide, encoding="zstd")
    assert (answer.status_code, answer.json()) == (400, {"error": "bad_encoding"})


@pytest.mark.parametrize("coding", CODINGS)
def test_broken_or_unknown_encodings_are_refused_not_500(server: Server, coding: str) -> None:
    desk = server.enroll()
    plain = json.dumps({"changes": [desk.change("case", "c1", "create", {"name": MARKER})]}).encode("utf-8")
    packed = _pack(plain, coding)
    broken = (packed[: len(packed) // 2], packed + b"junk", packed + packed, b"not compressed at all")
    for raw in broken:
        answer = _send(desk, raw, encoding=coding)
        assert (answer.status_code, answer.json()) == (400, {"error": "bad_encoding"})
        assert MARKER not in answer.text
    answer = _send(desk, packed, encoding="br")
    assert (answer.status_code, answer.json()) == (415, {"error": "unsupported_encoding"})
    assert answer.headers["accept-encoding"] == "zstd, gzip"
    assert desk.pull(0)["changes"] == [] and server.enroll().pull(0)["changes"] == []  # nothing was taken


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        (None, "zstd"),  # what httpx asks for by default (it decodes zstd through zstandard)
        ("gzip", "gzip"),  # a desk from before zstd
        ("zstd;q=0, gzip", "gzip"),
        ("gzip, zstd", "zstd"),  # the server's preference among the codings taken
        ("identity", None),
        ("br", None),
    ],
)
def test_large_answers_are_compressed_as_the_client_takes_them(
    server: Server, accept: str | None, coding: str | None
) -> None:
    desk, other = server.enroll(), server.enroll()
    desk.push(*[desk.change("case", "c{0}".format(i), "create", {"name": MARKER * 20}) for i in range(1, 30)])
    request = other.request("GET", "/v1/sync/pull?after=0")
    if accept is not None:
        request.headers["Accept-Encoding"] = accept  # not a signed component
    page = server.client.send(request)
    assert page.headers.get("content-encoding") == coding
    changes = page.json()["changes"]  # decompressed by httpx
    assert len(changes) == 29 and changes[0]["payload"]["name"] == MARKER * 20
    if coding is not None:
        assert page.headers["vary"].lower() == "accept-encoding"
        assert int(page.headers["content-length"]) < len(page.content) // 5


def test_small_answers_are_not_compressed_and_other_json_answers_are(server: Server) -> None:
    small = server.enroll().call("GET", "/v1/sync/pull?after=0")
    assert small.status_code == 200 and "content-encoding" not in small.headers
    described = server.client.get("/openapi.json", headers={"Accept-Encoding": "zstd"})
    assert described.headers.get("content-encoding") == "zstd" and "paths" in described.json()
