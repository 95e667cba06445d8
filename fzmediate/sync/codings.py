"""Content codings of sync bodies, both ways: zstd (RFC 8878) where both sides have it, gzip otherwise.

Shared by the desk (which compresses pushes and reads compressed answers through httpx) and the district server
(which inflates request bodies and compresses answers), so that both agree on what each coding is and how far a
body may grow. zstd (level 1) compresses sync bodies six to thirteen times faster than gzip at level 6 and
smaller (a pull page of 1,000 changes, 712 KB: zstd 0.7-1.0 ms → 42 KB, gzip 5.9-6.3 ms → 49 KB; a push body of
1 MB: 1.15 ms → 87 KB against 15.5 ms → 100 KB), and inflates four times faster; gzip stays for servers and
clients from before zstd.

Decompression never holds more than the limit (+1 byte) of output, whatever a body claims: a small body that
would inflate to gigabytes (a "bomb") is refused as ``too_large`` without being inflated past the limit; a body
that is cut short, corrupt, followed by anything, or asks for a zstd window over 8 MB is ``bad_encoding``.
"""

from __future__ import annotations

import gzip
import io
import zlib
from typing import Final

import zstandard

ZSTD: Final = "zstd"
GZIP: Final = "gzip"
#: The codings this side takes and sends, preferred first.
CODINGS: Final = (ZSTD, GZIP)
#: Bodies from this size on are compressed, both ways (the desk's requests once the server takes a coding, the
#: server's answers for clients that take one): a push of 500 changes or a pull page shrinks about tenfold, which
#: is most of a sync's time on a slow link; below 1 KiB the coding's own bytes eat the gain.
COMPRESS_FROM: Final = 1024
#: zstd level 1: on sync bodies both the fastest and the smallest of levels 1-4 (a push body of 1 MB: 1.15 ms and
#: 87 KB at level 1, 1.55 ms and 96 KB at level 3, where gzip at level 6 takes 15.5 ms for 100 KB).
ZSTD_LEVEL: Final = 1
#: gzip level 6: level 9 costs three times the CPU for ~2 % smaller bodies, level 1 half the CPU for ~15 % more.
GZIP_LEVEL: Final = 6
#: The largest zstd window a body may ask the decoder for (zstd's own default allows 128 MB a frame, which a
#: 300-byte body can ask for): 8 MB, what compressing at level 19 uses; the desk's bodies of at most 1 MB use less.
MAX_WINDOW: Final = 1 << 23
_GZIP_WBITS: Final = 16 + zlib.MAX_WBITS


class BadEncoding(Exception):
    """A body that is not one complete stream of its coding (``code``: ``too_large`` or ``bad_encoding``;
    ``status``: the HTTP status a server answers it with)."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code


def compress(body: bytes, coding: str) -> bytes:
    """``body`` in ``coding`` (one of :data:`CODINGS`); the same bytes every time (no time stamp in gzip)."""
    if coding == ZSTD:
        return zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(body)
    if coding == GZIP:
        return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    raise ValueError(coding)


def decompress(body: bytes, coding: str, limit: int) -> bytes:
    """``body`` decoded from ``coding``, at most ``limit`` bytes of it (:class:`BadEncoding` otherwise)."""
    if coding == ZSTD:
        return _unzstd(body, limit)
    if coding == GZIP:
        return _gunzip(body, limit)
    raise ValueError(coding)


def _gunzip(body: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(_GZIP_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error:
        raise BadEncoding(400, "bad_encoding") from None
    if len(out) > limit:
        raise BadEncoding(413, "too_large")
    if not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
        raise BadEncoding(400, "bad_encoding")
    return out


def _unzstd(body: bytes, limit: int) -> bytes:
    # A frame may declare its size: zstandard then allocates that much at once, so a declared size over the
    # limit is refused before anything is inflated. Without one, the output is capped at limit + 1.
    try:
        declared = zstandard.frame_content_size(body)
    except zstandard.ZstdError:
        raise BadEncoding(400, "bad_encoding") from None
    if declared > limit:
        raise BadEncoding(413, "too_large")
    try:
        out = _decompressor().decompress(body, max_output_size=limit + 1, allow_extra_data=False)
    except zstandard.ZstdError:
        # zstandard says the same ("did not decompress full frame") for a frame cut short and for one that
        # inflates past the cap: read up to limit + 1 bytes of it to tell them apart.
        if declared < 0 and _inflates_past(body, limit):
            raise BadEncoding(413, "too_large") from None
        raise BadEncoding(400, "bad_encoding") from None
    if len(out) > limit:
        raise BadEncoding(413, "too_large")
    return out


def _decompressor() -> zstandard.ZstdDecompressor:
    return zstandard.ZstdDecompressor(max_window_size=MAX_WINDOW)


def _inflates_past(body: bytes, limit: int) -> bool:
    try:
        with _decompressor().stream_reader(io.BytesIO(body), read_across_frames=False) as reader:
            return len(reader.read(limit + 1)) > limit
    except zstandard.ZstdError:
        return False


def preferred(accept_encoding: str, offered: tuple[str, ...] = CODINGS) -> str | None:
    """The first of ``offered`` that an ``Accept-Encoding`` value takes (q > 0; ``*`` counts for the codings it
    does not name), or None."""
    weights: dict[str, float] = {}
    for item in accept_encoding.lower().split(","):
        name, _sep, params = item.partition(";")
        name = name.strip()
        if not name:
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _eq, value = param.partition("=")
            if key.strip() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0
        weights[name] = weight
    for coding in offered:
        if weights.get(coding, weights.get("*", 0.0)) > 0:
            return coding
    return None
