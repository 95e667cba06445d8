"""The staff password while the kiosk is open: leaving kiosk mode needs it.

The store is already open (and its directory locked by this process), so the password is checked against the
store's ``staff`` key slot directly, with the same back-off as at opening. The key the slot yields is wiped at
once: nothing is opened by it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fzmediate.errors import AuthenticationError, BackoffError
from fzmediate.i18n import _

if TYPE_CHECKING:
    from fzmediate.services.kiosk import KioskDevice


def check_staff_password(device: KioskDevice, password: str) -> None:
    """Return when ``password`` is the kiosk's staff password; raise AuthenticationError (or BackoffError)."""
    from fzmediate.security import keyslots as ks
    from fzmediate.services.kiosk import STAFF_LOGIN

    ticket = device.backoff.reserve(STAFF_LOGIN)
    if ticket.wait > 0:
        raise BackoffError(
            _("Too many failed attempts. Try again in {seconds} seconds.").format(seconds=int(ticket.wait) + 1),
            retry_after=ticket.wait,
        )
    slots = ks.KeySlotFile.load(device.paths.slots)
    try:
        key = slots.open("user", STAFF_LOGIN, password.encode("utf-8"))
    except AuthenticationError:
        delay = device.backoff.record_failure(STAFF_LOGIN)
        raise AuthenticationError(_("Wrong kiosk staff password."), retry_after=delay) from None
    device.backoff.reset(STAFF_LOGIN)
    ks.wipe(key)
