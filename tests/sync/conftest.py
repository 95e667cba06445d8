"""Fixtures of the sync client's tests: a desk store (the shared ``initialized`` fixture) and a fake server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.sync.client import enroll
from fzmediate.sync.http import RetryPolicy
from tests.support import ADMIN_PW, FakeClock
from tests.sync.fake_server import CODE, FakeServer


class Sleeps(list[float]):
    """The injected sleep: records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def retry(sleeps: Sleeps) -> RetryPolicy:
    return RetryPolicy(attempts=5, sleep=sleeps)


@pytest.fixture
def server(clock: FakeClock) -> FakeServer:
    return FakeServer(clock=clock)


@pytest.fixture
def desk(initialized: Workspace) -> Iterator[Session]:
    """The administrator's session on a desk store that is not enrolled yet."""
    with initialized.unlock("admin", ADMIN_PW) as s:
        yield s


@pytest.fixture
def enrolled(desk: Session, server: FakeServer) -> Session:
    enroll(desk, "http://district.test", CODE, transport=server.transport())
    return desk
