"""The gate: protocol versions, body size, malformed bodies (never echoed), the server time on every answer."""

from __future__ import annotations

from fzmediate.sync.protocol import MAX_BODY_BYTES, PROTOCOL_HEADER
from tests.server.harness import Server

MARKER = "张三丰13800138000"


def test_an_old_or_missing_protocol_is_told_to_upgrade(server: Server) -> None:
    desk = server.enroll()
    r = desk.call("GET", "/v1/sync/pull", protocol="0")
    assert (r.status_code, r.json()) == (426, {"error": "upgrade"})
    r = server.client.post("/v1/enroll", json={})
    assert (r.status_code, r.json()) == (426, {"error": "upgrade"})
    r = desk.call("GET", "/v1/sync/pull", protocol="2")
    assert (r.status_code, r.json()) == (400, {"error": "unsupported_protocol"})


def test_a_body_over_one_megabyte_is_refused_unread(server: Server) -> None:
    desk = server.enroll()
    big = b'{"changes": [], "pad": "' + b"x" * MAX_BODY_BYTES + b'"}'
    r = desk.call("POST", "/v1/sync/push", content=big)
    assert (r.status_code, r.json()) == (413, {"error": "too_large"})
    r = server.client.post("/v1/enroll", content=big, headers={PROTOCOL_HEADER: "1"})
    assert r.status_code == 413


def test_a_malformed_push_lists_problems_without_echoing_anything(server: Server) -> None:
    desk = server.enroll()
    change = desk.change("case", MARKER * 5, "create", {"name": MARKER})
    change.update({"device_seq": MARKER, "op": MARKER, MARKER: MARKER, "created_at": MARKER})
    r = desk.call("POST", "/v1/sync/push", {"changes": [change], MARKER: 1})
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "invalid" and set(body) == {"error", "problems"}
    assert MARKER not in r.text and "张三" not in r.content.decode("utf-8")
    problems = body["problems"]
    assert (
        "body.changes.0.device_seq: Input should be a valid integer, unable to parse string as an integer" in problems
    )
    assert any(p.startswith("body.changes.0.entity_id:") for p in problems)
    assert any(p.startswith("body.changes.0.op:") for p in problems)
    assert "body.changes.0.*: Extra inputs are not permitted" in problems


def test_broken_json_is_invalid(server: Server) -> None:
    desk = server.enroll()
    r = desk.call("POST", "/v1/sync/push", content=('{"changes": [' + MARKER).encode("utf-8"))
    assert r.status_code == 422 and MARKER not in r.text


def test_every_answer_carries_the_server_time_and_errors_are_error_bodies(server: Server) -> None:
    r = server.client.get("/v1/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert int(r.headers["FZ-Server-Time"]) == int(server.clock().timestamp())
    r = server.client.get("/v1/nowhere")
    assert (r.status_code, r.json()) == (404, {"error": "not_found"}) and "FZ-Server-Time" in r.headers


def test_the_openapi_description_names_the_endpoints(server: Server) -> None:
    spec = server.client.get("/openapi.json").json()
    assert {"/v1/enroll", "/v1/sync/push", "/v1/sync/pull", "/v1/sync/anchor", "/v1/health"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    assert "PushRequest" in schemas
    # The push body is parsed by hand (in one pass); its description must still be the model's, as FastAPI
    # writes it for a body parameter: schemathesis generates push bodies from it.
    body = spec["paths"]["/v1/sync/push"]["post"]["requestBody"]
    assert body == {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushRequest"}}},
    }
    assert schemas["PushRequest"]["properties"]["changes"]["items"] == {"$ref": "#/components/schemas/Change"}
    assert set(schemas["Change"]["required"]) >= {"change_id", "device_seq", "entity", "op", "payload"}


def test_the_anchor_must_extend_the_kept_head(server: Server) -> None:
    desk = server.enroll()
    assert desk.call("POST", "/v1/sync/anchor", {"seq": 5, "hash": "aa"}).json()["accepted"] is True
    assert desk.call("POST", "/v1/sync/anchor", {"seq": 5, "hash": "aa"}).json()["accepted"] is True
    assert desk.call("POST", "/v1/sync/anchor", {"seq": 7, "hash": "bb"}).json()["accepted"] is True
    rewound = desk.call("POST", "/v1/sync/anchor", {"seq": 6, "hash": "cc"}).json()
    assert (rewound["accepted"], rewound["reason"], rewound["seq"]) == (False, "rewound", 7)
    rewritten = desk.call("POST", "/v1/sync/anchor", {"seq": 7, "hash": "dd"}).json()
    assert (rewritten["accepted"], rewritten["reason"], rewritten["hash"]) == (False, "rewritten", "bb")
