"""The key derivation's cost and the recovery slot's name: plain values the desk's GUI process passes to the
store process (light to import: cryptography loads only when a key is derived)."""

from __future__ import annotations

from dataclasses import dataclass

#: The login of the key slot that a recovery code opens.
RECOVERY_LOGIN = "__recovery__"


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. Kept per slot so it can be raised later without locking anyone out."""

    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 4

    def derive(self, secret: bytes, salt: bytes) -> bytes:
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

        kdf = Argon2id(salt=salt, length=32, iterations=self.iterations, lanes=self.lanes, memory_cost=self.memory_kib)
        return kdf.derive(secret)


#: RFC 9106 second recommendation (64 MiB, t=3, p=4): ~250 ms on a 2-CPU desk PC.
DEFAULT_KDF = KdfParams()
