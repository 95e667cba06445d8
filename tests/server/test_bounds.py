"""Requests the wire models allow but the databases cannot store are refused (422, fields named, values not
echoed), never a 500; and odd values that do get stored cannot break the district view."""

from __future__ import annotations

from typing import Any

from fzmediate.server.district_view import district_stats
from tests.server.harness import Server

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
