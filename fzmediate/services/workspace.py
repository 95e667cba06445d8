"""A data directory before it is unlocked: set-up, unlock, recovery and restore.

``Workspace`` knows the files; ``Workspace.unlock`` returns a ``Session`` — the only way to reach the
encrypted database — bound to the acting user.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout

from fzmediate.errors import (
    AlreadyInitializedError,
    AuthenticationError,
    BackoffError,
    NotInitializedError,
    StoreBusyError,
    StoreDamagedError,
)
from fzmediate.i18n import _
from fzmediate.security.backoff import Backoff
from fzmediate.security.kdf import DEFAULT_KDF, KdfParams
from fzmediate.security.roles import Role
from fzmediate.services.dto import SetupResult
from fzmediate.services.paths import StorePaths
from fzmediate.services.validation import (
    validate_full_name,
    validate_login,
    validate_password,
    validate_recovery_code,
)

if TYPE_CHECKING:
    from fzmediate.security import keyslots as ks
    from fzmediate.services.session import Session

# SQLAlchemy, Alembic and the store load only when a store is opened (see ``_store``): the desk app shows
# its first screen without them, which keeps cold start short.

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Workspace:
    """One data directory. Cheap to create; touches no file until asked."""

    def __init__(self, data_dir: Path, *, kdf: KdfParams = DEFAULT_KDF, clock: Clock = utc_now) -> None:
        self.paths = StorePaths(Path(data_dir))
        self.kdf = kdf
        self.clock = clock
        self.backoff = Backoff(self.paths.attempts, lambda: self.clock().timestamp())

    # --- state -----------------------------------------------------------------------------------
    def is_initialized(self) -> bool:
        self.finish_interrupted_restore()
        return self.paths.slots.exists()

    def finish_interrupted_restore(self) -> None:
        """Finish a restore a crash interrupted and remove stale work folders (cheap when there are none)."""
        from fzmediate.services.store_swap import finish_interrupted

        finish_interrupted(self.paths)

    def require_initialized(self) -> None:
        if not self.is_initialized():
            raise NotInitializedError(_("No store has been set up in this data directory yet; run the set-up first."))

    def _acquire(self) -> FileLock:
        self.paths.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.paths.lock), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise StoreBusyError(
                _("This data directory is open in another fzmediate window or command. Close it and try again.")
            ) from None
        return lock

    # --- set-up ----------------------------------------------------------------------------------
    @staticmethod
    def _unit_meta(code: str) -> tuple[tuple[str, str], ...]:
        """The Meta rows naming the desk's unit and its issuing name, or () when no unit was given."""
        if not code.strip():
            return ()
        from fzmediate.catalogue.bundle import load_shipped_bundle
        from fzmediate.catalogue.org import acting_unit, require_unit
        from fzmediate.services.office_keys import OFFICE_NAME_KEY
        from fzmediate.services.organisation import DESK_UNIT_KEY

        bundle = load_shipped_bundle().bundle
        found = require_unit(bundle, code)
        return ((DESK_UNIT_KEY, found.code), (OFFICE_NAME_KEY, acting_unit(bundle, found).name))

    def initialize(self, admin_login: str, admin_password: str, *, full_name: str = "", unit: str = "") -> SetupResult:
        """Create the encrypted store, the first administrator and the recovery slot.

        ``unit``: the desk's organisation unit, a code from the shipped catalogue (it may also be set later by an
        administrator); it is checked before anything is written.

        The slot file is written last: until it exists the directory counts as not set up, and a database
        left by an interrupted set-up (unreadable without its key) is moved aside, never deleted.
        """
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from fzmediate.security import keyslots as ks

        login = validate_login(admin_login)
        name = validate_full_name(full_name)
        secret = validate_password(admin_password, role=Role.ADMIN, user_inputs=(login, name))
        if self.is_initialized():
            raise AlreadyInitializedError(_("This data directory already holds a store; nothing was changed."))
        unit_meta = self._unit_meta(unit)
        from fzmediate.security.audit import SIGNED_FROM_KEY, append_event
        from fzmediate.security.grants import GENESIS_ADMIN_KEY, GENESIS_SIGNING_KEY, public_b64
        from fzmediate.security.key_shares import share_key
        from fzmediate.services.key_custody import SIGNING_KEY
        from fzmediate.services.store_trust import sign_grant
        from fzmediate.services.users import user_info
        from fzmediate.store.database import Database
        from fzmediate.store.models import Meta, User

        lock = self._acquire()
        try:
            self._move_aside_orphans()
            store_id = str(uuid.uuid4())
            db_key = ks.new_db_key()
            recovery_code = ks.new_recovery_code()
            admin_signing = Ed25519PrivateKey.generate()
            recovery_signing = Ed25519PrivateKey.generate()
            admin_slot = ks.new_slot(
                store_id, "user", login, secret, db_key, self.kdf, signing_private=admin_signing.private_bytes_raw()
            )
            recovery_slot = ks.new_slot(
                store_id,
                "recovery",
                ks.RECOVERY_LOGIN,
                ks.normalize_recovery_code(recovery_code),
                db_key,
                self.kdf,
                signing_private=recovery_signing.private_bytes_raw(),
            )
            genesis_key = public_b64(admin_signing)
            slots = ks.KeySlotFile(store_id=store_id, slots=(admin_slot, recovery_slot))
            db = Database(self.paths.db, bytearray(db_key))
            try:
                db.migrate(self.paths.backups)
                now = self.clock()
                device_id = str(uuid.uuid4())
                with db.unit_of_work() as s:
                    for key, value in (
                        ("store_id", store_id),
                        ("device_id", device_id),
                        ("created_at", now.isoformat()),
                        ("recovery_public_key", recovery_slot.public_key),
                        ("recovery_signing_key", public_b64(recovery_signing)),
                        ("recovery_signing_keys", json.dumps([public_b64(recovery_signing)])),
                        (GENESIS_ADMIN_KEY, login),
                        (GENESIS_SIGNING_KEY, genesis_key),
                        (SIGNED_FROM_KEY, "1"),
                        *unit_meta,
                    ):
                        s.add(Meta(key=key, value=value))
                    admin = User(
                        login=login,
                        role=Role.ADMIN.value,
                        legally_qualified=False,
                        full_name=name,
                        phone="",
                        id_type="",
                        id_number="",
                        address="",
                        active=True,
                        slot_public_key=admin_slot.public_key,
                        signing_public_key=genesis_key,
                        created_at=now.replace(tzinfo=None),
                        version=1,
                    )
                    # The first administrator's grant is self-signed: the genesis of every later grant.
                    sign_grant(admin, store_id=store_id, granter=login, granter_key=admin_signing, at=now)
                    s.add(admin)
                    s.flush()
                    # The recovery code keeps the administrator's signing key across a password reset.
                    share_key(
                        s,
                        key_kind=SIGNING_KEY,
                        key_id=login,
                        private_bytes=admin_signing.private_bytes_raw(),
                        recipients={ks.RECOVERY_LOGIN: recovery_slot.public_key},
                        created_by=login,
                        now=now,
                    )
                    append_event(
                        s,
                        at=now,
                        actor=login,
                        device=device_id,
                        action="store.init",
                        object_type="store",
                        object_id=store_id,
                        details={
                            "genesis_admin": login,
                            "genesis_signing_key": genesis_key,
                            "recovery_signing_key": public_b64(recovery_signing),
                        },
                        signer=admin_signing,
                    )
                    append_event(
                        s,
                        at=now,
                        actor=login,
                        device=device_id,
                        action="user.add",
                        object_type="user",
                        object_id=admin.id,
                        details={"role": Role.ADMIN.value, "signing_key": genesis_key},
                        signer=admin_signing,
                    )
                    admin_info = user_info(admin)
            finally:
                db.close()
            slots.save(self.paths.slots)
            ks.wipe(db_key)
        finally:
            lock.release()
        log.info("store initialized")
        return SetupResult(recovery_code=recovery_code, admin=admin_info)

    def _move_aside_orphans(self) -> None:
        leftovers = [p for p in self.paths.db_companions() if p.exists()]
        if not leftovers:
            return
        target = self.paths.backups / "interrupted-setup-{0}".format(self.clock().strftime("%Y%m%dT%H%M%SZ"))
        target.mkdir(parents=True, exist_ok=True)
        for p in leftovers:
            shutil.move(str(p), str(target / p.name))

    # --- unlock ----------------------------------------------------------------------------------
    def unlock(self, login: str, password: str, *, inspect: bool = False) -> Session:
        """Open the store as ``login``. Wrong password: AuthenticationError, and the DB is not touched.

        A store whose signatures or audit chain fail is refused (``StoreTamperedError`` naming the problems);
        ``inspect`` opens it read-only instead, for ``check``."""
        from fzmediate.security import keyslots as ks

        self.finish_interrupted_restore()
        slots = ks.KeySlotFile.load(self.paths.slots)
        self._check_backoff(login)  # counts this attempt as a failure until it succeeds
        try:
            key = self._open_slot(slots, "user", login, password.encode("utf-8"))
        except AuthenticationError as exc:
            delay = self.backoff.record_failure(login)
            log.warning("unlock failed (wait %.0f s before next attempt)", delay)
            raise AuthenticationError(exc.message, retry_after=delay) from None
        failures = self.backoff.reset(login)
        return self._open_session(
            slots, key, "user", login, password.encode("utf-8"), failures_before=failures, inspect=inspect
        )

    def verify_password(self, login: str, password: str, *, slots: ks.KeySlotFile | None = None) -> None:
        """Check ``password`` for ``login`` without opening the store (asked again before a sensitive change).

        Counted by the unlock back-off exactly like an unlock attempt: refused with BackoffError while ``login``
        must wait; a wrong password is AuthenticationError (with ``retry_after``) and one more failure; a right
        one clears the count. ``slots``: check against another slot file (a backup's) instead of this store's.
        """
        from fzmediate.security import keyslots as ks

        found = slots if slots is not None else ks.KeySlotFile.load(self.paths.slots)
        self._check_backoff(login)  # counts this attempt as a failure until it succeeds
        try:
            key = found.open("user", login, password.encode("utf-8"))
        except AuthenticationError as exc:
            delay = self.backoff.record_failure(login)
            raise AuthenticationError(exc.message, retry_after=delay) from None
        self.backoff.reset(login)
        ks.wipe(key)

    def _check_backoff(self, login: str) -> None:
        """Refuse when ``login`` must wait; otherwise count this attempt as a failure *now*, before the key
        derivation, under the counter's file lock (so parallel processes cannot all try at once).

        Settle it afterwards with ``backoff.reset`` (success) or ``backoff.record_failure`` (failure, which then
        adds nothing: the attempt was counted here).
        """
        ticket = self.backoff.reserve(login)
        if ticket.wait > 0:
            raise BackoffError(
                _("Too many failed attempts. Try again in {seconds} seconds.").format(seconds=int(ticket.wait) + 1),
                retry_after=ticket.wait,
            )

    def _open_slot(self, slots: ks.KeySlotFile, kind: ks.SlotKind, login: str, secret: bytes) -> ks.SlotKeys:
        return slots.open_all(kind, login, secret)

    def _open_session(
        self,
        slots: ks.KeySlotFile,
        keys: ks.SlotKeys,
        kind: ks.SlotKind,
        login: str,
        secret: bytes,
        *,
        failures_before: int = 0,
        inspect: bool = False,
    ) -> Session:
        from fzmediate.services.session import Session
        from fzmediate.store.database import Database

        lock = self._acquire()
        try:
            key = self._finish_interrupted_rekey(keys.db_key, kind, login, secret)
            keys.db_key = key
            self._add_signing_key(keys, kind, login)
            Database.probe(self.paths.db, key)
            db = Database(self.paths.db, key)
            try:
                db.migrate(self.paths.backups)
                session = Session.open(self, db, lock, login, keys, failures_before=failures_before, inspect=inspect)
            except BaseException:
                db.close()
                raise
        except BaseException:
            lock.release()
            raise
        return session

    def _add_signing_key(self, keys: ks.SlotKeys, kind: ks.SlotKind, login: str) -> None:
        """Give a slot written before signatures existed (format 1) its owner's Ed25519 signing key."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from fzmediate.security import keyslots as ks

        try:
            if keys.signing_private is not None:
                return
            slots = ks.KeySlotFile.load(self.paths.slots)
            slot = slots.slot(kind, login)
            if slot is None:
                raise StoreDamagedError(_("The key-slot file changed while unlocking; nothing was opened."))
            signing = Ed25519PrivateKey.generate().private_bytes_raw()
            slots.with_slot(slot.with_signing_key(slots.store_id, keys.kek, signing)).save(self.paths.slots)
            keys.signing_private = signing
            log.info("key slot upgraded with a signing key")
        finally:
            ks.wipe(keys.kek)

    def _finish_interrupted_rekey(self, key: bytearray, kind: ks.SlotKind, login: str, secret: bytes) -> bytearray:
        """Finish a re-key that a crash interrupted, and return the key the database really has.

        A re-key writes the new slots to ``keyslots.pending.json`` first, then re-encrypts the database,
        then promotes the pending file. If the database still opens with the old key the re-key never
        happened and the pending file is dropped; otherwise the pending slots (same key pairs, new key
        sealed) are opened with the same secret and promoted.
        """
        from fzmediate.security import keyslots as ks
        from fzmediate.store.database import Database

        pending_path = self.paths.pending_slots
        if not pending_path.exists():
            return key
        try:
            Database.probe(self.paths.db, key)
        except StoreDamagedError:
            pass
        else:
            pending_path.unlink()
            return key
        pending = ks.KeySlotFile.load(pending_path)
        new_key = pending.open(kind, login, secret)
        Database.probe(self.paths.db, new_key)
        ks.wipe(key)
        os.replace(pending_path, self.paths.slots)
        log.info("finished an interrupted re-key")
        return new_key

    # --- recovery --------------------------------------------------------------------------------
    def recover(self, recovery_code: str, login: str, new_password: str) -> str:
        """Set a new password for ``login`` with the recovery code; returns a NEW recovery code.

        The used code counts as revealed, so its slot is replaced and the new code is shown once.
        """
        from fzmediate.security import keyslots as ks

        # A mistyped code or a weak password is refused before any key derivation (and is no failed attempt).
        code_secret = validate_recovery_code(recovery_code)
        secret = validate_password(new_password, user_inputs=(login,))
        self.finish_interrupted_restore()
        slots = ks.KeySlotFile.load(self.paths.slots)
        self._check_backoff(ks.RECOVERY_LOGIN)
        try:
            key = slots.open_all("recovery", ks.RECOVERY_LOGIN, code_secret)
        except AuthenticationError:
            self.backoff.record_failure(ks.RECOVERY_LOGIN)
            raise AuthenticationError(_("The recovery code is not correct. Nothing was changed.")) from None
        self.backoff.reset(ks.RECOVERY_LOGIN)
        session = self._open_session(slots, key, "recovery", ks.RECOVERY_LOGIN, code_secret)
        try:
            # The user's role is known only now: an administrator's password is checked again, more strictly.
            return session.users.recover_password(login, secret)
        finally:
            session.lock()

    # --- restore ---------------------------------------------------------------------------------
    def restore(
        self,
        backup: Path,
        login: str,
        password: str,
        *,
        backup_login: str | None = None,
        backup_password: str | None = None,
        replace_store: bool = False,
    ) -> Path | None:
        """Replace this directory's store with a backup; the current store is kept in ``backups/``.

        ``login``/``password`` must be an administrator's of the current store (when there is one; on a fresh
        machine they open the backup instead). ``backup_login``/``backup_password`` (default: the same) must
        be an administrator's in the backup, with the password valid when it was made. A backup of another
        store is refused unless ``replace_store``. Returns where the replaced store was kept, if any.
        """
        from fzmediate.services.backup import restore_backup

        return restore_backup(
            self,
            backup,
            login,
            password,
            backup_login=backup_login,
            backup_password=backup_password,
            replace_store=replace_store,
        )
