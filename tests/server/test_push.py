"""Push: strict device_seq order, idempotent retries, the three-way merge, sealed kinds, tombstones."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from fzmediate.server import push as push_module
from fzmediate.server.models import Anchor, ChangeLog, Entity
from fzmediate.server.models import Device as DeviceRow
from fzmediate.sync.protocol import FOLLOWS_HEADER, MAX_PUSH_CHANGES, PUSH_MAX_HEADER, PushResponse
from tests.server.harness import OTHER_UNIT, Device, Server


def _statuses(answer: dict[str, Any]) -> list[tuple[int, str]]:
    return [(r["device_seq"], r["status"]) for r in answer["results"]]


def _log_count(server: Server) -> int:
    with server.db.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(ChangeLog)) or 0)


def _entity(server: Server, entity: str, entity_id: str) -> Entity:
    with server.db.sessions() as s:
        row = s.get(Entity, (entity, entity_id))
        assert row is not None
        return row


def test_a_retried_push_is_answered_duplicate_and_changes_nothing(server: Server) -> None:
    desk = server.enroll()
    batch = [desk.change("case", "c1", "create", {"title": "甲"}), desk.change("party", "p1", "create", {"n": 1})]
    first = desk.push(*batch)
    assert _statuses(first) == [(1, "applied"), (2, "applied")] and first["acked_through"] == 2
    again = desk.push(*batch)
    assert _statuses(again) == [(1, "duplicate"), (2, "duplicate")] and again["acked_through"] == 2
    assert [r["server_seq"] for r in again["results"]] == [r["server_seq"] for r in first["results"]]
    assert _log_count(server) == 2


def test_the_answer_is_push_responses_own_json_whatever_the_statuses(server: Server) -> None:
    """The server writes its answer as plain data: it must be the bytes the model itself would give, for every
    kind of result (taken, duplicate, gap, refused, conflict)."""
    desk, other = server.enroll(), server.enroll()
    other.push(other.change("case", "c9", "create", {"title": "甲"}))
    one = desk.change("case", "c1", "create", {"title": "甲"})
    clash = desk.change("case", "c9", "create", {"title": "乙"})
    sealed = desk.change("case_event", "e1", "tombstone", {})
    late = desk.change("case", "c2", "create", {"title": "丙"}, device_seq=9)
    desk.push(one)
    answer = desk.call("POST", "/v1/sync/push", {"changes": [one, clash, sealed, late]})
    assert answer.status_code == 200, answer.text
    parsed = PushResponse.model_validate_json(answer.content)
    statuses = [(r.status, r.reason) for r in parsed.results]
    assert statuses == [("duplicate", None), ("conflict", "exists"), ("rejected", "sealed"), ("gap", None)]
    assert answer.content == parsed.model_dump_json(exclude={"anchor"}).encode()  # no head carried: no key


def test_a_push_may_carry_the_audit_head(server: Server) -> None:
    """Kept in the push's transaction as /v1/sync/anchor keeps it; a head that does not extend the kept one is
    refused (the changes are taken all the same); one parameter without the other is invalid."""
    desk = server.enroll()
    plain = desk.call("POST", "/v1/sync/push", {"changes": _creates(desk, 1, 1)})
    assert "anchor" not in plain.json()  # not carried: not answered (an earlier desk refuses unknown keys)
    answer = desk.call("POST", "/v1/sync/push?anchor_seq=7&anchor_hash=" + "ab" * 32, {"changes": _creates(desk, 2, 1)})
    parsed = PushResponse.model_validate_json(answer.content)
    assert parsed.anchor is not None and (parsed.anchor.accepted, parsed.anchor.seq) == (True, 7)
    assert answer.content == parsed.model_dump_json().encode()
    again = desk.call("POST", "/v1/sync/anchor", {"seq": 7, "hash": "ab" * 32})
    assert again.json()["accepted"] is True  # the same head again changes nothing
    rewound = desk.call(
        "POST", "/v1/sync/push?anchor_seq=6&anchor_hash=" + "cd" * 32, {"changes": _creates(desk, 3, 1)}
    )
    kept = rewound.json()["anchor"]
    assert (kept["accepted"], kept["reason"], kept["seq"], kept["hash"]) == (False, "rewound", 7, "ab" * 32)
    assert _statuses(rewound.json()) == [(3, "applied")]
    half = desk.call("POST", "/v1/sync/push?anchor_seq=8", {"changes": _creates(desk, 4, 1)})
    assert half.status_code == 422 and half.json()["problems"] == ["query.anchor_hash: Field required"]
    bad = desk.call("POST", "/v1/sync/push?anchor_seq=8&anchor_hash=%00", {"changes": _creates(desk, 4, 1)})
    assert bad.status_code == 422 and bad.json()["problems"][0].startswith("query.anchor_hash")
    assert _log_count(server) == 3


def _kept(server: Server, device_id: str) -> tuple[tuple[int, str] | None, int]:
    """The audit head the server keeps for the device, and its acked_through, as stored."""
    with server.db.sessions() as s:
        head, device = s.get(Anchor, device_id), s.get(DeviceRow, device_id)
        assert device is not None
        return (None if head is None else (head.seq, head.hash)), device.acked_through


def test_the_audit_head_is_kept_whatever_the_push_takes(server: Server) -> None:
    """Stored with a push that takes a few changes, one that takes none (a retry), and one too big to number in
    one round trip; a head that does not extend the kept one leaves it as it is."""
    desk = server.enroll()
    path = "/v1/sync/push?anchor_seq={0}&anchor_hash={1}"
    few = _creates(desk, 1, 2)
    assert _statuses(desk.call("POST", path.format(5, "a1" * 32), {"changes": few}).json()) == [
        (1, "applied"),
        (2, "applied"),
    ]
    assert _kept(server, desk.device_id) == ((5, "a1" * 32), 2)
    retried = desk.call("POST", path.format(6, "b2" * 32), {"changes": few}).json()
    assert _statuses(retried) == [(1, "duplicate"), (2, "duplicate")] and retried["anchor"]["accepted"] is True
    assert _kept(server, desk.device_id) == ((6, "b2" * 32), 2)
    many = _creates(desk, 3, push_module.ONE_ROUND_TRIP_UP_TO + 1)
    big = desk.call("POST", path.format(7, "c3" * 32), {"changes": many}).json()
    assert {status for _seq, status in _statuses(big)} == {"applied"} and big["anchor"]["accepted"] is True
    assert _kept(server, desk.device_id) == ((7, "c3" * 32), 2 + len(many))
    rewound = desk.call("POST", path.format(3, "d4" * 32), {"changes": _creates(desk, 3 + len(many), 1)}).json()
    assert rewound["anchor"]["reason"] == "rewound" and _statuses(rewound) == [(3 + len(many), "applied")]
    assert _kept(server, desk.device_id) == ((7, "c3" * 32), 3 + len(many))


def _creates(desk: Device, first: int, n: int) -> list[dict[str, Any]]:
    return [desk.change("case", "c{0}".format(first + i), "create", {"title": "甲"}) for i in range(n)]


def test_a_push_that_follows_one_still_on_its_way_waits_for_it(server: Server) -> None:
    """A desk keeps two pushes in flight; the second names the first's last device_seq. Sent first here, it
    waits at the server until the first is taken, instead of being answered gap."""
    desk = server.enroll()
    first, second = _creates(desk, 1, 3), _creates(desk, 4, 3)
    with ThreadPoolExecutor(max_workers=1) as pool:
        later = pool.submit(desk.call, "POST", "/v1/sync/push?follows=3", {"changes": second})
        time.sleep(0.3)
        assert not later.done()  # waiting for seqs 1-3
        assert desk.push(*first)["acked_through"] == 3
        answer = later.result(timeout=30)
    assert answer.status_code == 200 and answer.headers[FOLLOWS_HEADER] == "1"
    assert _statuses(answer.json()) == [(4, "applied"), (5, "applied"), (6, "applied")]
    assert answer.json()["acked_through"] == 6


def test_a_predecessor_that_never_comes_costs_a_bounded_wait(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    desk = server.enroll()
    desk.push(*_creates(desk, 1, 2))
    _creates(desk, 3, 3)  # seqs 3-5: lost on the way, never sent
    # A plausible predecessor is waited for, at most FOLLOW_WAIT_S, then the push is answered as always.
    monkeypatch.setattr(push_module, "FOLLOW_WAIT_S", 0.2)
    answer = desk.call("POST", "/v1/sync/push?follows=5", {"changes": _creates(desk, 6, 2)})
    assert _statuses(answer.json()) == [(6, "gap"), (7, "gap")] and answer.json()["acked_through"] == 2
    # An implausible one (more than a push's worth past what the server holds) is not waited for at all.
    monkeypatch.setattr(push_module, "FOLLOW_WAIT_S", 60.0)
    far = desk.change("case", "c5000", "create", {"title": "甲"}, device_seq=5000)
    with ThreadPoolExecutor(max_workers=1) as pool:
        answer = pool.submit(desk.call, "POST", "/v1/sync/push?follows=4999", {"changes": [far]}).result(timeout=30)
    assert _statuses(answer.json()) == [(5000, "gap")]


def test_a_change_after_a_gap_waits_until_the_gap_is_filled(server: Server) -> None:
    desk = server.enroll()
    one = desk.change("case", "c1", "create", {"title": "甲"})
    two = desk.change("case", "c1", "patch", {"title": {"old": "甲", "new": "乙"}}, base_version=1, version=2)
    answer = desk.push(two)
    assert _statuses(answer) == [(2, "gap")] and answer["acked_through"] == 0
    assert _statuses(desk.push(two, one)) == [(2, "gap"), (1, "applied")]
    assert _statuses(desk.push(one, two)) == [(1, "duplicate"), (2, "applied")]
    assert _entity(server, "case", "c1").fields == {"title": "乙"}


def test_device_and_seq_are_unique_in_the_log(server: Server) -> None:
    desk = server.enroll()
    desk.push(desk.change("case", "c1", "create", {"title": "甲"}))
    with server.db.sessions() as s:
        row = s.scalar(select(ChangeLog))
        assert row is not None
        copy = ChangeLog(**{c.key: getattr(row, c.key) for c in ChangeLog.__table__.columns})
        copy.server_seq, copy.change_id = 99, "another"
        s.add(copy)
        with pytest.raises(IntegrityError):
            s.commit()


def test_a_number_reused_for_another_change_is_refused_not_swallowed(server: Server) -> None:
    desk = server.enroll()
    desk.push(desk.change("case", "c1", "create", {"title": "甲"}))
    other = desk.change("case", "c2", "create", {"title": "乙"}, device_seq=1, change_id="fresh-id")
    assert desk.push(other)["results"][0] == {
        "device_seq": 1,
        "status": "rejected",
        "reason": "seq_reused",
        "server_seq": None,
        "version": None,
    }


def test_a_field_changed_on_one_side_only_is_merged(server: Server) -> None:
    a, b = server.enroll(), server.enroll()
    a.push(a.change("case", "c1", "create", {"title": "甲", "phase": "intake"}))
    b.push(b.change("case", "c1", "patch", {"phase": {"old": "intake", "new": "mediation"}}, base_version=1))
    answer = a.push(a.change("case", "c1", "patch", {"title": {"old": "甲", "new": "乙"}}, base_version=1))
    assert answer["results"][0]["status"] == "merged" and answer["results"][0]["version"] == 3
    entity = _entity(server, "case", "c1")
    assert entity.fields == {"title": "乙", "phase": "mediation"} and entity.version == 3


def test_a_field_changed_on_both_sides_is_a_conflict_both_devices_see(server: Server) -> None:
    a, b = server.enroll(), server.enroll()
    a.push(a.change("case", "c1", "create", {"title": "甲", "phase": "intake", "note": ""}))
    b.push(b.change("case", "c1", "patch", {"title": {"old": "甲", "new": "乙"}}, base_version=1, actor="li"))
    answer = a.push(
        a.change(
            "case",
            "c1",
            "patch",
            {"title": {"old": "甲", "new": "丙"}, "note": {"old": "", "new": "n"}},
            base_version=1,
            actor="wang",
        )
    )
    assert answer["results"][0]["status"] == "conflict" and answer["results"][0]["reason"] == "field_conflict"
    assert _entity(server, "case", "c1").fields == {"title": "乙", "phase": "intake", "note": "n"}
    for device in (a, b):
        conflicts = device.pull()["conflicts"]
        assert len(conflicts) == 1
        c = conflicts[0]
        assert (c["field"], c["base_value"], c["server_value"], c["client_value"]) == ("title", "甲", "乙", "丙")
        assert (c["server_device"], c["client_device"]) == (b.device_id, a.device_id)
        assert (c["server_actor"], c["client_actor"]) == ("li", "wang")
    # What B pulls of A's change is what the server applied: the note, never the losing title.
    pulled = [ch for ch in b.pull()["changes"] if ch["op"] == "patch"]
    assert [ch["payload"] for ch in pulled] == [{"note": {"old": "", "new": "n"}}]


def test_sealed_kinds_refuse_patch_and_tombstone(server: Server) -> None:
    desk = server.enroll()
    event = desk.change("case_event", "e1", "append", {"kind": "note", "text": "x"})
    assert desk.push(event)["results"][0]["status"] == "applied"
    results = desk.push(
        desk.change("case_event", "e1", "patch", {"text": {"old": "x", "new": "y"}}, base_version=1),
        desk.change("case_event", "e1", "tombstone", {}, base_version=1),
        desk.change("case_event", "e1", "append", {"kind": "note", "text": "other"}),
        desk.change("case_event", "e1", "append", {"kind": "note", "text": "x"}),
    )["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        ("rejected", "sealed"),
        ("rejected", "sealed"),
        ("rejected", "sealed"),
        ("merged", None),
    ]
    assert _entity(server, "case_event", "e1").fields == {"kind": "note", "text": "x"}
    retried = desk.push(desk.change("x", "y", "create", {}, device_seq=2, change_id=desk.device_id + "-2"))
    assert retried["results"][0]["reason"] == "sealed"  # a refused change retried: refused again, same reason


def test_a_tombstone_against_an_edit_is_a_conflict(server: Server) -> None:
    a, b = server.enroll(), server.enroll()
    a.push(a.change("party", "p1", "create", {"name": "张三"}))
    a.push(a.change("party", "p1", "patch", {"name": {"old": "张三", "new": "张三丰"}}, base_version=1))
    answer = b.push(b.change("party", "p1", "tombstone", {}, base_version=1))
    assert (answer["results"][0]["status"], answer["results"][0]["reason"]) == ("conflict", "changed")
    assert _entity(server, "party", "p1").deleted is False
    assert [c["field"] for c in a.pull()["conflicts"]] == ["_deleted"]
    assert b.push(b.change("party", "p1", "tombstone", {}, base_version=2))["results"][0]["status"] == "applied"
    late = a.push(a.change("party", "p1", "patch", {"name": {"old": "张三丰", "new": "张三"}}, base_version=2))
    assert (late["results"][0]["status"], late["results"][0]["reason"]) == ("conflict", "deleted")
    assert _entity(server, "party", "p1").deleted is True


def test_a_create_over_other_content_is_a_conflict_and_the_same_content_a_no_op(server: Server) -> None:
    a, b = server.enroll(), server.enroll()
    a.push(a.change("case", "c1", "create", {"title": "甲"}))
    assert b.push(b.change("case", "c1", "create", {"title": "甲"}))["results"][0]["status"] == "merged"
    assert b.push(b.change("case", "c1", "create", {"title": "乙"}))["results"][0]["status"] == "conflict"
    assert _entity(server, "case", "c1").fields == {"title": "甲"}


def test_a_device_changes_only_entities_of_its_unit(server: Server) -> None:
    a, stranger = server.enroll(), server.enroll(unit=OTHER_UNIT)
    a.push(a.change("case", "c1", "create", {"title": "甲"}))
    answer = stranger.push(stranger.change("case", "c1", "patch", {"title": {"old": "甲", "new": "乙"}}))
    assert (answer["results"][0]["status"], answer["results"][0]["reason"]) == ("rejected", "scope")
    assert answer["acked_through"] == 1  # refused, yet held: the device moves on


def test_a_push_answer_says_how_many_changes_the_server_takes(server: Server) -> None:
    """The server takes up to MAX_PUSH_CHANGES in one push and says so in each answer; more is refused with 422
    (and nothing of it is taken)."""
    desk = server.enroll()
    answer = desk.call("POST", "/v1/sync/push", {"changes": _creates(desk, 1, MAX_PUSH_CHANGES)})
    assert answer.status_code == 200 and answer.headers[PUSH_MAX_HEADER] == str(MAX_PUSH_CHANGES) == "2000"
    assert answer.json()["acked_through"] == MAX_PUSH_CHANGES
    first = MAX_PUSH_CHANGES + 1
    too_many = desk.call("POST", "/v1/sync/push", {"changes": _creates(desk, first, MAX_PUSH_CHANGES + 1)})
    assert too_many.status_code == 422
    again = desk.change("case", "c{0}".format(first), "create", {"title": "甲"}, device_seq=first)
    assert desk.push(again)["results"][0]["status"] == "applied"  # not "duplicate": none of the 2,001 was taken


def test_a_change_id_the_server_holds_already_is_refused_and_the_rest_taken(server: Server) -> None:
    """A change id is unique across devices: one the server logged before (here from another device) is refused
    (``change_id_reused``), the others are taken, nothing is written twice."""
    a, b = server.enroll(), server.enroll()
    first = a.change("case", "c1", "create", {"title": "甲"})
    a.push(first)
    copied = b.change("case", "c2", "create", {"title": "乙"})
    copied["change_id"] = first["change_id"]
    after = b.change("case", "c3", "create", {"title": "丙"})
    answer = b.push(copied, after)
    assert [(r["device_seq"], r["status"], r["reason"]) for r in answer["results"]] == [
        (1, "rejected", "change_id_reused"),
        (2, "applied", None),
    ]
    assert answer["acked_through"] == 2
    assert b.push(copied)["results"][0]["status"] == "rejected"  # sent again: refused again, as first answered
    with server.db.sessions() as s:
        logged = s.execute(select(ChangeLog.device_id, ChangeLog.change_id, ChangeLog.status)).all()
        entities = sorted(s.scalars(select(Entity.entity_id)))
    assert sorted((d == a.device_id, cid is None, st) for d, cid, st in logged) == [
        (False, False, "applied"),
        (False, True, "rejected"),
        (True, False, "applied"),
    ]
    assert entities == ["c1", "c3"]
