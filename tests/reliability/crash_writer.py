"""Child process for the crash test: unlocks a store and adds users until it is killed.

It prints ``committed <login>`` only after the service call returned, i.e. after the commit.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fzmediate.domain.identity import validate_phone
from fzmediate.i18n import set_locale
from fzmediate.security.roles import Role
from fzmediate.services.validation import validate_password
from fzmediate.services.workspace import Workspace
from tests.support import ADMIN_PW, FAST_KDF, MEDIATOR_PW


def main(data_dir: str, prefix: str) -> None:
    set_locale("en")
    ws = Workspace(Path(data_dir), kdf=FAST_KDF)
    session = ws.unlock("admin", ADMIN_PW)
    # Load the password-strength dictionaries before saying ready, so that the kills land among writes.
    validate_password(MEDIATOR_PW, role=Role.MEDIATOR)
    validate_phone("13900000000")
    print("ready", flush=True)
    i = 0
    while True:
        login = "{0}{1}".format(prefix, i)
        session.users.add(login, "mediator", MEDIATOR_PW, full_name="测试员", phone="13900000000")
        print("committed", login, flush=True)
        i += 1


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
