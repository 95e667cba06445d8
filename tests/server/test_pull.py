"""Pull: by commit sequence, in pages, the unit's changes, never the device's own."""

from __future__ import annotations

import json

from tests.server.harness import OTHER_UNIT, Server


def test_pages_follow_next_after_and_skip_the_devices_own_changes(server: Server) -> None:
    a, b = server.enroll(), server.enroll()
    a.push(*[a.change("party", "p{0}".format(i), "create", {"i": i}) for i in range(7)])
    b.push(b.change("party", "own", "create", {"i": 99}))
    seen: list[int] = []
    after, pages = 0, 0
    while True:
        page = b.pull(after=after, limit=3)
        pages += 1
        seen += [c["entity_id"] for c in page["changes"]]
        assert all(c["server_seq"] > after for c in page["changes"])
        after = page["next_after"]
        if not page["more"]:
            break
    assert seen == ["p{0}".format(i) for i in range(7)] and pages == 3  # type: ignore[comparison-overlap]
    assert after == 8  # past B's own change, which it never receives
    again = b.pull(after=after)
    assert again["changes"] == [] and again["next_after"] == 8 and again["more"] is False
    own = a.pull()
    assert [c["entity_id"] for c in own["changes"]] == ["own"] and own["next_after"] == 8


def test_a_pulled_change_carries_the_server_versions(server: Server) -> None:
    a, b = server.enroll(), server.enroll()
    a.push(a.change("case", "c1", "create", {"title": "甲"}))
    a.push(a.change("case", "c1", "patch", {"title": {"old": "甲", "new": "乙"}}, base_version=1, version=2))
    changes = b.pull()["changes"]
    assert [(c["op"], c["base_version"], c["version"]) for c in changes] == [("create", None, 1), ("patch", 1, 2)]
    assert changes[0]["device_id"] == a.device_id and changes[0]["change_id"] == a.device_id + "-1"


def test_another_units_device_sees_nothing(server: Server) -> None:
    a, stranger = server.enroll(), server.enroll(unit=OTHER_UNIT)
    a.push(a.change("case", "c1", "create", {"title": "甲"}))
    page = stranger.pull()
    assert page["changes"] == [] and page["next_after"] == 1


def test_limit_above_the_page_maximum_is_invalid(server: Server) -> None:
    from fzmediate.sync.protocol import MAX_PULL_LIMIT, PULL_MAX_HEADER

    desk = server.enroll()
    answer = desk.call("GET", "/v1/sync/pull?after=0&limit={0}".format(MAX_PULL_LIMIT))
    assert answer.status_code == 200 and answer.headers[PULL_MAX_HEADER] == str(MAX_PULL_LIMIT) == "5000"
    r = desk.call("GET", "/v1/sync/pull?after=0&limit={0}".format(MAX_PULL_LIMIT + 1))
    assert r.status_code == 422 and r.json()["error"] == "invalid"
    assert any(p.startswith("query.limit") for p in r.json()["problems"])


def test_a_page_is_the_json_the_protocol_model_gives(server: Server) -> None:
    """The page is written without the model (payloads spliced in as stored): it must still be exactly what
    PullResponse describes, values and formats alike (times in UTC with Z, rare characters as they are)."""
    from fzmediate.sync.protocol import PullResponse

    a, b = server.enroll(), server.enroll()
    payload = {"name": "王𠮷", "address": "坪山区䶮路1号", "amounts": [1, 2.5, None], "nested": {"ok": True}}
    a.push(a.change("party", "p-json", "create", payload))
    # A device east of UTC, with microseconds: the page gives the time as the server holds it, in UTC.
    a.push(a.change("party", "p-east", "create", {"i": 1}, created_at="2026-12-01T08:00:00.123456+08:00"))
    a.push(a.change("party", "p-east", "patch", {"i": {"old": 1, "new": 2}}, base_version=1, version=2))
    raw = b.pull_raw()
    page = PullResponse.model_validate_json(raw)
    assert page.changes[0].payload == payload
    assert json.loads(raw) == json.loads(page.model_dump_json(exclude={"hints"}))
    assert b'"created_at":"2026-12-01T00:00:00.123456Z"' in raw and "王𠮷".encode() in raw
    assert "hints" not in json.loads(raw)  # not asked for: a desk of an earlier version refuses unknown keys


def test_hints_come_only_when_asked_for_and_with_the_last_page(server: Server) -> None:
    a, b = server.enroll(), server.enroll()
    a.push(*[a.change("party", "p{0}".format(i), "create", {"i": i}) for i in range(5)])
    first = b.call("GET", "/v1/sync/pull?after=0&limit=3&hints=1").json()
    assert first["more"] is True and first["hints"] is None
    last = b.call("GET", "/v1/sync/pull?after={0}&limit=3&hints=1".format(first["next_after"])).json()
    assert last["more"] is False and last["hints"] == {"catalogue": None, "applications": 0}
    assert "hints" not in b.pull(after=first["next_after"], limit=3)


def test_a_full_page_says_more_and_ends_at_its_last_change(server: Server) -> None:
    a, b = server.enroll(), server.enroll()
    a.push(*[a.change("party", "p{0}".format(i), "create", {"i": i}) for i in range(4)])
    page = b.pull(after=0, limit=2)
    assert [ch["server_seq"] for ch in page["changes"]] == [1, 2] and page["more"] is True and page["next_after"] == 2
    page = b.pull(after=2, limit=2)
    # Exactly the rest: nothing more, and the cursor moves to the counter (past anything this desk may not see).
    assert [ch["server_seq"] for ch in page["changes"]] == [3, 4] and page["more"] is False
    assert page["next_after"] == 4


def test_each_change_is_encoded_once_per_process_and_served_alike(server: Server) -> None:
    """Every desk of a unit pulls the same changes: the server reads and encodes each once (for its database)
    and gives every desk the same bytes, whatever its cursor."""
    from fzmediate.server.pull import encoded_changes
    from tests.server.harness import Server as Process

    a, b, c = server.enroll(), server.enroll(), server.enroll()
    a.push(*[a.change("party", "p{0}".format(i), "create", {"name": "王𠮷{0}".format(i)}) for i in range(4)])
    cache = encoded_changes(server.app.state.db)
    assert cache.size == 0
    first = json.loads(b.pull_raw())["changes"]
    held = cache.size
    assert held > 0
    again = json.loads(c.pull_raw())["changes"]
    later = json.loads(c.pull_raw(after=2))["changes"]
    assert cache.size == held  # nothing read or encoded again
    assert again == first and later == first[2:]
    assert encoded_changes(server.db) is not cache  # another Database (another database, maybe) has its own
    other = Process(server.url)  # another server process: it reads and encodes them alike
    try:
        b.server = other
        assert json.loads(b.pull_raw())["changes"] == first and encoded_changes(other.app.state.db).size == held
    finally:
        b.server = server
        other.close()


def test_the_encoded_changes_are_bounded_and_keyed_by_change_id() -> None:
    from fzmediate.server.pull import EncodedChanges

    cache = EncodedChanges(100)
    cache.put_many({(1, "x"): b"a" * 40, (2, "y"): b"b" * 40})
    assert cache.get_many([(1, "x")]) == {(1, "x"): b"a" * 40}  # now the most recently used
    cache.put_many({(3, "z"): b"c" * 40})
    assert cache.size == 80 and set(cache.get_many([(1, "x"), (2, "y"), (3, "z")])) == {(1, "x"), (3, "z")}
    # The same number with another change id (a database restored from an older backup) is another change.
    assert cache.get_many([(1, "other")]) == {}
