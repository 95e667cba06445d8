"""Backup files: the encrypted database plus the key slots that open it, in one zip; and restore.

Nothing in the file is readable without a password or the recovery code valid *at backup time*: the
database inside is an SQLCipher export under the same key, and the slots are the same wrapped slots.
The manifest holds no personal data. Files are written owner-only (0600).

Restore is the one operation that can throw a whole store away, so it is guarded twice and crash-safe:

- *who*: an administrator of the **current** store authorises it with their password (when a store
  exists), and a login that is an administrator **in the backup** opens it (a password valid then). A
  backup of another store replaces the current one only when asked explicitly (``replace_store``), and
  the refusal says what would be put aside. So neither a store someone made themselves nor a removed
  administrator's old backup can replace the live store.
- *what*: the archive's members are checked by name, declared size and compression ratio before a byte
  is read; the database streams to disk, never into memory; the copy is opened and fully checked
  (pages, audit chain, the restoring login's role) in a staging folder before anything is swapped.
- *how*: the swap is ``store_swap.commit`` — at every instant the data directory holds the complete old
  store or, finished at the latest by the next start, the complete new one; the old store, with its
  journal files, is kept in ``backups/replaced-<ts>/`` and opens with the passwords valid before.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from fzmediate.errors import (
    AuthenticationError,
    BackoffError,
    PermissionDenied,
    StoreBusyError,
    StoreDamagedError,
    ValidationError,
)
from fzmediate.i18n import _
from fzmediate.jsonsafe import key_text
from fzmediate.security import keyslots as ks
from fzmediate.security.atomic import fsync_dir, fsync_file, open_private
from fzmediate.security.crashpoints import crashpoint
from fzmediate.security.roles import Role
from fzmediate.services import store_swap
from fzmediate.services.dto import BackupInfo
from fzmediate.services.paths import BACKUP_WORK_PREFIX
from fzmediate.store.migrate import current_revision

if TYPE_CHECKING:
    from filelock import FileLock

    from fzmediate.services.session import Session
    from fzmediate.services.workspace import Workspace

FORMAT = "fzmediate-backup"
FORMAT_VERSION = 1

MANIFEST = "manifest.json"
SLOTS = "keyslots.json"
DATABASE = "fzmediate.db"
MiB = 1024 * 1024
#: The most each member may declare. A slot file of 100 users is ~150 KB; 4 GiB is far above any office.
MEMBER_LIMITS = {MANIFEST: 1 * MiB, SLOTS: 1 * MiB, DATABASE: 4096 * MiB}
#: Declared size over stored size. Encrypted pages do not compress (we store them): anything much above
#: 1 is not a backup we wrote, and a zip bomb's ratio is in the hundreds or thousands.
MAX_RATIO = 20
CHUNK = 1 * MiB


# --- writing ---------------------------------------------------------------------------------------
#: Told how far a backup has come: (bytes done, bytes in all). It may raise to stop the backup (nothing is left
#: behind but what was there before).
Progress = Callable[[int, int], None]


def write_backup(session: Session, out: Path, *, progress: Progress | None = None) -> BackupInfo:
    """Write the backup file ``out`` (owner-only; replaced atomically, so a stopped backup leaves no part file).

    ``progress`` is told the bytes done of the whole once the database is exported (its copy is then read twice:
    hashed for the manifest, then streamed into the archive, so the whole is twice its size)."""
    out = Path(out)
    if out.exists() and out.is_dir():
        raise ValidationError(
            _("Backup file: {path} is a folder; give a file name.").format(path=out.name), field="out"
        )
    if not out.parent.is_dir():
        raise ValidationError(
            _("Backup file: the folder {path} does not exist.").format(path=out.parent.name), field="out"
        )
    paths = session.workspace.paths
    created = datetime.now(UTC).isoformat(timespec="seconds")
    tell: Progress = progress if progress is not None else _ignore
    with tempfile.TemporaryDirectory(prefix=BACKUP_WORK_PREFIX, dir=paths.root) as tmp:
        db_copy = Path(tmp) / DATABASE
        session.db.export_to(db_copy)
        size = db_copy.stat().st_size
        total = 2 * size
        tell(0, total)
        slots_bytes = paths.slots.read_bytes()
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created_at": created,
            "store_id": session.store_id,
            "schema": current_revision(session.db.engine) or "",
            "db_sha256": _file_sha256(db_copy, lambda done: tell(done, total)),
            "slots_sha256": hashlib.sha256(slots_bytes).hexdigest(),
        }
        buf_path = out.with_name("." + out.name + ".tmp")
        buf_path.unlink(missing_ok=True)
        try:
            with os.fdopen(open_private(buf_path), "wb") as fh:
                with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED) as zf:
                    zf.writestr(MANIFEST, json.dumps(manifest, sort_keys=True, indent=1))
                    zf.writestr(SLOTS, slots_bytes)
                    # Streamed from the file, never held in memory.
                    _archive(zf, db_copy, lambda done: tell(size + done, total))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(buf_path, out)
        except BaseException:
            buf_path.unlink(missing_ok=True)
            raise
    fsync_dir(out.parent)
    tell(total, total)
    return BackupInfo(path=out, created_at=created, schema=str(manifest["schema"]), size=out.stat().st_size)


def _ignore(done: int, total: int) -> None:
    """No one is told."""


def _archive(zf: zipfile.ZipFile, source: Path, done: Callable[[int], None]) -> None:
    """Stream ``source`` into the archive as the database member, telling ``done`` the bytes written so far."""
    info = zipfile.ZipInfo.from_file(source, DATABASE)
    info.compress_type = zipfile.ZIP_STORED
    written = 0
    with open(source, "rb") as src, zf.open(info, "w") as dst:  # zip64 when its size needs it
        while chunk := src.read(CHUNK):
            dst.write(chunk)
            written += len(chunk)
            done(written)


def _file_sha256(path: Path, done: Callable[[int], None] | None = None) -> str:
    digest = hashlib.sha256()
    read = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            read += len(chunk)
            if done is not None:
                done(read)
    return digest.hexdigest()


# --- reading ---------------------------------------------------------------------------------------
def _damaged() -> StoreDamagedError:
    return StoreDamagedError(_("Backup file: not an fzmediate backup, or damaged (checksum mismatch)."))


def _member_label(name: str) -> str:
    shown = key_text(name)
    return shown if shown is not None else "…"


class BackupReader:
    """An opened backup whose members passed the checks that need no reading: names, sizes, ratios.

    Use as a context manager. ``manifest`` and ``slots`` are small and read at once; the database member
    is only ever streamed to a file (``copy_database``) and checked against the manifest's hash.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile, ValueError) as exc:
            raise _damaged() from exc
        try:
            self._members = self._checked_members()
            self.manifest = self._read_manifest()
            self.slots_bytes = self._read_small(SLOTS)
            if hashlib.sha256(self.slots_bytes).hexdigest() != self.manifest.get("slots_sha256"):
                raise _damaged()
            self.slots = ks.KeySlotFile.from_bytes(self.slots_bytes)
            if self.manifest.get("store_id") != self.slots.store_id:
                raise _damaged()
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self) -> BackupReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self._zip.close()

    def _checked_members(self) -> dict[str, zipfile.ZipInfo]:
        infos = self._zip.infolist()
        counts = Counter(i.filename for i in infos)
        for name, count in counts.items():
            if name not in MEMBER_LIMITS:
                raise StoreDamagedError(
                    _("Backup file: unexpected member {name}; a backup holds only {expected}.").format(
                        name=_member_label(name), expected=", ".join(MEMBER_LIMITS)
                    )
                )
            if count > 1:
                raise StoreDamagedError(
                    _("Backup file: the member {name} appears {count} times.").format(name=name, count=count)
                )
        missing = [name for name in MEMBER_LIMITS if name not in counts]
        if missing:
            raise StoreDamagedError(_("Backup file: the member {name} is missing.").format(name=", ".join(missing)))
        archive_size = self.path.stat().st_size
        for info in infos:
            limit = MEMBER_LIMITS[info.filename]
            if info.file_size > limit:
                raise StoreDamagedError(
                    _(
                        "Backup file: the member {name} declares {size} bytes, more than the {limit} allowed; "
                        "it was not read."
                    ).format(name=info.filename, size=info.file_size, limit=limit)
                )
            if (
                info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
                or info.file_size > max(info.compress_size, 1) * MAX_RATIO
                or info.file_size > archive_size * MAX_RATIO
            ):
                raise StoreDamagedError(
                    _(
                        "Backup file: the member {name} declares a size or compression no backup has; it was not read."
                    ).format(name=info.filename)
                )
        return {i.filename: i for i in infos}

    def _stream(self, name: str) -> IO[bytes]:
        try:
            return self._zip.open(self._members[name])
        except (OSError, zipfile.BadZipFile, ValueError, RuntimeError) as exc:
            raise _damaged() from exc

    def _read_small(self, name: str) -> bytes:
        limit = self._members[name].file_size
        try:
            with self._stream(name) as fh:
                data = fh.read(limit + 1)
        except (OSError, zipfile.BadZipFile, ValueError, EOFError) as exc:
            raise _damaged() from exc
        if len(data) != limit:
            raise _damaged()
        return data

    def _read_manifest(self) -> dict[str, Any]:
        try:
            manifest = json.loads(self._read_small(MANIFEST).decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise _damaged() from exc
        if (
            not isinstance(manifest, dict)
            or manifest.get("format") != FORMAT
            or manifest.get("version") != FORMAT_VERSION
        ):
            raise _damaged()
        return manifest

    def verify_database(self) -> None:
        """Stream the database member through its hash (nothing kept): damage is refused before any login."""
        self._copy_database(None)

    def copy_database(self, target: Path) -> None:
        """Stream the database member to ``target`` (new, owner-only), fsynced; check size and hash."""
        self._copy_database(target)

    def _copy_database(self, target: Path | None) -> None:
        expected = self._members[DATABASE].file_size
        digest = hashlib.sha256()
        written = 0
        try:
            with self._stream(DATABASE) as src, _sink(target) as dst:
                while chunk := src.read(CHUNK):
                    written += len(chunk)
                    if written > expected:
                        raise _damaged()
                    digest.update(chunk)
                    dst.write(chunk)
        except (OSError, zipfile.BadZipFile, ValueError, EOFError) as exc:
            raise _damaged() from exc
        if written != expected or digest.hexdigest() != self.manifest.get("db_sha256"):
            raise _damaged()


class _Discard(io.RawIOBase):
    def write(self, b: Any) -> int:
        return len(b)


@contextmanager
def _sink(target: Path | None) -> Iterator[IO[bytes]]:
    """Where streamed bytes go: a new owner-only file, fsynced when done, or nowhere."""
    if target is None:
        yield cast(IO[bytes], _Discard())
        return
    with os.fdopen(open_private(target), "wb") as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


# --- restoring -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoreSummary:
    """What a restore would put aside, in words without personal data."""

    short_id: str
    users: int
    last_change: str


def restore_backup(
    ws: Workspace,
    backup: Path,
    login: str,
    password: str,
    *,
    backup_login: str | None = None,
    backup_password: str | None = None,
    replace_store: bool = False,
) -> Path | None:
    """Restore ``backup`` into ``ws``; returns where the replaced store was kept (None if there was none).

    ``login``/``password``: an administrator of the current store; with no store yet, they open the backup.
    ``backup_login``/``backup_password`` (default: the same) must be an administrator's in the backup.
    """
    backup = Path(backup)
    if not backup.is_file():
        raise ValidationError(_("Backup file: {path} does not exist.").format(path=backup.name), field="in")
    ws.finish_interrupted_restore()
    b_login = backup_login or login
    b_password = password if backup_password is None else backup_password
    with BackupReader(backup) as reader:
        reader.verify_database()
        if not ws.is_initialized():
            lock: FileLock = ws._acquire()
            try:
                if ws.paths.slots.exists():  # set up by another process meanwhile: it is a current store now
                    raise StoreBusyError(
                        _("This data directory is open in another fzmediate window or command. Close it and try again.")
                    )
                staging = _stage(ws, reader, b_login, b_password)
                return store_swap.commit(ws.paths, staging, _kept_name())
            finally:
                lock.release()
        current = _authorise_current(ws, login, password)
        try:
            _check_same_store(current, reader.slots.store_id, replace_store)
            staging = _stage(ws, reader, b_login, b_password)
            try:
                details = {
                    "backup_store": reader.slots.store_id[:8],
                    "backup_created": reader.manifest.get("created_at"),
                }
                with current.write("store.replace", "store", current.store_id, details):
                    pass
                # Close the database, but keep the data directory locked until the swap is done.
                current.db.close()
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            # From here on the staging folder belongs to the swap: if it fails, the next start finishes it.
            return store_swap.commit(ws.paths, staging, _kept_name())
        finally:
            current.lock()


def _kept_name() -> str:
    return "replaced-{0}".format(datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ"))


def _authorise_current(ws: Workspace, login: str, password: str) -> Session:
    """Unlock the current store as ``login`` (counted by the back-off) and require an administrator."""
    try:
        session = ws.unlock(login, password)
    except BackoffError:
        raise
    except AuthenticationError as exc:
        raise AuthenticationError(
            _("Restore: wrong user name or password for the current store. Nothing was changed."),
            retry_after=exc.retry_after,
        ) from None
    except StoreDamagedError as exc:
        raise StoreDamagedError(
            _(
                "Restore: the current store cannot be opened ({detail}), so no administrator's password can be "
                "checked. Move its files out of the data folder, or restore into an empty data folder. Nothing "
                "was changed."
            ).format(detail=exc.message.rstrip("。."))
        ) from exc
    if session.actor.role is not Role.ADMIN:
        session.lock()
        raise PermissionDenied(
            _(
                "Restore: {login} is not an administrator of the current store; only an administrator can "
                "replace it. Nothing was changed."
            ).format(login=login)
        )
    return session


def summarise(session: Session) -> StoreSummary:
    users = len(session.users.list())
    tail = session.maintenance.audit_tail(1)
    last = tail[0].at[:10] if tail else "-"
    return StoreSummary(short_id=session.store_id[:8], users=users, last_change=last)


def _check_same_store(current: Session, backup_store_id: str, replace_store: bool) -> None:
    if backup_store_id == current.store_id or replace_store:
        return
    s = summarise(current)
    raise PermissionDenied(
        _(
            "Restore: the backup is of another store ({backup}). It would put aside the current store {current} "
            "({users} users, last change {date}). To do that, repeat with --replace-store. Nothing was changed."
        ).format(backup=backup_store_id[:8], current=s.short_id, users=s.users, date=s.last_change)
    )


def check_backup_password(ws: Workspace, slots: ks.KeySlotFile, login: str, password: str) -> None:
    """Check ``login``'s password against a backup's own slots (``BackupReader.slots``), counted by this data
    directory's back-off like an unlock: the password must have been valid when the backup was made."""
    try:
        ws.verify_password(login, password, slots=slots)
    except BackoffError:
        raise
    except AuthenticationError as exc:
        raise AuthenticationError(
            _(
                "Restore: wrong user name or password for the backup (it needs a password that was valid when "
                "the backup was made). Nothing was changed."
            ),
            retry_after=exc.retry_after,
        ) from None


def _stage(ws: Workspace, reader: BackupReader, login: str, password: str) -> Path:
    """Prepare the backed-up store in a staging folder: open it as ``login``, check it, record the restore.

    Returns the folder, holding the database and the slot file only, both fsynced.
    """
    from fzmediate.services.workspace import Workspace

    check_backup_password(ws, reader.slots, login, password)
    staging = store_swap.new_staging(ws.paths)
    try:
        reader.copy_database(staging / DATABASE)
        with os.fdopen(open_private(staging / SLOTS), "wb") as fh:
            fh.write(reader.slots_bytes)
            fh.flush()
            os.fsync(fh.fileno())
        crashpoint("restore.staged-files")
        staged = Workspace(staging, kdf=ws.kdf, clock=ws.clock)
        # A full unlock of the copy: migrations, signatures and role grants are checked as at any unlock.
        with staged.unlock(login, password) as st:
            if st.actor.role is not Role.ADMIN:
                raise PermissionDenied(
                    _(
                        "Restore: {login} is not an administrator in the backup; only a backup administrator's "
                        "password can restore it. Nothing was changed."
                    ).format(login=login)
                )
            if st.store_id != reader.slots.store_id:
                raise _damaged()
            report = st.maintenance.check()
            if not report.ok:
                raise StoreDamagedError(
                    _("Restore: the backup failed its check: {problems} Nothing was changed.").format(
                        problems="; ".join(report.problems)
                    )
                )
            with st.write("store.restore", "store", st.store_id, {"backup_created": reader.manifest.get("created_at")}):
                pass
        crashpoint("restore.staged-checked")
        _keep_only_store(staging)
        crashpoint("restore.staged")
        return staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _keep_only_store(staging: Path) -> None:
    """Leave the database and the slot file in ``staging`` (fsynced), nothing else.

    The checking session left its lock file, back-off counter and any pre-upgrade copy there; a WAL left
    after a clean close would hold committed pages, so it is a reason to stop, not a file to drop.
    """
    db = staging / DATABASE
    for suffix in ("-wal", "-journal"):
        companion = db.with_name(db.name + suffix)
        if companion.exists() and companion.stat().st_size > 0:
            raise StoreDamagedError(_("Restore: the checked copy was not closed cleanly. Nothing was changed."))
    for entry in list(staging.iterdir()):
        if entry.name in (DATABASE, SLOTS):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for name in (DATABASE, SLOTS):
        fsync_file(staging / name)
    fsync_dir(staging)
