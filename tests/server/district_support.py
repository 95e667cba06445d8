"""Cases for the district view's tests, pushed by two desks as the desk would (signed, through the outbox's
shapes), with synthetic personal data in the parties and the free text that must never reach the view; and
the server answering on loopback for the browser test."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import uvicorn

from fzmediate.server.district_view import CHINA
from tests.server.harness import OTHER_UNIT, Server

#: Synthetic personal values (no such person): none may appear in the district view.
NAME = "柏舟测试人"
ID_NUMBER = "44030719991231999X"
PHONE = "13912345678"
ADDRESS = "坪山区测试大道88号3栋1204"
SUMMARY = "关于柏舟测试人与物业公司的欠费纠纷"
PERSONAL = (NAME, ID_NUMBER, PHONE, ADDRESS, SUMMARY)


def today_of(server: Server) -> date:
    return server.clock().astimezone(CHINA).date()


def _case(case_id: str, matter: str, received: str, state: str, next_due: date | None) -> dict[str, Any]:
    return {
        "id": case_id,
        "number": "（2026）坪调字第{0}号".format(case_id),
        "kind": "mediation",
        "matter_code": matter,
        "bundle_id": "pingshan",
        "bundle_version": 1,
        "procedure_id": "mediation",
        "state": state,
        "received_on": received,
        "summary": SUMMARY,
        "facts": "{0}于某日与对方发生争议。".format(NAME),
        "claims": "请求对方支付欠款。",
        "assigned_mediator": "u-mediator",
        "next_due": next_due.isoformat() if next_due else None,
        "next_due_name": "mediation_period",
        "next_due_provisional": False,
        "created_at": received + "T09:00:00",
        "created_by": "u-clerk",
        "device_id": "dev",
        "updated_at": received + "T09:00:00",
        "version": 1,
    }


def _party(case_id: str) -> dict[str, Any]:
    return {
        "id": "p-" + case_id,
        "case_id": case_id,
        "position": 1,
        "role": "applicant",
        "kind": "person",
        "name": NAME,
        "id_type": "resident_id",
        "id_number": ID_NUMBER,
        "phone": PHONE,
        "address": ADDRESS,
        "represents": None,
        "power_of_attorney": "",
        "version": 1,
    }


def _event(case_id: str, seq: int, action: str, on: str) -> dict[str, Any]:
    return {
        "id": "e-{0}-{1}".format(case_id, seq),
        "case_id": case_id,
        "seq": seq,
        "action": action,
        "on_date": on,
        "at": on + "T10:00:00",
        "actor": "u-mediator",
        "device": "dev",
        "payload": {"note": "{0}（电话{1}）到场".format(NAME, PHONE)},
    }


def seed(server: Server) -> dict[str, Any]:
    """Seven cases over two units; the figures the view must show (see the expectations returned).

    PS-JD-PS: c1 PS-TJ-001 received 2026-10-05, agreed on 10-15 (10 days), closed by a patch;
    c2 PS-TJ-001 2026-10-20, in progress, deadline three days ago (overdue); c3 PS-TJ-002 2026-11-02, an
    agreement then a termination on 11-22 (the latest act counts: failed, 20 days), closed.
    PS-JD-MS: c4 PS-TJ-002 2026-11-10, agreed on 11-14 (4 days) but the file still open, deadline ahead;
    c5 voided and c6 deleted (neither counted); c7 PS-TJ-003 2026-11-30, in progress, no deadline.
    """
    today = today_of(server)
    a, b = server.enroll(), server.enroll(unit=OTHER_UNIT)
    a.push(
        a.change("case", "c1", "create", _case("c1", "PS-TJ-001", "2026-10-05", "accepted", None)),
        a.change("party", "p-c1", "create", _party("c1")),
        a.change("case_event", "e-c1-1", "append", _event("c1", 1, "register", "2026-10-05")),
        a.change("case_event", "e-c1-2", "append", _event("c1", 2, "record_agreement", "2026-10-15")),
        a.change("case", "c1", "patch", {"state": {"old": "accepted", "new": "closed"}}, base_version=1),
        a.change("case", "c2", "create", _case("c2", "PS-TJ-001", "2026-10-20", "mediating", today - timedelta(3))),
        a.change("party", "p-c2", "create", _party("c2")),
        a.change("case", "c3", "create", _case("c3", "PS-TJ-002", "2026-11-02", "closed", None)),
        a.change("case_event", "e-c3-2", "append", _event("c3", 2, "record_agreement", "2026-11-12")),
        a.change("case_event", "e-c3-3", "append", _event("c3", 3, "terminate", "2026-11-22")),
    )
    b.push(
        b.change("case", "c4", "create", _case("c4", "PS-TJ-002", "2026-11-10", "mediating", today + timedelta(10))),
        b.change("party", "p-c4", "create", _party("c4")),
        b.change("case_event", "e-c4-2", "append", _event("c4", 2, "record_agreement", "2026-11-14")),
        b.change("case", "c5", "create", _case("c5", "PS-TJ-001", "2026-11-11", "voided", today - timedelta(30))),
        b.change("case", "c6", "create", _case("c6", "PS-TJ-001", "2026-11-12", "mediating", None)),
        b.change("case", "c6", "tombstone", {}, base_version=1),
        b.change("case", "c7", "create", _case("c7", "PS-TJ-003", "2026-11-30", "accepted", None)),
        b.change("party", "p-c7", "create", _party("c7")),
    )
    return {
        "today": today,
        "total": {"received": 5, "concluded": 3, "open": 3, "overdue": 1, "median_days": 10.0},
        "outcomes": {"agreed": 2, "failed": 1, "in_progress": 2},
        "street": {"PS-JD-PS": 3, "PS-JD-MS": 2},
        "matter": {"PS-TJ-001": 2, "PS-TJ-002": 2, "PS-TJ-003": 1},
        "month": {"2026-10": 2, "2026-11": 3},
    }


@contextmanager
def on_loopback(server: Server) -> Iterator[str]:
    """``server``'s app answering HTTP on 127.0.0.1 (a free port), its lifespan run as ``serve`` runs it (the
    thread limits set); yields the base URL."""
    with app_on_loopback(server.app) as base:
        yield base


@contextmanager
def app_on_loopback(app: Any) -> Iterator[str]:
    """:func:`on_loopback` for any app (another server process on the same database, say)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    runner = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=runner.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not runner.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert runner.started
    try:
        yield "http://127.0.0.1:{0}".format(port)
    finally:
        runner.should_exit = True
        thread.join(timeout=10)
        sock.close()
