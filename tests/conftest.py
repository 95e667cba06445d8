"""Shared fixtures: a temp data directory with a fast KDF, and the default zh_CN locale."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fzmediate.i18n import set_locale
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from tests.support import ADMIN_PW, FAST_KDF, FakeClock


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what the test process holds once the tests are collected (modules, Qt's wrappers, the collected
    items): every full collection (the UI tests run one after each test, on the GUI thread) would walk it again
    and again, and none of it is garbage. The collector's thresholds stay CPython's."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _locale() -> Iterator[None]:
    set_locale("zh_CN")
    yield
    set_locale("zh_CN")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def workspace(data_dir: Path, clock: FakeClock) -> Workspace:
    return Workspace(data_dir, kdf=FAST_KDF, clock=clock)


#: The desk unit of the stores tests make: a street office, which implements the property-management mediation
#: of the test intakes. A module or test that needs another unit says so with ``@pytest.mark.desk_unit("CODE")``.
DEFAULT_UNIT = "PS-JD-PS"


def desk_unit(request: pytest.FixtureRequest) -> str:
    marker = request.node.get_closest_marker("desk_unit")
    return str(marker.args[0]) if marker is not None else DEFAULT_UNIT


@pytest.fixture
def initialized(workspace: Workspace, request: pytest.FixtureRequest) -> Workspace:
    workspace.initialize("admin", ADMIN_PW, full_name="管理员", unit=desk_unit(request))
    return workspace


@pytest.fixture
def english() -> Iterator[None]:
    """English messages, for modules that compare them: ``pytestmark = pytest.mark.usefixtures("english")``."""
    set_locale("en")
    yield


@pytest.fixture
def session(initialized: Workspace) -> Iterator[Session]:
    """The administrator's session on an initialised store (a module may define its own ``session``)."""
    with initialized.unlock("admin", ADMIN_PW) as s:
        yield s
