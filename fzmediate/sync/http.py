"""Talking to the district server: signed requests, the learned clock offset, retries, and refusals as errors.

:class:`Channel` sends one request at a time. Every request carries the protocol headers and, once enrolled,
an RFC 9421 signature made with the device clock plus the offset learned from the ``FZ-Server-Time`` header of
every response (a desk's clock may be days off). A body of at least ``codings.COMPRESS_FROM`` bytes is sent compressed
once the server has said it takes that (``Accept-Encoding: zstd, gzip`` in an answer, RFC 7694; zstd preferred,
:mod:`fzmediate.sync.codings`); the signature's ``Content-Digest`` is over the bytes as sent. Answers come
zstd- or gzip-compressed as the server chooses (httpx asks for both and decodes them). Network errors, 5xx and
429 are retried with exponential backoff and full jitter; a ``clock_skew`` refusal is retried once with the
offset it taught. A server certificate that fails verification is not retried (:class:`CertificateRefused`:
``tls_untrusted``, ``tls_invalid``). Other refusals become :class:`SyncError` subclasses whose message names the
server's error code only: nothing of a request or an answer body (which may hold personal data) reaches a message
or a log.
"""

from __future__ import annotations

import logging
import random
import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fzmediate.errors import FzError
from fzmediate.i18n import _
from fzmediate.store.outbox import SCHEMA_VERSION
from fzmediate.sync import codings
from fzmediate.sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION, SCHEMA_HEADER, SERVER_TIME_HEADER
from fzmediate.sync.signing import sign_request

log = logging.getLogger(__name__)

_CODE: Final = re.compile(r"^[a-z0-9_]{1,40}$")
TIMEOUT_S: Final = 30.0
#: Connecting gives up sooner: on a network that silently drops packets, the desk's store work (one job at a time)
#: must not wait behind a sync that cannot reach the server.
CONNECT_TIMEOUT_S: Final = 5.0
#: The coding each server (by base URL) said it takes, remembered for the life of the process, so that a sync's
#: first push is compressed too (a server that stops taking it answers 415 and is forgotten).
_SERVER_CODINGS: dict[str, str] = {}


class SyncError(FzError):
    """Sync stopped; ``code`` is the server's error code (or the client's own), never request data."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


class UpgradeRequired(SyncError):
    """426: this build's protocol is too old for the server. The outbox is untouched."""


class DeviceRefused(SyncError):
    """401 or 403: the server does not accept this device (unknown, revoked, bad signature, scope)."""


class ServerUnreachable(SyncError):
    """The network failed, or the server kept answering 5xx/429, after every retry."""


class CertificateRefused(SyncError):
    """TLS: the server's certificate failed verification, so nothing was sent to it (and nothing is retried: the
    same certificate fails again). ``tls_untrusted``: it does not chain to the pinned district CA (or, with none
    pinned, to the system's trust store); ``tls_invalid``: it does, but is expired, not valid yet, or issued for
    another address."""


def answer_error(code: str) -> SyncError:
    """The server answered, but not as the protocol says it would."""
    return SyncError(
        _("The district server's answer was not understood ({code}); nothing was lost.").format(code=code), code=code
    )


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter: try ``attempts`` times, waiting random(0, min(cap, base·2ⁿ))."""

    attempts: int = 6
    base_s: float = 0.5
    cap_s: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    random: Callable[[], float] = field(default=random.random, compare=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        wait: float = self.random() * min(self.cap_s, self.base_s * (2**attempt))
        if retry_after is not None:  # a 429 says how long; never longer than the cap
            wait = max(wait, min(retry_after, self.cap_s))
        return wait


def http_client(server_url: str, *, transport: httpx.BaseTransport | None, ca_pem: str | None) -> httpx.Client:
    """An ``httpx.Client`` for the server; with ``ca_pem`` only that CA is trusted (the district CA, pinned)."""
    verify: ssl.SSLContext | bool = True
    if ca_pem:
        verify = ssl.create_default_context(cadata=ca_pem)
    return httpx.Client(
        base_url=server_url,
        transport=transport,
        verify=verify,
        timeout=httpx.Timeout(TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
    )


def error_code(response: httpx.Response) -> str:
    """The ``error`` code of a refusal, when it looks like one; else ``http_<status>``."""
    try:
        body = response.json()
    except ValueError:
        body = None
    code = body.get("error") if isinstance(body, dict) else None
    return code if isinstance(code, str) and _CODE.match(code) else "http_{0}".format(response.status_code)


class Channel:
    """One sync's conversation with the server (see the module docstring)."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        now: Callable[[], datetime],
        offset_s: float = 0.0,
        device_id: str | None = None,
        key: Ed25519PrivateKey | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._client = client
        self._now = now
        self.offset_s = offset_s
        self._device_id = device_id
        self._key = key
        self._retry = retry or RetryPolicy()
        self._base = str(client.base_url)
        #: The coding the server said it takes for request bodies (learned from any answer), or None.
        self.request_coding = _SERVER_CODINGS.get(self._base)

    def server_now(self) -> datetime:
        """The device clock corrected by the learned offset: what requests are signed with."""
        return self._now() + timedelta(seconds=self.offset_s)

    def _learn(self, response: httpx.Response) -> None:
        coding = codings.preferred(response.headers.get("Accept-Encoding", ""))
        if coding is not None:
            self.request_coding = _SERVER_CODINGS[self._base] = coding
        value = response.headers.get(SERVER_TIME_HEADER)
        if value is None:
            return
        try:
            server = float(value)
        except ValueError:
            return
        self.offset_s = server - self._now().timestamp()

    def _request(
        self, method: str, path: str, params: Mapping[str, Any] | None, body: bytes | None, packed: _Packed
    ) -> httpx.Request:
        headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION), SCHEMA_HEADER: SCHEMA_VERSION}
        if body is not None:
            headers["Content-Type"] = "application/json"
            if self.request_coding is not None and len(body) >= codings.COMPRESS_FROM:
                body = packed.coded(body, self.request_coding)
                headers["Content-Encoding"] = self.request_coding
        request = self._client.build_request(method, path, params=params, content=body, headers=headers)
        if self._key is not None and self._device_id is not None:
            sign_request(request, self._device_id, self._key, now=self.server_now())
        return request

    def call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: bytes | None = None
    ) -> httpx.Response:
        """Send (signed afresh for every attempt: a new nonce and time) until a 2xx answer or a refusal."""
        attempt = 0
        skew_retried = False
        packed = _Packed()
        while True:
            request = self._request(method, path, params, body, packed)
            try:
                response = self._client.send(request)
            except (httpx.TransportError, httpx.DecodingError) as exc:  # a garbled compressed answer: try again
                refused = certificate_refusal(exc)
                if refused is not None:
                    raise refused from None
                attempt = self._wait_or_give_up(attempt, None, type(exc).__name__)
                continue
            self._learn(response)
            status = response.status_code
            if status < 300:
                return response
            code = error_code(response)
            if status == 415 and request.headers.get("Content-Encoding") and self.request_coding is not None:
                self.request_coding = None  # the server no longer takes it: once more, uncompressed
                _SERVER_CODINGS.pop(self._base, None)
                continue
            if status == 401 and code == "clock_skew" and not skew_retried:
                skew_retried = True  # the answer taught the offset; one more try with it
                log.info("clock offset corrected to %.0f s", self.offset_s)
                continue
            if status >= 500 or status == 429:
                attempt = self._wait_or_give_up(attempt, _retry_after(response), code)
                continue
            raise _refusal(status, code)

    def _wait_or_give_up(self, attempt: int, retry_after: float | None, what: str) -> int:
        attempt += 1
        if attempt >= self._retry.attempts:
            log.warning("sync gave up after %d attempts (%s)", attempt, what)
            raise ServerUnreachable(
                _("The district server could not be reached; nothing was lost. Try again later."), code="unreachable"
            )
        wait = self._retry.delay(attempt - 1, retry_after)
        log.info("sync attempt %d failed (%s); retrying in %.1f s", attempt, what, wait)
        self._retry.sleep(wait)
        return attempt


class _Packed:
    """A body compressed once for all the attempts of one call."""

    def __init__(self) -> None:
        self._coded: dict[str, bytes] = {}

    def coded(self, body: bytes, coding: str) -> bytes:
        if coding not in self._coded:
            self._coded[coding] = codings.compress(body, coding)
        return self._coded[coding]


#: OpenSSL verification results (``X509_V_ERR_*``) that mean "not issued by a CA this desk trusts": no issuer
#: among the trusted certificates, self-signed, or signed by another key under the district CA's name.
_UNTRUSTED: Final = frozenset({2, 7, 18, 19, 20, 21, 27, 28})
#: ``CERT_NOT_YET_VALID``, ``CERT_HAS_EXPIRED``: often this computer's clock, which may be days off.
_OUT_OF_DATE: Final = frozenset({9, 10})


def certificate_refusal(exc: BaseException) -> CertificateRefused | None:
    """The error to show when ``exc`` (an httpx transport error) was caused by the server's certificate failing
    verification; None for any other failure (those are the network's, retried and then "unreachable")."""
    failure = _verification_failure(exc)
    if failure is None:
        return None
    verify_code = int(getattr(failure, "verify_code", 0) or 0)
    log.warning("the server's TLS certificate was refused (X509 error %d)", verify_code)
    if verify_code in _UNTRUSTED:
        return CertificateRefused(
            _(
                "The district server's certificate is not from the district CA, so this desk sent it nothing; "
                "nothing was lost. Check the server address, and ask district IT for the district CA certificate."
            ),
            code="tls_untrusted",
        )
    if verify_code in _OUT_OF_DATE:
        message = _(
            "The district server's certificate has expired or is not valid yet, so this desk sent it nothing; "
            "nothing was lost. Check this computer's date and time; if they are right, tell district IT."
        )
    else:
        message = _(
            "The district server's certificate is not valid for this server address, so this desk sent it "
            "nothing; nothing was lost. Check the server address with district IT."
        )
    return CertificateRefused(message, code="tls_invalid")


def _verification_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The ssl verification error in the chain of causes of ``exc`` (httpx wraps httpcore's, which wraps ssl's)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _refusal(status: int, code: str) -> SyncError:
    if status == 426:
        return UpgradeRequired(
            _(
                "The district server needs a newer version of fzmediate: please upgrade. Nothing was lost: "
                "this desk's changes wait until then."
            ),
            code=code,
        )
    if status in (401, 403):
        return DeviceRefused(
            _("The district server refused this device ({code}). Nothing was lost; ask district IT.").format(code=code),
            code=code,
        )
    return SyncError(
        _("The district server refused the request ({code}); nothing was lost.").format(code=code), code=code
    )
