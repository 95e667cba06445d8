"""The desk's GUI process never loads the store's libraries: SQLAlchemy and the models, pydantic, the
cryptography and PDF stacks live in the store process only. It keeps the GUI process's memory down (the desk
must stay under 300 MB with 100,000 cases listed) and is one more line of key hygiene: code that could open
the store is not even loaded where the windows run. Each walk runs in a fresh interpreter (this test process
has imported everything already)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fzmediate.services.workspace import Workspace
from tests.documents.case_lifecycles import agreed_case, staff
from tests.support import ADMIN_PW, MEDIATOR_PW, NEW_PW
from tests.ui.gui_process_walk import HEAVY

ROOT = Path(__file__).resolve().parents[2]


def walk(*args: str) -> dict[str, object]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.gui_process_walk", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_walk_knows_what_heavy_means() -> None:
    # The list the walk checks against is loaded by the store side: importing a store service here pulls in
    # every one of the libraries named (so the check below can fail).
    import fzmediate.services.session  # noqa: F401

    assert {"sqlalchemy", "pydantic", "cryptography", "fzmediate.store.models"} <= set(HEAVY)
    assert all(name in sys.modules for name in ("sqlalchemy", "pydantic", "cryptography"))


def test_setting_up_and_resetting_a_password_load_no_store_library_in_the_gui(tmp_path: Path) -> None:
    result = walk("setup", str(tmp_path / "desk"), ADMIN_PW, NEW_PW)
    assert result == {"heavy": [], "phase": "setup"}
    # The store the walk set up is real, and the reset took: the new password opens it.
    session = Workspace(tmp_path / "desk").unlock("admin", NEW_PW)
    session.lock()


def test_a_mediators_day_loads_no_store_library_in_the_gui(initialized: Workspace) -> None:
    staff(initialized)
    with initialized.unlock("med1", MEDIATOR_PW) as s:
        case_id = agreed_case(s)
    result = walk("walk", str(initialized.paths.root), "med1", MEDIATOR_PW, case_id)
    assert result["heavy"] == []
    # The walk did reach the case and its documents (so the modules they need were loaded, or would be).
    assert result["case"] is True and isinstance(result["documents"], int) and result["documents"] > 0
