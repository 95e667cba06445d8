"""The settings and administration screen's store work: settings file, users, passwords, recovery code,
backup and restore, the store check, catalogue import, the desk's unit and the sync placeholder.

Every function runs on the DB worker through ``SessionContext.call``; arguments and results are picklable.
Passwords cross as plain strings inside one call and are never logged or returned. The services check who
may do what (``fzmediate.security.permissions``); listing users, which the service leaves open, is checked
here with the same table.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fzmediate.desk.token import CancelToken
from fzmediate.errors import AuthenticationError, BackoffError, FzError, PermissionDenied, ValidationError
from fzmediate.i18n import _
from fzmediate.security.masking import mask_name
from fzmediate.security.permissions import Permission, Role, require
from fzmediate.settings import Settings

if TYPE_CHECKING:
    from fzmediate.services.dto import UserInfo
    from fzmediate.services.session import Session
    from fzmediate.services.workspace import Workspace

log = logging.getLogger(__name__)

BACKUP_SUFFIX = ".fzbackup"
#: Backup progress is reported in thousandths of the whole.
PERMILLE = 1000


# --- settings ------------------------------------------------------------------------------------------
def save_settings(session: Session, token: CancelToken, settings: Settings) -> None:
    """Write ``settings.json`` of the session's data folder (atomic; no secrets, no personal data)."""
    settings.save(session.workspace.paths.root)


# --- users ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UserRow:
    """A user as the administration table shows it: the real name masked, as ``fzmediate user list`` does."""

    login: str
    masked_name: str
    role: Role
    legally_qualified: bool
    active: bool
    is_self: bool


@dataclass(frozen=True)
class NewUser:
    login: str
    full_name: str
    role: str
    legally_qualified: bool
    password: str

    def __repr__(self) -> str:  # never show the password in a log or a failing test
        return "NewUser(login={0!r}, role={1!r})".format(self.login, self.role)


def _row(info: UserInfo, me: str) -> UserRow:
    return UserRow(
        login=info.login,
        masked_name=mask_name(info.full_name) if info.full_name else "",
        role=info.role,
        legally_qualified=info.legally_qualified,
        active=info.active,
        is_self=info.login == me,
    )


def list_users(session: Session, token: CancelToken) -> tuple[UserRow, ...]:
    """Every user, removed ones included (administrators)."""
    require(session, Permission.MANAGE_USERS.value)
    me = session.actor.login
    return tuple(_row(u, me) for u in session.users.list(include_removed=True))


def add_user(session: Session, token: CancelToken, new: NewUser) -> UserRow:
    info = session.users.add(
        new.login,
        new.role,
        new.password,
        legally_qualified=new.legally_qualified,
        full_name=new.full_name,
    )
    return _row(info, session.actor.login)


def deactivate_user(session: Session, token: CancelToken, login: str) -> None:
    """Remove ``login``: the row stays (history), the slot goes, and the store is re-keyed."""
    token.report(0, None, _("Re-encrypting the store with a new key…"))
    session.users.remove(login)


# --- passwords and the recovery code ---------------------------------------------------------------------
def _verify_password(ws: Workspace, login: str, password: str, wrong: str) -> None:
    """Check ``password`` against ``login``'s slot now, counted by the unlock back-off like any attempt."""
    try:
        ws.verify_password(login, password)
    except BackoffError:
        raise
    except AuthenticationError as exc:
        raise AuthenticationError(wrong, retry_after=exc.retry_after) from None


@contextmanager
def _wrong_password_names(field: str) -> Iterator[None]:
    """A wrong password inside the block is reported as a refusal of ``field`` (shown beside that field);
    a back-off (too many attempts) is not: it keeps its countdown."""
    try:
        yield
    except BackoffError:
        raise
    except AuthenticationError as exc:
        raise ValidationError(exc.message, field=field) from None


def change_password(session: Session, token: CancelToken, old: str, new: str) -> None:
    """The signed-in user's own password: the current one is asked again (the desk may be left unlocked)."""
    login = session.actor.login
    with _wrong_password_names("old"):
        _verify_password(
            session.workspace, login, old, _("Current password: this is not your password. Nothing was changed.")
        )
    try:
        session.users.set_password(login, new)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="new") from None


def renew_recovery_code(session: Session, token: CancelToken) -> str:
    """A new recovery code (administrators); the old one stops working. Shown once, never stored."""
    return session.users.renew_recovery_code()


# --- backup, restore, check ------------------------------------------------------------------------------
@dataclass(frozen=True)
class BackupResult:
    path: str
    size: int
    created_at: str


def _backup_target(session: Session, folder: Path) -> Path:
    stamp = session.now().strftime("%Y%m%d-%H%M%S")
    base = "fzmediate-{0}-{1}".format(session.store_id[:8], stamp)
    target = folder / (base + BACKUP_SUFFIX)
    number = 2
    while target.exists():
        target = folder / "{0}-{1}{2}".format(base, number, BACKUP_SUFFIX)
        number += 1
    return target


def write_backup(session: Session, token: CancelToken, folder: str) -> BackupResult:
    """An encrypted backup file in ``folder`` (named by store and time), with its progress in bytes.

    Cancellable until the file is complete: a cancelled backup leaves no file (``fzmediate.services.backup``)."""
    require(session, Permission.BACKUP.value)
    where = Path(folder)
    if not where.is_dir():
        raise ValidationError(
            _("Backup folder: {path} does not exist or is not a folder.").format(path=where.name), field="folder"
        )
    token.report(0, None, _("Preparing the backup…"))
    token.check()
    target = _backup_target(session, where)
    writing = _("Writing the encrypted backup file…")
    shown = -1

    def progress(done: int, total: int) -> None:
        # In thousandths, and only when that changes: a progress bar holds 32-bit values, a store may hold
        # gigabytes, and a report per megabyte would flood the screen's event queue.
        nonlocal shown
        permille = done * PERMILLE // total if total else 0
        if permille != shown:
            shown = permille
            token.report(permille, PERMILLE, writing)
        token.check()  # a cancelled backup stops here and leaves no file behind

    info = session.maintenance.backup(target, progress=progress)
    token.report(PERMILLE, PERMILLE, _("Backup written."))
    return BackupResult(path=str(info.path), size=info.size, created_at=info.created_at)


@dataclass(frozen=True)
class CheckResult:
    deep: bool
    problems: tuple[str, ...]
    audit_events: int

    @property
    def ok(self) -> bool:
        return not self.problems


def check_store(session: Session, token: CancelToken, deep: bool) -> CheckResult:
    """Database pages, role grants and the whole signed audit chain (``fzmediate check [--deep]``)."""
    token.report(0, None, _("Checking the store…"))
    report = session.maintenance.check(deep=deep)
    return CheckResult(deep=deep, problems=tuple(report.problems), audit_events=report.audit_events)


class RestoreLockedError(FzError):
    """The restore failed after the session was locked for it: the desk must show the unlock screen."""


@dataclass(frozen=True)
class RestoreResult:
    #: The folder (under the data folder's ``backups/``) where the replaced store was kept, by name.
    kept: str


def restore_backup(
    session: Session,
    token: CancelToken,
    backup: str,
    password: str,
    backup_password: str,
    replace_store: bool,
) -> RestoreResult:
    """Replace the store with ``backup``; the session is locked whatever the outcome once the swap begins.

    Everything that can be checked while the store stays open is checked first, so a typo or a wrong file
    changes nothing and keeps the desk unlocked: the administrator's password, the backup's integrity and
    store, and the password valid in the backup. Then the session locks (the restore needs the data folder
    to itself) and ``Workspace.restore`` does the guarded, crash-safe swap (``fzmediate.services.backup``).
    """
    from fzmediate.services.backup import BackupReader, check_backup_password, summarise

    require(session, Permission.RESTORE.value)
    ws = session.workspace
    login = session.actor.login
    path = Path(backup)
    if not path.is_file():
        raise ValidationError(_("Backup file: {path} does not exist.").format(path=path.name), field="file")
    token.report(0, 4, _("Checking your password…"))
    with _wrong_password_names("password"):
        _verify_password(ws, login, password, _("Password: this is not your password. Nothing was changed."))
    token.check()
    token.report(1, 4, _("Checking the backup file…"))
    in_backup = backup_password or password
    with BackupReader(path) as reader:
        reader.verify_database()
        token.check()
        if reader.slots.store_id != session.store_id and not replace_store:
            now = summarise(session)
            raise PermissionDenied(
                _(
                    "Restore: the backup is of another store ({backup}). It would put aside this store {current} "
                    "({users} users, last change {date}). Tick “Replace this store” to do that. Nothing was changed."
                ).format(backup=reader.slots.store_id[:8], current=now.short_id, users=now.users, date=now.last_change)
            )
        with _wrong_password_names("backup_password"):
            check_backup_password(ws, reader.slots, login, in_backup)
    token.check()
    token.report(2, 4, _("Locking this desk for the restore…"))
    session.lock()
    token.report(3, 4, _("Restoring the backup…"))
    try:
        kept = ws.restore(path, login, password, backup_password=in_backup, replace_store=replace_store)
    except FzError as exc:
        raise RestoreLockedError(
            _("The restore did not complete: {problem} This desk was locked for it; sign in again.").format(
                problem=exc.message
            )
        ) from exc
    token.report(4, 4, _("Backup restored."))
    log.info("backup restored from the settings screen")
    return RestoreResult(kept=kept.name if kept is not None else "")


# --- catalogue and the desk's unit -----------------------------------------------------------------------
@dataclass(frozen=True)
class CatalogueResult:
    bundle_id: str
    version: int
    label: str


def import_catalogue(session: Session, token: CancelToken, path: str) -> CatalogueResult:
    """Verify a signed catalogue bundle file and make it the active catalogue (administrators)."""
    token.report(0, None, _("Verifying the catalogue signature…"))
    info = session.catalogue.import_bundle(Path(path))
    return CatalogueResult(bundle_id=info.bundle_id, version=info.version, label=info.label)


@dataclass(frozen=True)
class UnitChoice:
    code: str
    name: str


@dataclass(frozen=True)
class DeskUnitInfo:
    units: tuple[UnitChoice, ...]
    #: The desk's unit code ("" when not set).
    current: str
    #: The body in whose name this desk issues ("" when it cannot be told).
    issuer: str
    #: Why the issuer cannot be told ("" when it can).
    problem: str
    #: The active catalogue, for the user to see which version the unit list comes from.
    catalogue: str


def desk_unit(session: Session, token: CancelToken) -> DeskUnitInfo:
    """The units of the active catalogue, the desk's unit and its issuing body."""
    org = session.organisation
    units = tuple(UnitChoice(u.code, str(u.name)) for u in org.units())
    issuer, problem = "", ""
    try:
        issuer = org.desk_issuer().name
    except FzError as exc:
        problem = exc.message
    active = session.catalogue.active()
    catalogue = "{0} {1}".format(active.bundle_id, active.version_label)
    return DeskUnitInfo(units, org.desk_unit_code(), issuer, problem, catalogue)


def set_desk_unit(session: Session, token: CancelToken, code: str) -> DeskUnitInfo:
    """Choose the desk's unit (administrators; audited) and answer what the screen shows next."""
    session.organisation.set_desk_unit(code)
    return desk_unit(session, token)


# --- sync ---------------------------------------------------------------------------------------------
def outbox_count(session: Session, token: CancelToken) -> int:
    """How many recorded changes wait for the district server (all of them until sync exists)."""
    from sqlalchemy import func, select

    from fzmediate.store.models import OutboxEntry

    with session.read() as s:
        return int(s.scalar(select(func.count()).select_from(OutboxEntry)) or 0)
