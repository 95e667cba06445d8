"""Swap a prepared store into a data directory so that no crash, at any instant, loses either store.

The live store is the set of files ``StorePaths.store_files()`` in the data directory. A restore prepares
the new store — database and key slots, nothing else — in a sibling folder ``.restore-<id>/`` and fsyncs
it. Then ``commit`` writes ``restore-intent.json`` atomically: from that instant the swap is decided and
is always carried to the end, by this process or, after a crash, by the next start
(``finish_interrupted``). Carrying it out is idempotent:

1. every file of the current store still in place moves to ``backups/replaced-<ts>/`` — the database with
   its ``-wal``, ``-shm`` and ``-journal``, which belong to it and must never be applied to another
   database, and its slot files, so the kept copy opens with the passwords valid before;
2. the staged files move in, the slot file (the sign that a store exists) last;
3. the intent is removed, then the staging folder.

A staged file still in the staging folder means the file of that name in the data directory is the old
one; once moved, it is the new one. So after a crash before the intent exists the data directory holds
the old store untouched (the staging folder is stale and removed at the next start), and after it the next
start completes the new one. Nothing here imports SQLAlchemy: the check runs on every start.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from fzmediate.errors import StoreDamagedError
from fzmediate.i18n import _
from fzmediate.security.atomic import atomic_write_bytes, fsync_dir
from fzmediate.security.crashpoints import crashpoint
from fzmediate.services.paths import BACKUP_WORK_PREFIX, STAGING_PREFIX, StorePaths

log = logging.getLogger(__name__)

INTENT_FORMAT = "fzmediate-restore-intent"
INTENT_VERSION = 1
_STAGING_NAME = re.compile(r"\A\.restore-[0-9a-f]{32}\Z")
_KEPT_NAME = re.compile(r"\Areplaced-[0-9]{8}T[0-9]{12}Z(-[0-9]+)?\Z")


@dataclass(frozen=True)
class Intent:
    """What ``restore-intent.json`` records: which staging folder to move in, where the old store goes."""

    staging: str
    kept: str

    def to_bytes(self) -> bytes:
        body = {"format": INTENT_FORMAT, "version": INTENT_VERSION, "staging": self.staging, "kept": self.kept}
        return json.dumps(body, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Intent:
        try:
            body = json.loads(data.decode("utf-8"))
            intent = cls(staging=str(body["staging"]), kept=str(body["kept"]))
            valid = (
                body.get("format") == INTENT_FORMAT
                and body.get("version") == INTENT_VERSION
                and _STAGING_NAME.match(intent.staging)
                and _KEPT_NAME.match(intent.kept)
            )
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            valid = False
        if not valid:
            raise StoreDamagedError(
                _(
                    "The file {name} is damaged, so an interrupted restore cannot be finished safely; nothing "
                    "was changed. Ask the administrator to check the data folder."
                ).format(name="restore-intent.json")
            )
        return intent


def new_staging(paths: StorePaths) -> Path:
    """An empty private folder inside the data directory (same file system: the swap is renames only)."""
    staging = paths.root / "{0}{1}".format(STAGING_PREFIX, uuid.uuid4().hex)
    staging.mkdir(mode=0o700)
    fsync_dir(paths.root)
    return staging


def commit(paths: StorePaths, staging: Path, kept_name: str) -> Path | None:
    """Swap the complete, fsynced store in ``staging`` in; the caller holds the data directory's lock.

    Returns the folder the replaced store was moved to, or None when there was nothing to replace.
    """
    kept, n = kept_name, 0
    while (paths.backups / kept).exists():  # each replaced store gets a folder of its own
        n += 1
        kept = "{0}-{1}".format(kept_name, n)
    intent = Intent(staging=staging.name, kept=kept)
    atomic_write_bytes(paths.restore_intent, intent.to_bytes())
    crashpoint("restore.intent-written")
    return _carry_out(paths, intent)


def _carry_out(paths: StorePaths, intent: Intent) -> Path | None:
    staging = paths.root / intent.staging
    kept = paths.backups / intent.kept
    staged = paths.staged_names()
    if not staging.is_dir():
        # Only removed after the intent, so someone deleted it: which files are whose is unknowable, and a
        # journal must not be parted from its database. Leave every file where it is.
        log.warning("a restore's intent names a staging folder that is gone; nothing was moved")
        paths.restore_intent.unlink()
        fsync_dir(paths.root)
        return None
    old = [
        p
        for p in paths.store_files()
        if p.exists() and not (p.name in staged and not (staging / p.name).exists())  # moved in: the new one
    ]
    if old:
        kept.mkdir(parents=True, exist_ok=True)
        fsync_dir(paths.backups)
        crashpoint("restore.kept-folder")
        for p in old:
            os.replace(p, _free_name(kept / p.name))
            crashpoint("restore.moved-old")
        fsync_dir(kept)
        fsync_dir(paths.root)
    for name in staged:
        if (staging / name).exists():
            os.replace(staging / name, paths.root / name)
            crashpoint("restore.moved-new")
    fsync_dir(paths.root)
    paths.restore_intent.unlink()
    fsync_dir(paths.root)
    crashpoint("restore.intent-removed")
    shutil.rmtree(staging, ignore_errors=True)
    return kept if kept.is_dir() else None


def _free_name(target: Path) -> Path:
    """``target``, or a numbered name beside it: a kept file is never overwritten."""
    candidate, n = target, 0
    while candidate.exists():
        n += 1
        candidate = target.with_name("{0}.{1}".format(target.name, n))
    return candidate


def _leftovers(paths: StorePaths) -> list[Path]:
    """Work folders of restores and backups, and temp files of the files only written under the data
    directory's lock (a crash between write and rename leaves them; the back-off file is not among them:
    it is written without that lock, so its temp file may belong to a live process)."""
    temp_prefixes = tuple("." + p.name + "." for p in (paths.slots, paths.pending_slots, paths.restore_intent))
    try:
        with os.scandir(paths.root) as entries:
            return [
                Path(e.path)
                for e in entries
                if (e.name.startswith((STAGING_PREFIX, BACKUP_WORK_PREFIX)) and e.is_dir(follow_symlinks=False))
                or (e.name.startswith(temp_prefixes) and e.name.endswith(".tmp") and e.is_file(follow_symlinks=False))
            ]
    except (FileNotFoundError, NotADirectoryError):
        return []


def finish_interrupted(paths: StorePaths) -> None:
    """At start-up: finish a swap a crash interrupted and remove stale work folders.

    Cheap when there is nothing to do (one stat and one directory listing). Skipped while another process
    holds the data directory: that process is either doing the work itself or has already done this.
    """
    has_intent = paths.restore_intent.exists()
    if not has_intent and not _leftovers(paths):
        return
    lock = FileLock(str(paths.lock), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return
    try:
        if paths.restore_intent.exists():
            intent = Intent.from_bytes(paths.restore_intent.read_bytes())
            kept = _carry_out(paths, intent)
            log.warning("finished a restore that was interrupted (replaced store kept: %s)", kept is not None)
        for leftover in _leftovers(paths):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        log.info("removed the leftovers of interrupted work")
        fsync_dir(paths.root)
    finally:
        lock.release()
