"""A loopback transport that records what a device asked for, and can answer as a server from before pull hints
and anchors riding with a push."""

from __future__ import annotations

import json

import httpx

PULL_PATH = "/v1/sync/pull"
PUSH_PATH = "/v1/sync/push"
ANCHOR_PATH = "/v1/sync/anchor"
#: What a server from before them never wrote, by the path of the answer.
_NEWER = {PULL_PATH: "hints", PUSH_PATH: "anchor"}


class Recorder(httpx.HTTPTransport):
    """Real HTTP; ``paths`` lists each request's method and path in order. ``old_server``: pull answers lose
    their ``hints`` and push answers their ``anchor``, as a server before them never wrote them (it ignored the
    parameters asking for them too)."""

    def __init__(self, *, old_server: bool = False) -> None:
        super().__init__()
        self.old_server = old_server
        self.paths: list[tuple[str, str]] = []
        self.pull_params: list[dict[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append((request.method, request.url.path))
        if request.url.path == PULL_PATH:
            self.pull_params.append(dict(request.url.params))
        response = super().handle_request(request)
        newer = _NEWER.get(request.url.path)
        if not (self.old_server and newer is not None and response.status_code == 200):
            return response
        response.read()
        assert "Content-Encoding" not in response.headers, "a test answer small enough to go uncompressed"
        page = json.loads(response.content)
        page.pop(newer, None)
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(200, headers=headers, content=json.dumps(page, ensure_ascii=False).encode())

    def count(self, path: str) -> int:
        return sum(1 for _method, p in self.paths if p == path)
