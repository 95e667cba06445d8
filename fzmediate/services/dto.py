"""Plain values the services hand to the UI and the CLI (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fzmediate.security.roles import Role


@dataclass(frozen=True)
class UserInfo:
    id: str
    login: str
    role: Role
    legally_qualified: bool
    full_name: str
    phone: str
    id_type: str
    id_number: str
    address: str
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class SetupResult:
    """What set-up produced. ``recovery_code`` is shown once and never stored in the clear."""

    recovery_code: str
    admin: UserInfo


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[str, ...]
    audit_events: int

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: str
    schema: str
    size: int


@dataclass(frozen=True)
class Actor:
    """Who acts: a user, or the recovery code (which may only reset a password)."""

    login: str
    role: Role | None
    legally_qualified: bool
    full_name: str = ""
