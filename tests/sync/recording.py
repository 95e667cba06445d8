"""A loopback transport that records what a device asked for, and can answer as a server before pull hints."""

from __future__ import annotations

import json

import httpx

PULL_PATH = "/v1/sync/pull"


class Recorder(httpx.HTTPTransport):
    """Real HTTP; ``paths`` lists each request's method and path in order. ``no_hints``: pull answers lose their
    ``hints`` as a server before hints never wrote them (the request's ``hints=1`` is ignored there too)."""

    def __init__(self, *, no_hints: bool = False) -> None:
        super().__init__()
        self.no_hints = no_hints
        self.paths: list[tuple[str, str]] = []
        self.pull_params: list[dict[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append((request.method, request.url.path))
        if request.url.path == PULL_PATH:
            self.pull_params.append(dict(request.url.params))
        response = super().handle_request(request)
        if not (self.no_hints and request.url.path == PULL_PATH and response.status_code == 200):
            return response
        response.read()
        assert "Content-Encoding" not in response.headers, "a test page small enough to go uncompressed"
        page = json.loads(response.content)
        page.pop("hints", None)
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(200, headers=headers, content=json.dumps(page, ensure_ascii=False).encode())

    def count(self, path: str) -> int:
        return sum(1 for _method, p in self.paths if p == path)
