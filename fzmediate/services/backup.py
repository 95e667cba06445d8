"""Backup files: the encrypted database plus the key slots that open it, in one zip.

Nothing in the file is readable without a password or the recovery code valid *at backup time*: the
database inside is an SQLCipher export under the same key, and the slots are the same wrapped slots.
The manifest holds no personal data. Restore authenticates against the backup's own slots, checks the
copy, and only then swaps it in; the store it replaces is moved to ``backups/``, never deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fzmediate.errors import PermissionDenied, StoreDamagedError, ValidationError
from fzmediate.i18n import _
from fzmediate.security import keyslots as ks
from fzmediate.security.atomic import atomic_write_bytes, fsync_dir
from fzmediate.services.dto import BackupInfo
from fzmediate.store.database import Database
from fzmediate.store.migrate import current_revision

if TYPE_CHECKING:
    from fzmediate.services.session import Session
    from fzmediate.services.workspace import Workspace

FORMAT = "fzmediate-backup"
FORMAT_VERSION = 1


def write_backup(session: Session, out: Path) -> BackupInfo:
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
    with tempfile.TemporaryDirectory(prefix=".fzbackup-", dir=paths.root) as tmp:
        db_copy = Path(tmp) / "fzmediate.db"
        session.db.export_to(db_copy)
        db_bytes = db_copy.read_bytes()
    slots_bytes = paths.slots.read_bytes()
    created = datetime.now(UTC).isoformat(timespec="seconds")
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created_at": created,
        "store_id": session.store_id,
        "schema": current_revision(session.db.engine) or "",
        "db_sha256": hashlib.sha256(db_bytes).hexdigest(),
        "slots_sha256": hashlib.sha256(slots_bytes).hexdigest(),
    }
    buf_path = out.with_name("." + out.name + ".tmp")
    with zipfile.ZipFile(buf_path, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, sort_keys=True, indent=1))
        zf.writestr("keyslots.json", slots_bytes)
        zf.writestr("fzmediate.db", db_bytes)
    with open(buf_path, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(buf_path, out)
    fsync_dir(out.parent)
    return BackupInfo(path=out, created_at=created, schema=str(manifest["schema"]), size=out.stat().st_size)


def _read_backup(path: Path) -> tuple[dict[str, object], bytes, bytes]:
    bad = StoreDamagedError(_("Backup file: not an fzmediate backup, or damaged (checksum mismatch)."))
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read("manifest.json"))
            slots = zf.read("keyslots.json")
            db = zf.read("fzmediate.db")
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise bad from exc
    if (
        manifest.get("format") != FORMAT
        or manifest.get("version") != FORMAT_VERSION
        or hashlib.sha256(db).hexdigest() != manifest.get("db_sha256")
        or hashlib.sha256(slots).hexdigest() != manifest.get("slots_sha256")
    ):
        raise bad
    return manifest, slots, db


def restore_backup(ws: Workspace, backup: Path, login: str, password: str) -> Path | None:
    """Restore ``backup`` into ``ws``; returns where the replaced store was kept (None if there was none)."""
    from fzmediate.services.session import Session

    if not Path(backup).is_file():
        raise ValidationError(_("Backup file: {path} does not exist.").format(path=Path(backup).name), field="in")
    _manifest, slots_bytes, db_bytes = _read_backup(Path(backup))
    slots = ks.KeySlotFile.from_bytes(slots_bytes)
    ws._check_backoff(login)
    try:
        key = slots.open("user", login, password.encode("utf-8"))
    except Exception:
        ws.backoff.record_failure(login)
        raise
    ws.backoff.reset(login)
    lock = ws._acquire()
    try:
        staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=ws.paths.root))
        try:
            staged_db = staging / ws.paths.db.name
            staged_db.write_bytes(db_bytes)
            probe = Database(staged_db, bytearray(key))
            try:
                problems = probe.integrity_problems()
                if problems:
                    raise StoreDamagedError("; ".join(problems))
                # The restoring person must be an administrator of the backed-up store.
                from sqlalchemy import select

                from fzmediate.store.models import User

                with probe.reader() as s:
                    user = s.scalars(select(User).where(User.login == login, User.active.is_(True))).first()
                    if user is None or user.role != "admin":
                        raise PermissionDenied(_("Only an administrator of the backed-up store can restore it."))
            finally:
                probe.close()
            kept = _move_current_aside(ws)
            os.replace(staged_db, ws.paths.db)
            atomic_write_bytes(ws.paths.slots, slots_bytes)
            fsync_dir(ws.paths.root)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        lock.release()
        ks.wipe(key)
    # Audit the restore inside the restored store (and migrate it if it is older).
    session = ws.unlock(login, password)
    try:
        with session.write("store.restore", "store", session.store_id, {"backup_created": _manifest.get("created_at")}):
            pass
    finally:
        Session.lock(session)
    return kept


def _move_current_aside(ws: Workspace) -> Path | None:
    present = [p for p in (*ws.paths.db_companions(), ws.paths.slots, ws.paths.pending_slots) if p.exists()]
    if not present:
        return None
    target = ws.paths.backups / "replaced-{0}".format(datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ"))
    target.mkdir(parents=True)
    for p in present:
        shutil.move(str(p), str(target / p.name))
    fsync_dir(ws.paths.root)
    return target
