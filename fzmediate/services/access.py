"""Older home of the role sets: they now live in ``fzmediate.security.permissions`` (import from there).

Kept so that code written against it keeps working while it moves; new code calls
``permissions.require(session, "operation")``.
"""

from __future__ import annotations

from fzmediate.security.permissions import (
    APPLICATION_WRITERS,
    ASSIGNERS,
    CASE_WORKERS,
    CATALOGUE_IMPORTERS,
    CATALOGUE_READERS,
    ISSUERS,
    require_role,
)

__all__ = [
    "APPLICATION_WRITERS",
    "ASSIGNERS",
    "CASE_WORKERS",
    "CATALOGUE_IMPORTERS",
    "CATALOGUE_READERS",
    "ISSUERS",
    "require_role",
]
