"""Which roles may use cases and the catalogue (the services check; the UI only hides what a role cannot use).

Mediators, supervisors and administrators create and work cases; the procedure engine then checks each
action against the actor (e.g. the legality review needs a different, legally qualified person). Kiosk
applications arrive sealed and are registered here by a case worker (``fzmediate.services.intake_inbox``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fzmediate.errors import PermissionDenied
from fzmediate.i18n import _
from fzmediate.security.roles import Role

if TYPE_CHECKING:
    from fzmediate.services.session import Session

CASE_WORKERS = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.MEDIATOR})
APPLICATION_WRITERS = CASE_WORKERS
#: Roles that may hold the office signing key and issue documents. An administrator manages accounts and
#: the store; without a case role they get no share of the office keys (security/key_shares.py).
ISSUERS = frozenset({Role.SUPERVISOR, Role.MEDIATOR})
ASSIGNERS = frozenset({Role.ADMIN, Role.SUPERVISOR})
CATALOGUE_READERS = frozenset(Role)
CATALOGUE_IMPORTERS = frozenset({Role.ADMIN})


def require_role(session: Session, allowed: frozenset[Role], operation: str) -> Role:
    """Return the actor's role, or raise PermissionDenied naming the operation (not the person)."""
    role = session.actor.role
    if role is None or role not in allowed:
        raise PermissionDenied(
            _("Your role does not allow this operation ({permission}).").format(permission=operation)
        )
    return role
