"""Errors the services raise towards the UI and the CLI.

Every error carries a message already localized for the active locale, naming the field and the rule
where there is one. Messages never contain personal data (names, ID numbers, phones): callers pass field
names and rules, not values.
"""

from __future__ import annotations

from collections.abc import Sequence

from fzmediate.i18n import _


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


# --- errors of the services that cross to the desk's GUI process (kept here: this module is light) ---


class StaleCaseError(FzError):
    """The case changed since the caller read it (optimistic concurrency)."""


class PrintError(FzError):
    """The print system refused or failed a print; the message names the printer."""


class PrintingUnavailable(PrintError):
    """No print system that accepts PDF here (CUPS is not installed, or this is Windows)."""


class UnknownPrinter(PrintError):
    """The print system has no printer (queue) of that name."""


class PrinterRefused(PrintError):
    """The printer exists but does not accept jobs now (rejecting, or stopped by its administrator)."""


class SealedApplicationError(FzError):
    """A sealed application (or the file carrying it) is damaged, altered or meant for another office."""


class DuplicateWarning(FzError):
    """The application looks like an open case (same matter, same parties): registered only when confirmed.

    ``numbers`` are the case numbers it resembles (not personal data).
    """

    def __init__(self, numbers: Sequence[str]) -> None:
        self.numbers = tuple(numbers)
        super().__init__(
            _(
                "This application matches open case {numbers} (same matter and parties). Check it is not a "
                "duplicate; to register it anyway, confirm the duplicate (--confirm-duplicate)."
            ).format(numbers=_(", ").join(self.numbers)),
            field="confirm_duplicate",
        )


class ActionRefused(FzError):
    """The act is not allowed now; ``reasons`` names every missing precondition (localized)."""

    def __init__(self, reasons: Sequence[str], *, action: str = "") -> None:
        kept = tuple(dict.fromkeys(r for r in reasons if r.strip()))
        self.reasons: tuple[str, ...] = kept or (_("The act was refused"),)
        self.action = action
        super().__init__(_("; ").join(self.reasons), field="action")
