"""The steps between "the key opened the database" and "this person may act": run once per unlock.

1. Bind or check the acting user's signing key against the store's record (``users.signing_public_key``).
2. A store from before signatures is adopted by the first administrator who unlocks it (genesis).
3. The user's role comes from their verified grant; the chain is verified since their checkpoint.
4. After the unlock event: a new checkpoint, and the keys this user holds shared onward (``key_custody``).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from sqlalchemy import select

from fzmediate.errors import AuthenticationError, PermissionDenied, StoreDamagedError
from fzmediate.i18n import _
from fzmediate.security.audit import SIGNED_FROM_KEY, head, write_checkpoint
from fzmediate.security.grants import GENESIS_ADMIN_KEY, GENESIS_SIGNING_KEY, public_b64
from fzmediate.security.keyslots import RECOVERY_LOGIN
from fzmediate.security.roles import Role
from fzmediate.services.store_trust import (
    RECOVERY_SIGNING_KEY,
    genesis_problems,
    remember_recovery_key,
    resolve,
    sign_grant,
    verify_since_checkpoint,
)
from fzmediate.store.models import AuditEvent, Meta, User

if TYPE_CHECKING:
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)


class StoreTamperedError(StoreDamagedError):
    """Signatures or the audit chain do not hold: someone with the database key changed what they may not."""


def _set_meta(s: object, key: str, value: str) -> None:
    from sqlalchemy.orm import Session as OrmSession

    assert isinstance(s, OrmSession)
    row = s.get(Meta, key)
    if row is None:
        s.add(Meta(key=key, value=value))
    else:
        row.value = value


def establish_trust(session: Session, *, inspect: bool) -> None:
    from fzmediate.services.session import Actor

    login = session.actor.login
    if login == RECOVERY_LOGIN:
        _bind_recovery_key(session)
        return
    mine = public_b64(session.signing_key)
    with session.read() as s:
        user = s.scalars(select(User).where(User.login == login)).one()
        user_id, bound, column_role = user.id, user.signing_public_key, user.role
        has_genesis = s.get(Meta, GENESIS_ADMIN_KEY) is not None
    if not bound:
        # A user of a store made before signatures: their key is bound now (trust on first use); an
        # administrator's adoption vouches for the role (see ``_adopt``).
        with session.write("user.bind_key", "user", user_id, {"signing_key": mine}) as s:
            row = s.get(User, user_id)
            assert row is not None
            row.signing_public_key = mine
    elif bound != mine:
        raise StoreTamperedError(
            _(
                "Your signing key differs from the store's record of it: the user table was altered. "
                "Nothing was opened; ask an administrator to run fzmediate check."
            )
        )
    if not has_genesis:
        if column_role != Role.ADMIN.value:
            raise PermissionDenied(
                _(
                    "This store was upgraded: an administrator must sign in once to confirm everyone's role "
                    "with a signature before others can work."
                )
            )
        _adopt(session, mine)
    with session.read() as s:
        state = resolve(s, session.store_id)
        grant = state.grants.valid.get(login)
        genesis = genesis_problems(s)
        if genesis and not inspect:
            raise StoreTamperedError(" ".join(genesis))
        if inspect and (grant is None or genesis):
            # Read-only inspection by whoever the role column says: enough for ``check`` to name the problems.
            session.actor = Actor(login, Role(column_role), False, session.actor.full_name)
            session.tampered = tuple(state.problems) or (_("The store failed its signature checks."),)
            return
        if grant is None:
            raise PermissionDenied(
                _("Your account's role cannot be confirmed: {reason}. Ask an administrator to sign it again.").format(
                    reason=state.grants.invalid.get(login, _("no signed role grant"))
                )
            )
        if not grant.active:
            raise AuthenticationError(_("Wrong user name or password. The database was not opened."))
        source = (session.db.path, bytes(session.db._current_key()))
        chain = verify_since_checkpoint(s, session.store_id, login, state, source=source)
    serious = [p for p in state.problems if p not in state.grants.problems] + chain
    session.actor = Actor(login, Role(grant.role), grant.legally_qualified, session.actor.full_name)
    session.trust_warnings = list(state.grants.problems)
    if serious:
        if not inspect:
            raise StoreTamperedError(
                _("The store failed its signature checks; nothing was opened: {problems}").format(
                    problems=" ".join(serious[:5])
                )
            )
        session.tampered = tuple(serious)


def _adopt(session: Session, mine: str) -> None:
    """Make the unlocking administrator the genesis of a store from before signatures, and sign every role as
    the audit log recorded it when the user was added (a role column edited since then is not adopted)."""
    login = session.actor.login
    with session.read() as s:
        seq, _digest = head(s)
        added = {
            e.object_id: json.loads(e.details).get("role")
            for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "user.add"))
        }
    skipped = 0
    details = {"genesis_admin": login, "genesis_signing_key": mine, "signed_from": seq + 1}
    with session.write("store.adopt_signatures", "store", session.store_id, details) as s:
        _set_meta(s, GENESIS_ADMIN_KEY, login)
        _set_meta(s, GENESIS_SIGNING_KEY, mine)
        _set_meta(s, SIGNED_FROM_KEY, str(seq + 1))
        for row in s.scalars(select(User)):
            # The add event names the user by id or, in early versions, by login.
            if added.get(row.id, added.get(row.login)) != row.role:
                skipped += 1
                continue
            sign_grant(
                row,
                store_id=session.store_id,
                granter=login,
                granter_key=session.signing_key,
                at=session.now(),
                former_keys=(),
            )
    if skipped:
        log.warning("%d role(s) differ from the audit log and were not adopted", skipped)


def _bind_recovery_key(session: Session) -> None:
    mine = public_b64(session.signing_key)
    with session.read() as s:
        row = s.get(Meta, RECOVERY_SIGNING_KEY)
        recorded = row.value if row is not None else None
    if recorded is None:
        with session.write("recovery.bind_key", "store", session.store_id, {"signing_key": mine}) as s:
            remember_recovery_key(s, mine)
    elif recorded != mine:
        raise StoreTamperedError(
            _("The recovery slot's signing key differs from the store's record of it; nothing was changed.")
        )


def after_unlock(session: Session) -> None:
    """A new checkpoint at the head this user just verified, and the keys they hold shared onward."""
    from fzmediate.services.key_custody import share_onward

    with session.db.unit_of_work() as s:
        write_checkpoint(s, session.store_id, session.actor.login, session.signing_key)
    share_onward(session)
