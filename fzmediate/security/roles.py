"""Roles: kept as a name for the many imports of ``Role``; the permission set is ``fzmediate.security.permissions``."""

from __future__ import annotations

from fzmediate.security.permissions import Permission, Role, allows, role_label

__all__ = ["Permission", "Role", "allows", "role_label"]
