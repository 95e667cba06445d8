"""Many Ed25519 checks at once: inline for a few, on every CPU for a whole audit chain.

``fzmediate check`` verifies one signature per audit event; a busy office reaches a million events in a few
years. libsodium (PyNaCl) verifies faster than OpenSSL here, and the checks are independent, so batches go to
a process pool (fork, where the platform has it) while the caller goes on hashing the chain.
"""

from __future__ import annotations

import base64
import binascii
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field

from nacl.bindings import crypto_sign_open
from nacl.exceptions import BadSignatureError, CryptoError

#: (sequence number, public key b64, signature b64, message)
Item = tuple[int, str, str, bytes]
BATCH = 8192
#: Below this many signatures a pool costs more than it saves.
POOL_THRESHOLD = 20_000


def verify_one(public_key: str, signature: str, message: bytes) -> bool:
    try:
        pk = base64.b64decode(public_key, validate=True)
        sig = base64.b64decode(signature, validate=True)
        if len(pk) != 32 or len(sig) != 64:
            return False
        crypto_sign_open(sig + message, pk)
    except (BadSignatureError, CryptoError, ValueError, binascii.Error, TypeError):
        return False
    return True


def failures(items: list[Item]) -> list[int]:
    """The sequence numbers whose signature does not verify."""
    return [seq for seq, pk, sig, msg in items if not verify_one(pk, sig, msg)]


@dataclass
class SignatureBatches:
    """Collect checks with ``add``; ``failed`` returns every failing sequence number, sorted."""

    expected: int = 0
    _items: list[Item] = field(default_factory=list)
    _futures: list[Future[list[int]]] = field(default_factory=list)
    _done: list[int] = field(default_factory=list)
    _pool: ProcessPoolExecutor | None = None

    def add(self, item: Item) -> None:
        self._items.append(item)
        if len(self._items) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        items, self._items = self._items, []
        if not items:
            return
        if self.expected >= POOL_THRESHOLD and (os.cpu_count() or 1) > 1:
            if self._pool is None:
                methods = multiprocessing.get_all_start_methods()
                context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
                self._pool = ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=context)
            self._futures.append(self._pool.submit(failures, items))
        else:
            self._done.extend(failures(items))

    def failed(self) -> list[int]:
        self._flush()
        try:
            for f in self._futures:
                self._done.extend(f.result())
        finally:
            if self._pool is not None:
                self._pool.shutdown()
                self._pool = None
        return sorted(self._done)
