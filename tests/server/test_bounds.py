"""Requests the wire models allow but the databases cannot store are refused (422, fields named, values not
echoed), never a 500; and odd values that do get stored cannot break the district view."""

from __future__ import annotations

import gzip
import json
from typing import Any, cast

import httpx

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


# --- gzip request bodies ------------------------------------------------------------------------------------


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


def test_a_gzip_push_is_taken_and_every_answer_says_the_server_takes_gzip(server: Server) -> None:
    desk = server.enroll()
    rows = [desk.change("case", "c{0}".format(i), "create", {"name": MARKER, "n": i}) for i in range(1, 40)]
    plain = json.dumps({"changes": rows}).encode("utf-8")
    answer = _send(desk, gzip.compress(plain))
    assert answer.status_code == 200, answer.text
    assert [r["status"] for r in answer.json()["results"]] == ["applied"] * 39
    assert answer.headers["accept-encoding"] == "gzip"
    assert len(desk.pull(0)["changes"]) == 0  # its own changes; the other desk sees them all
    assert len(server.enroll().pull(0)["changes"]) == 39


def test_the_digest_is_over_the_bytes_as_sent(server: Server) -> None:
    desk = server.enroll()
    plain = json.dumps({"changes": [desk.change("case", "c1", "create", {"name": MARKER})]}).encode("utf-8")
    refused = _send(desk, gzip.compress(plain), digest_of=plain)  # a digest of the decompressed body
    assert (refused.status_code, refused.json()) == (401, {"error": "bad_signature"})
    assert _send(desk, gzip.compress(plain)).status_code == 200


def test_a_gzip_bomb_is_refused_413_without_inflating_it(server: Server) -> None:
    desk = server.enroll()
    bomb = gzip.compress(b"[" * (MAX_BODY_BYTES * 50), compresslevel=9)  # 50 MB inflated, ~50 KB sent
    assert len(bomb) < MAX_BODY_BYTES // 10
    answer = _send(desk, bomb)
    assert (answer.status_code, answer.json()) == (413, {"error": "too_large"})
    just_over = gzip.compress(b" " * (MAX_BODY_BYTES + 1))
    assert _send(desk, just_over).status_code == 413


def test_broken_or_unknown_encodings_are_refused_not_500(server: Server) -> None:
    desk = server.enroll()
    plain = json.dumps({"changes": [desk.change("case", "c1", "create", {"name": MARKER})]}).encode("utf-8")
    packed = gzip.compress(plain)
    for raw, code in ((packed[: len(packed) // 2], "bad_encoding"), (packed + b"junk", "bad_encoding")):
        answer = _send(desk, raw)
        assert (answer.status_code, answer.json()) == (400, {"error": code})
        assert MARKER not in answer.text
    answer = _send(desk, packed, encoding="br")
    assert (answer.status_code, answer.json()) == (415, {"error": "unsupported_encoding"})
    assert answer.headers["accept-encoding"] == "gzip"


def test_large_answers_are_gzip_compressed_for_clients_that_take_it(server: Server) -> None:
    desk, other = server.enroll(), server.enroll()
    desk.push(*[desk.change("case", "c{0}".format(i), "create", {"name": MARKER * 20}) for i in range(1, 30)])
    page = other.call("GET", "/v1/sync/pull?after=0")  # httpx asks for gzip by default
    assert page.headers.get("content-encoding") == "gzip"
    assert len(page.json()["changes"]) == 29  # decompressed by the client
