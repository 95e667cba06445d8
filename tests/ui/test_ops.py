"""The background-operation helper: results, errors and progress come back on the GUI thread, DB work is
serialised on one long-lived thread, and cancellation is cooperative."""

from __future__ import annotations

import threading
import time

import pytest
import shiboken6
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

import ui.ops
from fzmediate.errors import FzError
from ui.ops import CancelToken, Ops, OpTiming, Progress
from ui.stall_monitor import StallMonitor


def test_success_runs_on_db_thread_and_returns_on_gui_thread(qtbot: QtBot, ops: Ops) -> None:
    seen: dict[str, object] = {}

    def work(token: CancelToken) -> int:
        seen["worker"] = threading.current_thread().name
        return 42

    def done(value: int) -> None:
        seen["value"] = value
        seen["callback"] = threading.current_thread() is threading.main_thread()

    ops.run_db(work, on_success=done)
    qtbot.waitUntil(lambda: "value" in seen)
    assert seen == {"worker": "fzmediate-db", "value": 42, "callback": True}
    assert not ops.busy


def test_db_work_is_serialised_in_submission_order(qtbot: QtBot, ops: Ops) -> None:
    order: list[int] = []
    threads: set[str] = set()
    gate = threading.Event()

    def make(i: int):  # type: ignore[no-untyped-def]
        def work(token: CancelToken) -> int:
            if i == 0:
                gate.wait(5)
            threads.add(threading.current_thread().name)
            order.append(i)
            return i

        return work

    for i in range(5):
        ops.run_db(make(i), on_success=lambda _v: None)
    gate.set()
    qtbot.waitUntil(lambda: len(order) == 5 and not ops.busy)
    assert order == [0, 1, 2, 3, 4]
    assert threads == {"fzmediate-db"}


def test_network_worker_is_separate_from_db_worker(qtbot: QtBot, ops: Ops) -> None:
    release = threading.Event()
    seen: list[str] = []
    ops.run_db(lambda t: release.wait(5), on_success=lambda _v: None)
    ops.run_net(lambda t: threading.current_thread().name, on_success=seen.append)
    qtbot.waitUntil(lambda: seen == ["fzmediate-net"])  # not held up by the busy DB worker
    release.set()
    qtbot.waitUntil(lambda: not ops.busy)


def test_failure_is_delivered_with_the_exception(qtbot: QtBot, ops: Ops) -> None:
    errors: list[BaseException] = []

    def work(token: CancelToken) -> None:
        raise FzError("refused")

    ops.run_db(work, on_success=lambda _v: pytest.fail("no success expected"), on_failure=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], FzError) and errors[0].message == "refused"


def test_failure_without_handler_is_shown_centrally_without_exception_text(
    qtbot: QtBot, ops: Ops, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(ui.ops, "show_error", lambda parent, exc: shown.append(ui.ops.error_message(exc)))

    def work(token: CancelToken) -> None:
        raise ValueError("ID 110101199003074578 leaked")

    ops.run_db(work)
    qtbot.waitUntil(lambda: bool(shown))
    assert "110101199003074578" not in shown[0]
    assert shown[0]


def test_progress_reports_arrive_in_order(qtbot: QtBot, ops: Ops) -> None:
    reports: list[Progress] = []
    result: list[str] = []

    def work(token: CancelToken) -> str:
        for i in range(3):
            token.report(i + 1, 3, "step")
        return "ok"

    ops.run_db(work, on_success=result.append, progress=reports.append)
    qtbot.waitUntil(lambda: result == ["ok"])
    assert [p.done for p in reports] == [1, 2, 3]
    assert all(p.total == 3 for p in reports)


def test_cancel_stops_a_running_operation_cooperatively(qtbot: QtBot, ops: Ops) -> None:
    started = threading.Event()
    cancelled: list[bool] = []

    def work(token: CancelToken) -> None:
        started.set()
        while True:
            token.check()
            threading.Event().wait(0.005)

    handle = ops.run_db(
        work, on_success=lambda _v: pytest.fail("no success"), on_cancelled=lambda: cancelled.append(True)
    )
    assert started.wait(5)
    handle.cancel()
    qtbot.waitUntil(lambda: cancelled == [True])


def test_a_queued_operation_cancelled_before_it_starts_never_runs(qtbot: QtBot, ops: Ops) -> None:
    release = threading.Event()
    ran: list[str] = []
    cancelled: list[bool] = []
    ops.run_db(lambda t: release.wait(5), on_success=lambda _v: None)
    handle = ops.run_db(lambda t: ran.append("ran"), on_cancelled=lambda: cancelled.append(True))
    handle.cancel()
    release.set()
    qtbot.waitUntil(lambda: cancelled == [True])
    assert ran == []


def test_callbacks_are_dropped_when_the_parent_widget_is_gone(qtbot: QtBot, ops: Ops) -> None:
    release = threading.Event()
    calls: list[object] = []
    parent = QWidget()
    ops.run_db(lambda t: release.wait(5) and 1, on_success=calls.append, parent=parent)
    marker: list[bool] = []
    ops.run_db(lambda t: None, on_success=lambda _v: marker.append(True))
    parent.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(parent))
    release.set()
    qtbot.waitUntil(lambda: marker == [True])
    assert calls == []


def test_the_worker_keeps_no_reference_to_finished_work(qtbot: QtBot, ops: Ops) -> None:
    import gc
    import weakref

    class Secret:
        pass

    secret = Secret()
    ref = weakref.ref(secret)
    done: list[bool] = []
    ops.run_db(lambda t, s=secret: None, on_success=lambda _v: done.append(True))
    del secret
    qtbot.waitUntil(lambda: done == [True])
    gc.collect()
    assert ref() is None


def test_shutdown_runs_queued_work_first(qtbot: QtBot, app: object) -> None:
    ops = Ops()
    ran: list[int] = []
    for i in range(3):
        ops.run_db(lambda t, i=i: ran.append(i))
    ops.shutdown()
    assert ran == [0, 1, 2]
    assert not ops.db.thread.is_alive() and not ops.net.thread.is_alive()
    with pytest.raises(RuntimeError):
        ops.run_db(lambda t: None)


def test_the_timing_hook_reports_worker_and_gui_time_of_each_operation(qtbot: QtBot, ops: Ops) -> None:
    timings: list[OpTiming] = []
    ops.timing_hook = timings.append

    def slow(token: CancelToken) -> int:
        time.sleep(0.03)
        return 1

    ops.run_db(slow, on_success=lambda _v: time.sleep(0.02))
    qtbot.waitUntil(lambda: bool(timings))
    (t,) = timings
    assert t.name.endswith("slow") and t.outcome == "success"
    assert t.ran >= 0.03 and t.gui >= 0.02 and t.waited >= 0


def test_the_stall_monitor_sees_a_blocked_gui_thread(qtbot: QtBot, app: object) -> None:
    monitor = StallMonitor(interval_ms=5, threshold_ms=50)
    monitor.start()
    qtbot.wait(30)
    time.sleep(0.12)  # the GUI thread cannot run its event loop meanwhile
    qtbot.wait(30)
    monitor.stop()
    assert monitor.longest >= 0.1 and len(monitor.stalls) == 1
