"""The zstd answer middleware (fzmediate.server.compress) on its own, behind Starlette's gzip middleware as in
the server: which answers it compresses, and that everything else is left to gzip as before."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import zstandard
from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from fzmediate.server.compress import THREAD_FROM, ZstdAnswers
from fzmediate.sync.codings import preferred

BIG = {"text": "柏舟测试人 𠮷䶮 " * 400}


async def _json(_request: Request) -> Response:
    return JSONResponse(BIG, headers={"Vary": "Origin"})


async def _pdf(_request: Request) -> Response:
    return Response(b"%PDF-1.7 " + b"x" * 5000, media_type="application/pdf")


async def _partial(_request: Request) -> Response:
    return PlainTextResponse("y" * 5000, status_code=206)


async def _page(_request: Request) -> Response:
    return JSONResponse({"changes": [{"n": n, "name": "柏舟测试人"} for n in range(20_000)]})  # ~0.5 MB


async def _small(_request: Request) -> Response:
    return JSONResponse({"ok": True})


async def _stream(_request: Request) -> Response:
    async def parts() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield b"z" * 4000

    return StreamingResponse(parts(), media_type="text/plain")


@pytest.fixture
def client() -> TestClient:
    answers = {"/json": _json, "/pdf": _pdf, "/partial": _partial, "/small": _small, "/page": _page}
    app = Starlette(routes=[*(Route(path, answer) for path, answer in answers.items()), Route("/stream", _stream)])
    app.add_middleware(ZstdAnswers, minimum_size=1024)  # innermost, as in fzmediate.server.app
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    return TestClient(app)


def test_a_whole_json_answer_is_zstd_for_a_client_that_takes_it(client: TestClient) -> None:
    answer = client.get("/json", headers={"Accept-Encoding": "gzip, zstd"})
    assert answer.headers["content-encoding"] == "zstd"
    assert answer.headers["vary"] == "Origin, Accept-Encoding"  # kept, and extended
    assert answer.json() == BIG  # decoded by httpx (zstandard)
    assert int(answer.headers["content-length"]) < len(answer.content) // 5


def test_a_large_answer_is_compressed_off_the_event_loop_the_same_way(client: TestClient) -> None:
    answer = client.get("/page", headers={"Accept-Encoding": "zstd"})
    assert answer.headers["content-encoding"] == "zstd"
    assert len(answer.content) >= THREAD_FROM > int(answer.headers["content-length"])
    assert answer.json()["changes"][19_999] == {"n": 19_999, "name": "柏舟测试人"}


def test_a_client_without_zstd_gets_gzip_as_before(client: TestClient) -> None:
    answer = client.get("/json", headers={"Accept-Encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip" and answer.json() == BIG


@pytest.mark.parametrize(
    ("path", "coding"), [("/pdf", "gzip"), ("/partial", None), ("/small", None), ("/stream", "gzip")]
)
def test_binary_partial_small_and_streamed_answers_are_left_to_gzip(
    client: TestClient, path: str, coding: str | None
) -> None:
    """Only whole JSON or text answers are zstd's; gzip's own rules decide the rest (it skips 206 and small)."""
    answer = client.get(path, headers={"Accept-Encoding": "zstd, gzip"})
    assert answer.headers.get("content-encoding") == coding
    assert answer.status_code in (200, 206) and answer.content


def test_the_zstd_answer_is_one_frame_that_says_its_size() -> None:
    """What a desk from before zstd never sees, and a desk with it decodes in one call."""
    app = Starlette(routes=[Route("/json", _json)])
    app.add_middleware(ZstdAnswers, minimum_size=1024)
    with TestClient(app) as plain, plain.stream("GET", "/json", headers={"Accept-Encoding": "zstd"}) as answer:
        raw = b"".join(answer.iter_raw())
    assert zstandard.frame_content_size(raw) > 0
    assert zstandard.ZstdDecompressor().decompress(raw, allow_extra_data=False).startswith(b'{"text":')


@pytest.mark.parametrize(
    ("header", "coding"),
    [
        ("", None),
        ("gzip, deflate, zstd", "zstd"),
        ("gzip;q=1.0, zstd;q=0.5", "zstd"),  # the server's preference among the codings taken
        ("zstd;q=0, gzip", "gzip"),
        ("ZSTD", "zstd"),
        ("*", "zstd"),
        ("*;q=0, gzip", "gzip"),
        ("zstd;q=bogus, gzip", "gzip"),
        ("br, identity", None),
    ],
)
def test_accept_encoding_is_read_with_its_weights(header: str, coding: str | None) -> None:
    assert preferred(header) == coding
