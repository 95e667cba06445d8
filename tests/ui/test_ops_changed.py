"""The changes broadcast: after a DB operation whose writes changed something, ``Ops.changed(changes, initiator)``
arrives once, on the GUI thread, after the operation's own callback; reads and failed operations emit nothing.
A real store, the session used on the DB worker only (as the desk does)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from fzmediate.errors import FzError
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.outbox import OpChanges
from tests.documents import case_lifecycles as life
from ui.ops import CancelToken, Ops


class Received:
    """Every ``changed`` emission, with the thread it arrived on."""

    def __init__(self, ops: Ops) -> None:
        self.calls: list[tuple[OpChanges, object, bool]] = []
        ops.changed.connect(self._on)

    def _on(self, changes: OpChanges, initiator: object) -> None:
        self.calls.append((changes, initiator, threading.current_thread() is threading.main_thread()))


def _run(qtbot: QtBot, ops: Ops, fn: Any, **kwargs: Any) -> Any:
    """Run ``fn`` on the DB worker and wait until the operation is delivered; its value or exception."""
    out: dict[str, Any] = {}
    ops.run_db(fn, on_success=lambda v: out.setdefault("value", v), on_failure=lambda e: out.setdefault("error", e),
               **kwargs)  # fmt: skip
    qtbot.waitUntil(lambda: bool(out) and not ops.busy)
    return out.get("value", out.get("error"))


@pytest.fixture
def session(qtbot: QtBot, ops: Ops, initialized: Workspace) -> Iterator[Session]:
    life.staff(initialized)

    def unlock(token: CancelToken) -> Session:
        s = initialized.unlock(*life.MEDIATOR)
        s.take_changes()
        return s

    s: Session = _run(qtbot, ops, unlock)
    yield s
    _run(qtbot, ops, lambda t: s.lock())


def test_a_write_emits_changed_once_on_the_gui_thread_with_the_initiator(
    qtbot: QtBot, ops: Ops, session: Session
) -> None:
    received = Received(ops)
    order: list[str] = []
    ops.changed.connect(lambda *_a: order.append("changed"))
    screen = QWidget()
    qtbot.addWidget(screen)
    done: list[str] = []

    def create(token: CancelToken) -> str:
        return session.cases.create(life.mediation_intake("2026-11-24"), confirm_duplicate=True).id

    def created(case_id: str) -> None:
        order.append("success")
        done.append(case_id)

    ops.run_db(create, on_success=created, parent=screen, changes=session.take_changes)
    qtbot.waitUntil(lambda: bool(received.calls) and not ops.busy)
    qtbot.wait(50)  # nothing more arrives
    assert len(received.calls) == 1
    changes, initiator, on_gui_thread = received.calls[0]
    assert changes.case_ids == {done[0]} and {"case", "party", "case_event"} <= changes.kinds
    assert initiator is screen and on_gui_thread
    assert order == ["success", "changed"]


def test_an_explicit_initiator_is_passed_through(qtbot: QtBot, ops: Ops, session: Session) -> None:
    received = Received(ops)
    initiator = object()
    _run(
        qtbot,
        ops,
        lambda t: session.cases.create(life.mediation_intake("2026-11-24"), confirm_duplicate=True),
        changes=session.take_changes,
        initiator=initiator,
    )
    qtbot.waitUntil(lambda: bool(received.calls))
    assert received.calls[0][1] is initiator


def test_a_read_emits_nothing(qtbot: QtBot, ops: Ops, session: Session) -> None:
    case = _run(qtbot, ops, lambda t: session.cases.create(life.mediation_intake("2026-11-24"), confirm_duplicate=True))
    _run(qtbot, ops, lambda t: session.take_changes())
    received = Received(ops)
    detail = _run(qtbot, ops, lambda t: session.cases.get(case.id), changes=session.take_changes)
    assert detail.id == case.id
    qtbot.wait(50)
    assert received.calls == []


def test_a_failing_op_emits_nothing(qtbot: QtBot, ops: Ops, session: Session) -> None:
    case = _run(qtbot, ops, lambda t: session.cases.create(life.mediation_intake("2026-11-24"), confirm_duplicate=True))
    _run(qtbot, ops, lambda t: session.take_changes())
    received = Received(ops)
    error = _run(
        qtbot,
        ops,
        lambda t: session.cases.act(case.id, "record_consent", {"consent": "maybe"}),
        changes=session.take_changes,
    )
    assert isinstance(error, FzError)
    qtbot.wait(50)
    assert received.calls == []


def test_an_op_without_a_change_source_emits_nothing(qtbot: QtBot, ops: Ops) -> None:
    received = Received(ops)
    assert _run(qtbot, ops, lambda t: 42) == 42
    qtbot.wait(20)
    assert received.calls == []


def test_a_failure_after_a_committed_write_still_reports_what_is_stored(
    qtbot: QtBot, ops: Ops, session: Session
) -> None:
    received = Received(ops)

    def create_then_fail(token: CancelToken) -> None:
        session.cases.create(life.mediation_intake("2026-11-24"), confirm_duplicate=True)
        raise FzError("the second step was refused")

    error = _run(qtbot, ops, create_then_fail, changes=session.take_changes)
    assert isinstance(error, FzError)
    qtbot.waitUntil(lambda: bool(received.calls))
    assert len(received.calls) == 1 and "case" in received.calls[0][0].kinds
