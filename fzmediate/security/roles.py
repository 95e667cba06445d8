"""Roles and what each may do. The services check these; the UI only hides what a role cannot use.

There is no kiosk role: a kiosk is its own device with its own store and never holds this store's key
(``fzmediate.services.kiosk``). A role counts only when an administrator's signed grant states it
(``fzmediate.security.grants``).
"""

from __future__ import annotations

from enum import StrEnum

from fzmediate.i18n import N_, _


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    MEDIATOR = "mediator"


class Permission(StrEnum):
    MANAGE_USERS = "manage_users"
    BACKUP = "backup"
    RESTORE = "restore"
    CHECK = "check"
    VIEW_AUDIT = "view_audit"


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.SUPERVISOR: frozenset({Permission.BACKUP, Permission.CHECK, Permission.VIEW_AUDIT}),
    Role.MEDIATOR: frozenset(),
}

_LABELS = {
    Role.ADMIN: N_("administrator"),
    Role.SUPERVISOR: N_("supervisor"),
    Role.MEDIATOR: N_("mediator"),
}


def role_label(role: Role) -> str:
    return _(_LABELS[role])


def allows(role: Role, permission: Permission) -> bool:
    return permission in _GRANTS[role]
