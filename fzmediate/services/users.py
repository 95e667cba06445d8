"""Users: add, list, remove (with a full re-key), password changes and recovery."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.domain.identity import IdType, validate_id_number, validate_phone
from fzmediate.errors import NotFoundError, PermissionDenied, ValidationError
from fzmediate.i18n import _
from fzmediate.security import keyslots as ks
from fzmediate.security.crashpoints import crashpoint
from fzmediate.security.grants import public_b64
from fzmediate.security.key_shares import reseal_own_shares, revoke_shares
from fzmediate.security.roles import Permission, Role
from fzmediate.services.dto import UserInfo
from fzmediate.services.key_custody import recovered_signing_key, share_to_recovery
from fzmediate.services.store_trust import former_keys_after_change, remember_recovery_key, sign_grant
from fzmediate.services.validation import (
    validate_address,
    validate_full_name,
    validate_login,
    validate_password,
    validate_role,
)
from fzmediate.store.models import Meta, User

if TYPE_CHECKING:
    from fzmediate.services.session import Session
    from fzmediate.services.workspace import Workspace

log = logging.getLogger(__name__)


def user_info(u: User) -> UserInfo:
    """The plain value the UI and CLI get for a user row."""
    return UserInfo(
        id=u.id,
        login=u.login,
        role=Role(u.role),
        legally_qualified=u.legally_qualified,
        full_name=u.full_name,
        phone=u.phone,
        id_type=u.id_type,
        id_number=u.id_number,
        address=u.address,
        active=u.active,
        created_at=u.created_at,
    )


class UserService:
    def __init__(self, session: Session) -> None:
        self._s = session

    @property
    def _ws(self) -> Workspace:
        return self._s.workspace

    # --- reading ---------------------------------------------------------------------------------
    def list(self, *, include_removed: bool = False) -> list[UserInfo]:
        with self._s.read() as s:
            q = select(User).order_by(User.login)
            if not include_removed:
                q = q.where(User.active.is_(True))
            return [user_info(u) for u in s.scalars(q)]

    def get(self, login: str) -> UserInfo:
        with self._s.read() as s:
            return user_info(self._find(s, login))

    def get_by_id(self, user_id: str) -> UserInfo:
        with self._s.read() as s:
            u = s.get(User, user_id)
            if u is None:
                raise NotFoundError(_("No such user."))
            return user_info(u)

    @staticmethod
    def _find(s: OrmSession, login: str) -> User:
        u = s.scalars(select(User).where(User.login == login, User.active.is_(True))).one_or_none()
        if u is None:
            raise NotFoundError(_("No active user with the user name {login}.").format(login=login))
        return u

    # --- changes ---------------------------------------------------------------------------------
    def add(
        self,
        login: str,
        role: str,
        password: str,
        *,
        legally_qualified: bool = False,
        full_name: str = "",
        phone: str = "",
        id_type: str = "",
        id_number: str = "",
        address: str = "",
    ) -> UserInfo:
        """Create a user and their key slot. Validates every field before anything is written."""
        self._s.require(Permission.MANAGE_USERS)
        login = validate_login(login)
        the_role = validate_role(role)
        secret = validate_password(password, role=the_role, user_inputs=(login, full_name))
        name = validate_full_name(full_name)
        address_n = validate_address(address)
        phone_n = validate_phone(phone) if phone.strip() else ""
        id_type_n, id_number_n = "", ""
        if id_number.strip():
            id_type_n = id_type or IdType.RESIDENT_ID.value
            id_number_n = validate_id_number(id_type_n, id_number)  # also refuses an unknown document type
        if legally_qualified and the_role is not Role.SUPERVISOR:
            raise ValidationError(
                _("Legally qualified: only a supervisor can carry the legal-qualification flag."),
                field="legally_qualified",
            )
        slots = ks.KeySlotFile.load(self._ws.paths.slots)
        if slots.slot("user", login) is not None:
            raise ValidationError(_("User name: {login} is already taken.").format(login=login), field="login")
        with self._s.read() as s:
            if s.scalars(select(User).where(User.login == login)).first() is not None:
                raise ValidationError(
                    _("User name: {login} was used before by a removed user; choose another.").format(login=login),
                    field="login",
                )
        signing = Ed25519PrivateKey.generate()
        signing_public = public_b64(signing)
        slot = ks.new_slot(
            slots.store_id,
            "user",
            login,
            secret,
            self._s.db._current_key(),
            self._ws.kdf,
            signing_private=signing.private_bytes_raw(),
        )
        details = {"role": the_role.value, "signing_key": signing_public}
        with self._s.write("user.add", "user", login, details) as s:
            user = User(
                login=login,
                role=the_role.value,
                legally_qualified=legally_qualified,
                full_name=name,
                phone=phone_n,
                id_type=id_type_n,
                id_number=id_number_n,
                address=address_n,
                active=True,
                slot_public_key=slot.public_key,
                signing_public_key=signing_public,
                created_at=self._s.now().replace(tzinfo=None),
                version=1,
            )
            self._sign(user)
            s.add(user)
            s.flush()
            share_to_recovery(s, self._s, login, signing)
            info = user_info(user)
            # The slot file is saved inside the transaction: if saving fails, the user row rolls back.
            slots.with_slot(slot).save(self._ws.paths.slots)
        log.info("user added (role %s)", the_role.value)
        return info

    def _sign(self, user: User, *, former_keys: tuple[str, ...] | None = None) -> None:
        """Sign ``user``'s role grant as the acting administrator (``security/grants.py``)."""
        sign_grant(
            user,
            store_id=self._s.store_id,
            granter=self._s.actor.login,
            granter_key=self._s.signing_key,
            at=self._s.now(),
            former_keys=former_keys,
        )

    def regrant(self, login: str) -> UserInfo:
        """Sign ``login``'s role as it stands (an administrator confirms a role after checking it)."""
        self._s.require(Permission.MANAGE_USERS)
        with self._s.read() as s:
            user_id = self._find(s, login).id
        with self._s.write("user.regrant", "user", user_id) as s:
            user = s.get(User, user_id)
            assert user is not None
            self._sign(user)
            return user_info(user)

    def set_password(self, login: str, new_password: str) -> None:
        """Re-wrap one slot: the user's own password, or any user's when the actor is an administrator."""
        if login != self._s.actor.login:
            self._s.require(Permission.MANAGE_USERS)
        secret = self._checked_password(login, new_password)
        self._rewrap(login, secret, action="user.passwd")

    def _checked_password(self, login: str, password: str) -> bytes:
        """``password`` checked against the strength ``login``'s role needs (administrators: stricter)."""
        with self._s.read() as s:
            user = self._find(s, login)
            role, name = user.role, user.full_name
        return validate_password(password, role=role, user_inputs=(login, name))

    def recover_password(self, login: str, secret: bytes) -> str:
        """Reset ``login``'s password with the recovery slot; replace the recovery slot; return its code."""
        if self._s.actor.login != ks.RECOVERY_LOGIN:
            raise PermissionDenied(_("Only the recovery code can do this."))
        secret = self._checked_password(login, secret.decode("utf-8"))
        self._rewrap(login, secret, action="user.recover")
        return self._replace_recovery_slot()

    def renew_recovery_code(self) -> str:
        """Replace a lost or exposed recovery code (administrators); returns the new code, shown once."""
        self._s.require(Permission.MANAGE_USERS)
        return self._replace_recovery_slot()

    def _replace_recovery_slot(self) -> str:
        code = ks.new_recovery_code()
        slots = ks.KeySlotFile.load(self._ws.paths.slots)
        signing = Ed25519PrivateKey.generate()
        slot = ks.new_slot(
            slots.store_id,
            "recovery",
            ks.RECOVERY_LOGIN,
            ks.normalize_recovery_code(code),
            self._s.db._current_key(),
            self._ws.kdf,
            signing_private=signing.private_bytes_raw(),
        )
        details = {"recovery_signing_key": public_b64(signing)}
        with self._s.write("recovery.renew", "store", self._s.store_id, details) as s:
            meta = s.get(Meta, "recovery_public_key")
            assert meta is not None
            meta.value = slot.public_key
            remember_recovery_key(s, public_b64(signing))
            slots.with_slot(slot).save(self._ws.paths.slots)
        return code

    def _rewrap(self, login: str, secret: bytes, *, action: str) -> None:
        """A new slot for ``login`` under ``secret``. The user keeps their signing key when the actor can reach
        it (their own change; the recovery slot's share); otherwise (an administrator's reset) they get a new
        one and the administrator signs their grant again, listing the old key so past events still verify."""
        slots = ks.KeySlotFile.load(self._ws.paths.slots)
        with self._s.read() as s:
            user_id = self._find(s, login).id
        signing: Ed25519PrivateKey | None = None
        if login == self._s.actor.login:
            signing = self._s.signing_key
        elif self._s.actor.login == ks.RECOVERY_LOGIN:
            signing = recovered_signing_key(self._s, login)
        if signing is None:
            signing = Ed25519PrivateKey.generate()
        new_public = public_b64(signing)
        slot = ks.new_slot(
            slots.store_id,
            "user",
            login,
            secret,
            self._s.db._current_key(),
            self._ws.kdf,
            signing_private=signing.private_bytes_raw(),
        )
        with self._s.write(action, "user", user_id, {"signing_key": new_public}) as s:
            user = s.get(User, user_id)
            assert user is not None
            old_slot_public = user.slot_public_key
            user.slot_public_key = slot.public_key
            user.version += 1
            if user.signing_public_key != new_public:
                former = former_keys_after_change(user, new_public)
                user.signing_public_key = new_public
                if self._s.actor.role is Role.ADMIN:
                    self._sign(user, former_keys=former)
            if login == self._s.actor.login:
                # Shares sealed to the old slot key move to the new one (nobody else could re-seal them).
                reseal_own_shares(s, login, old_slot_public, slot.public_key, self._s.slot_private_raw)
            slots.with_slot(slot).save(self._ws.paths.slots)

    def remove(self, login: str) -> None:
        """Deactivate a user and re-key the whole database so their old slot opens nothing."""
        self._s.require(Permission.MANAGE_USERS)
        if login == self._s.actor.login:
            raise ValidationError(_("User name: you cannot remove yourself."), field="login")
        with self._s.read() as s:
            target = self._find(s, login)
            admins = s.scalars(select(User).where(User.role == Role.ADMIN.value, User.active.is_(True))).all()
            if target.role == Role.ADMIN.value and len(admins) <= 1:
                raise ValidationError(_("User name: the last administrator cannot be removed."), field="login")
            target_id = target.id
        with self._s.write("user.remove", "user", target_id) as s:
            u = s.get(User, target_id)
            assert u is not None
            u.active = False
            u.removed_at = self._s.now().replace(tzinfo=None)
            u.version += 1
            self._sign(u)
            revoke_shares(s, u.login)
        crashpoint("rekey.user-deactivated")
        self.complete_pending_removals()

    def complete_pending_removals(self) -> None:
        """Re-key if the slot file still holds a slot the database no longer allows (also after a crash)."""
        paths = self._ws.paths
        slots = ks.KeySlotFile.load(paths.slots)
        with self._s.read() as s:
            allowed = {u.login: u.slot_public_key for u in s.scalars(select(User).where(User.active.is_(True)))}
            meta = s.get(Meta, "recovery_public_key")
            recovery_pk = meta.value if meta is not None else None
        stale = [sl for sl in slots.slots if sl.kind == "user" and sl.login not in allowed]
        if not stale:
            return
        # Before sealing a new key to the remaining slots, check each against the database's own copy of its
        # public key: a slot swapped into the file by someone with file access must not receive the new key.
        # Such a slot is dropped too (its user then needs a password reset by an administrator).
        mismatched = [
            sl
            for sl in slots.slots
            if sl not in stale and sl.public_key != (allowed.get(sl.login) if sl.kind == "user" else recovery_pk)
        ]
        if mismatched:
            log.warning("%d key slot(s) did not match the database and were dropped", len(mismatched))
        kept = slots
        for sl in (*stale, *mismatched):
            kept = kept.without(sl.kind, sl.login)
        new_key = ks.new_db_key()
        pending = kept.resealed(new_key)
        pending.save(paths.pending_slots)
        crashpoint("rekey.pending-written")
        self._s.db.rekey(new_key)
        crashpoint("rekey.database-rekeyed")
        os.replace(paths.pending_slots, paths.slots)
        crashpoint("rekey.slots-promoted")
        with self._s.write(
            "store.rekey",
            "store",
            self._s.store_id,
            {"slots_removed": len(stale), "slots_mismatched": len(mismatched)},
        ):
            pass
        log.info("database re-keyed after removing %d slot(s)", len(stale))
