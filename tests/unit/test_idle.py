"""The idle auto-lock policy, on a hand-moved clock."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fzmediate.security.idle import IdleLock


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_due_only_after_the_timeout() -> None:
    clock = Clock()
    idle = IdleLock(300, clock)
    assert not idle.due() and idle.remaining() == 300
    clock.t += 299.5
    assert not idle.due() and idle.remaining() == pytest.approx(0.5)
    clock.t += 0.5
    assert idle.due() and idle.remaining() == 0


def test_touch_restarts_the_timeout() -> None:
    clock = Clock()
    idle = IdleLock(60, clock)
    clock.t += 50
    idle.touch()
    clock.t += 50
    assert not idle.due() and idle.remaining() == pytest.approx(10)
    clock.t += 10
    assert idle.due()


def test_stays_due_until_touched() -> None:
    clock = Clock()
    idle = IdleLock(10, clock)
    clock.t += 1000
    assert idle.due() and idle.remaining() == 0
    idle.touch()
    assert not idle.due()


@pytest.mark.parametrize("timeout", [0, -1, float("nan")])
def test_timeout_must_be_positive(timeout: float) -> None:
    with pytest.raises(ValueError):
        IdleLock(timeout, Clock())


@given(st.floats(1, 10_000), st.lists(st.floats(0, 20_000), max_size=20))
def test_due_iff_no_activity_within_the_timeout(timeout: float, steps: list[float]) -> None:
    clock = Clock()
    idle = IdleLock(timeout, clock)
    last = clock.t
    for step in steps:
        clock.t += step
        assert idle.due() == (clock.t - last >= timeout)
        assert 0 <= idle.remaining() <= timeout
        if step % 2 < 1:
            idle.touch()
            last = clock.t
