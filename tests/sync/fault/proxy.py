"""The fault proxy: an httpx transport between a desk's sync client and the real server (HTTP on loopback).

Every request draws one action from a seeded random generator, so a run is reproducible from its seed:

- ``pass``: forwarded as is;
- ``delay``: forwarded after a short sleep;
- ``drop_request``: never reaches the server (the client sees a connect error);
- ``drop_response``: the server answers (and has committed), the answer is lost (a read timeout);
- ``duplicate``: sent twice (the second copy is a replay: the server must change nothing for it); the client
  gets the first answer;
- ``reorder``: held back (the client sees a timeout and retries); the held copy is sent together with the
  client's next request, racing it (to the other server when there are two): a stale push meets a newer one;
- ``truncate``: the answer's body is cut in half (the client must not act on it);
- ``reset``: the connection breaks after the server committed, mid-answer;
- ``unavailable``: a 503 from the proxy, nothing forwarded.

The :class:`Ledger` records what the server really said, whether or not the client heard it: every push result
(the oracle's "acknowledged by the server", I1) and every pull page (its ``after``, ``next_after`` and sequence
numbers, I5).
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from fzmediate.sync.codings import decompress
from fzmediate.sync.protocol import MAX_BODY_BYTES

ACTIONS: Final = (
    "delay",
    "drop_request",
    "drop_response",
    "duplicate",
    "reorder",
    "truncate",
    "reset",
    "unavailable",
)
HELD: Final = frozenset({"applied", "merged", "duplicate", "conflict"})
_KEYID: Final = re.compile(r'keyid="([^"]+)"')
#: Headers that describe the body as the server sent it, not as the proxy hands it on (already decoded).
_DECODED: Final = frozenset({"content-encoding", "content-length"})


@dataclass(frozen=True)
class Ack:
    device_id: str
    device_seq: int
    change_id: str
    status: str
    server_seq: int | None


@dataclass(frozen=True)
class Page:
    device_id: str
    after: int
    next_after: int
    seqs: tuple[int, ...]


@dataclass
class Ledger:
    """What the server answered, as seen on the wire (thread-safe: desks may sync at once)."""

    acks: list[Ack] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    actions: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, action: str) -> None:
        with self._lock:
            self.actions[action] = self.actions.get(action, 0) + 1

    def record(self, request: httpx.Request, body: bytes, response: httpx.Response) -> None:
        if response.status_code != 200:
            return
        device = device_of(request)
        try:
            answer = json.loads(response.content)
        except ValueError:
            return
        with self._lock:
            if request.url.path == "/v1/sync/push":
                coding = request.headers.get("content-encoding")
                if coding:  # the client compresses large pushes
                    body = decompress(body, coding, MAX_BODY_BYTES)
                sent = {c["device_seq"]: c["change_id"] for c in json.loads(body)["changes"]}
                for r in answer["results"]:
                    if r["status"] in HELD and r["device_seq"] <= answer["acked_through"]:
                        ack = Ack(device, r["device_seq"], sent[r["device_seq"]], r["status"], r.get("server_seq"))
                        self.acks.append(ack)
            elif request.url.path == "/v1/sync/pull":
                after = int(request.url.params.get("after", "0"))
                seqs = tuple(c["server_seq"] for c in answer["changes"])
                self.pages.append(Page(device, after, answer["next_after"], seqs))


def device_of(request: httpx.Request) -> str:
    found = _KEYID.search(request.headers.get("signature-input", ""))
    return found.group(1) if found else ""


class FaultTransport(httpx.BaseTransport):
    """Forwards to one of ``targets`` (base URLs of real servers, taken in turn) with seeded faults.

    ``rate`` is the chance that a request meets a fault; ``actions`` limits which. The signature covers
    method, path and query, not the authority, so a request may go to any of the servers.
    """

    def __init__(
        self,
        targets: Sequence[str],
        *,
        seed: int,
        rate: float = 0.0,
        actions: Sequence[str] = ACTIONS,
        ledger: Ledger | None = None,
    ) -> None:
        self.targets = [httpx.URL(t) for t in targets]
        self.rng = random.Random(seed)
        self.rate = rate
        self.actions = tuple(actions)
        self.ledger = ledger if ledger is not None else Ledger()
        self._inner = httpx.HTTPTransport()
        self._turn = 0
        self._lock = threading.Lock()
        #: How many more faults (None: no end); the tests aim one fault at one request with it.
        self.budget: int | None = None
        self._held: tuple[httpx.Request, bytes] | None = None

    def heal(self) -> None:
        """No more faults (a held request is dropped: it never arrives)."""
        self.rate = 0.0
        self._held = None

    def close(self) -> None:
        self._inner.close()

    def _forward(self, request: httpx.Request, body: bytes) -> httpx.Response:
        with self._lock:
            target = self.targets[self._turn % len(self.targets)]
            self._turn += 1
        url = request.url.copy_with(scheme=target.scheme, host=target.host, port=target.port)
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "host"]
        out = httpx.Request(request.method, url, headers=headers, content=body)
        response = self._inner.handle_request(out)
        content = response.read()  # decoded: the answer is handed on as plain bytes (a compressed answer decoded)
        response.close()
        kept = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DECODED]
        result = httpx.Response(response.status_code, headers=kept, content=content, request=request)
        self.ledger.record(request, body, result)
        return result

    def _forward_quietly(self, request: httpx.Request, body: bytes) -> None:
        with contextlib.suppress(httpx.TransportError):
            self._forward(request, body)

    def _pick(self) -> str:
        if self.rate <= 0 or self.rng.random() >= self.rate or self.budget == 0:
            return "pass"
        if self.budget is not None:
            self.budget -= 1
        return self.rng.choice(self.actions)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        action = self._pick()
        self.ledger.count(action)
        held, self._held = self._held, None
        if action == "drop_request":
            raise httpx.ConnectError("fault: dropped before the server", request=request)
        if action == "unavailable":
            return httpx.Response(503, json={"error": "proxy"}, request=request)
        if action == "reorder" and held is None:
            self._held = (request, body)
            raise httpx.ReadTimeout("fault: held back", request=request)
        if action == "delay":
            time.sleep(self.rng.uniform(0.0, 0.02))
        late = None
        if held is not None:  # the stale copy arrives with the newer request, racing it (to the other server)
            late = threading.Thread(target=self._forward_quietly, args=held)
            late.start()
        response = self._forward(request, body)
        if late is not None:
            late.join()
        if action == "duplicate":
            self._forward(request, body)
        if action == "drop_response":
            raise httpx.ReadTimeout("fault: answer lost after the commit", request=request)
        if action == "reset":
            raise httpx.RemoteProtocolError("fault: connection reset mid-answer", request=request)
        if action == "truncate":
            cut = response.content[: len(response.content) // 2]
            headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() != "content-length"]
            return httpx.Response(response.status_code, headers=headers, content=cut, request=request)
        return response


def summary(ledger: Ledger) -> dict[str, Any]:
    return dict(sorted(ledger.actions.items()))
