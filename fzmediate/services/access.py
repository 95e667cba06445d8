"""Which roles may use cases and the catalogue (the services check; the UI only hides what a role cannot use).

A kiosk files applications and reads the catalogue and guides, nothing else: it never reads a case back.
Mediators, supervisors and administrators create and work cases; the procedure engine then checks each
action against the actor (e.g. the legality review needs a different, legally qualified person).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fzmediate.errors import PermissionDenied
from fzmediate.i18n import _
from fzmediate.security.roles import Role

if TYPE_CHECKING:
    from fzmediate.services.session import Session

CASE_WORKERS = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.MEDIATOR})
APPLICATION_WRITERS = CASE_WORKERS | {Role.KIOSK}
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
