"""Errors the services raise towards the UI and the CLI.

Every error carries a message already localized for the active locale, naming the field and the rule
where there is one. Messages never contain personal data (names, ID numbers, phones): callers pass field
names and rules, not values.
"""

from __future__ import annotations


class FzError(Exception):
    """Base class: an operation was refused or failed, with a user-facing, localized message."""

    #: CLI exit code for this kind of error (1 = refused operation).
    exit_code = 1

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(FzError):
    """Bad input: names the field and the rule it breaks."""


class UsageError(FzError):
    """The command was called wrongly (CLI exit code 2)."""

    exit_code = 2


class NotInitializedError(FzError):
    """The data directory holds no store yet."""


class AlreadyInitializedError(FzError):
    """Set-up was asked for a data directory that already holds a store."""


class AuthenticationError(FzError):
    """Wrong user name or password (the database was not opened).

    ``retry_after`` is the wait, in seconds, this failure started before the next attempt (0 for none).
    """

    def __init__(self, message: str, *, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BackoffError(AuthenticationError):
    """Too many failed attempts: the next attempt is allowed only after a wait."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message, retry_after=retry_after)


class PermissionDenied(FzError):
    """The acting user's role does not allow this operation."""


class LockedError(FzError):
    """The store is locked (idle auto-lock or manual lock); unlock again."""


class StoreBusyError(FzError):
    """Another fzmediate process has this data directory open."""


class StoreDamagedError(FzError):
    """The key-slot file or the database is damaged, truncated or tampered with."""


class SchemaTooNewError(FzError):
    """The database was written by a newer version of fzmediate."""


class NotFoundError(FzError):
    """The named object does not exist."""


class IntegrityProblem(FzError):
    """`check` found a broken audit chain or a failed integrity check."""
