"""``fzmediate office export-key``, ``kiosk …`` and ``intake …``: the real command in a subprocess.

The kiosk is set up with the command, as staff would (production KDF); the application itself
is submitted through ``KioskService`` (the kiosk's screen comes in a later issue) on the real clock. The desk's
users are made in-process with a fast KDF, to keep the many unlocks short.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fzmediate.services.kiosk import KioskDevice
from fzmediate.services.workspace import Workspace
from tests.cases_support import person
from tests.cli_helpers import Result, run_cli
from tests.kiosk_support import MEDIATOR, kiosk_intake
from tests.support import ADMIN_PW, FAST_KDF, KIOSK_PW, MEDIATOR_PW

MED = {"FZMEDIATE_PASSWORD": MEDIATOR_PW}
KIOSK = {"FZMEDIATE_PASSWORD": KIOSK_PW}
NAME = "王𠮷"


def one_line(r: Result) -> str:
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    return lines[0]


def desk_cli(desk: Path, user: str, env: dict[str, str], *args: str) -> Result:
    return run_cli("--lang", "en", *args, "--data-dir", str(desk), "--user", user, env=env)


@pytest.mark.slow
def test_offline_path_through_the_command(tmp_path: Path) -> None:
    desk, kiosk = tmp_path / "desk", tmp_path / "kiosk"
    ws = Workspace(desk, kdf=FAST_KDF)  # the desk's users are set up in-process (fast KDF slots)
    ws.initialize("admin", ADMIN_PW)
    with ws.unlock("admin", ADMIN_PW) as s:
        s.users.add("med1", "mediator", MEDIATOR_PW)

    key_file = tmp_path / "office-key.json"
    r = desk_cli(desk, "med1", MED, "office", "export-key", "--out", str(key_file))
    assert r.code == 0 and "--trust-uncertified" in r.out, r.err  # not certified by the district
    assert key_file.stat().st_mode & 0o777 == 0o600
    grouped = r.out.split("SHA-256): ")[1].splitlines()[0]
    assert len(grouped.replace(" ", "")) == 64

    new_kiosk = {"FZMEDIATE_NEW_PASSWORD": KIOSK_PW}
    r = run_cli("--lang", "en", "kiosk", "init", "--office-key", str(key_file), "--data-dir", str(kiosk), env=new_kiosk)
    assert r.code == 1 and "--trust-uncertified" in one_line(r)
    assert not (kiosk / "keyslots.json").exists()
    r = run_cli("--lang", "en", "kiosk", "init", "--office-key", str(key_file), "--trust-uncertified", grouped,
                "--data-dir", str(kiosk), env=new_kiosk)  # fmt: skip
    assert r.code == 0, r.err

    # The kiosk's screen (a later issue) calls the service: today's date, the real clock.
    with KioskDevice(kiosk).open(KIOSK_PW) as k:
        receipt = k.submit_application(kiosk_intake(parties=[person(name=NAME), *kiosk_intake()["parties"][1:]]))

    apps = tmp_path / "apps.json"
    r = run_cli("--lang", "en", "kiosk", "export-applications", str(apps), "--data-dir", str(kiosk), env=KIOSK)
    assert r.code == 0 and "1 sealed applications" in r.out, r.err
    assert apps.stat().st_mode & 0o777 == 0o600
    r = desk_cli(kiosk, "staff", KIOSK, "case", "list")  # a desk command on the kiosk's store
    assert r.code == 1 and "kiosk store" in one_line(r)

    r = desk_cli(desk, "med1", MED, "intake", "import", str(apps), "--json")
    assert r.code == 0 and json.loads(r.out)["added"] == 1, r.err
    r = desk_cli(desk, "med1", MED, "intake", "import", str(apps), "--json")
    assert (json.loads(r.out)["added"], json.loads(r.out)["already"]) == (0, 1)
    r = desk_cli(desk, "med1", MED, "intake", "list", "--json")
    [entry] = json.loads(r.out)
    assert entry["applicants"] == ["王某"] and NAME not in r.out
    r = desk_cli(desk, "med1", MED, "intake", "register", receipt.application_id, "--json")
    assert r.code == 0, r.err
    number = json.loads(r.out)["number"]
    r = desk_cli(desk, "med1", MED, "intake", "reject", receipt.application_id, "--reason", "重复")
    assert r.code == 1 and receipt.application_id in one_line(r)  # registered already
    with ws.unlock(*MEDIATOR) as s:
        assert [c.number for c in s.cases.list()] == [number]
