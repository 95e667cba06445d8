"""The supervisor's desk calls without Qt: queues with the engine's reasons, overdue per mediator, assignment
(refused while a recusal is pending), the statistics export written to a file, all picklable."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fzmediate.desk import supervisor as sv
from fzmediate.desk.token import EventToken
from fzmediate.errors import PermissionDenied, ValidationError
from fzmediate.services.statistics import Dimension, StatsQuery
from fzmediate.services.workspace import Workspace
from tests.documents import case_lifecycles as life
from tests.support import ADMIN_PW, FAST_KDF, FakeClock


class Token(EventToken):
    def __init__(self) -> None:
        super().__init__()
        self.reports: list[tuple[int, int | None]] = []

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        self.reports.append((done, total))


def _store(root: Path, unit: str) -> Workspace:
    ws = Workspace(root, kdf=FAST_KDF, clock=FakeClock())
    ws.initialize("admin", ADMIN_PW, full_name="管理员", unit=unit)
    life.staff(ws, unit)
    return ws


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, dict[str, str]]]:
    """The street office: a pending recusal, a mediation period ending soon, an unassigned registration."""
    ws = _store(tmp_path_factory.mktemp("office") / "data", life.OFFICE_UNIT)
    ids: dict[str, str] = {}
    with ws.unlock(*life.MEDIATOR) as s:
        ending = s.cases.create(life.mediation_intake("2026-11-03"), confirm_duplicate=True)
        life.step(s, ending.id, "accept", "2026-11-05")  # the 30-day mediation period ends 2026-12-07
        ids["ending"] = ending.id
        recusal, applicant, _respondent = life._prepare(s, "2026-10-09")
        life.step(s, recusal, "request_recusal", "2026-10-15", {"party": applicant, "reasons": "承办人系亲属"})
        ids["recusal"] = recusal
    with ws.unlock(*life.SUPERVISOR) as s:
        ids["unassigned"] = s.cases.create(life.mediation_intake("2026-11-28"), confirm_duplicate=True).id
    yield ws, ids


def _ready_for_review(ws: Workspace, *, hearing_by: tuple[str, str] = life.MEDIATOR) -> str:
    """An adjudication handled up to its contested points (the hearing by ``hearing_by``)."""
    with ws.unlock(*life.MEDIATOR) as s:
        case_id, applicant, respondent = life.adjudication_to_hearing(s, reply="答复")
    with ws.unlock(*hearing_by) as s:
        if hearing_by != life.MEDIATOR:  # whoever hears the parties discloses conflicts first
            life.step(s, case_id, "disclose_conflicts", "2026-09-09", {"has_conflict": False})
        life.step(s, case_id, "hold_hearing", "2026-09-10", {"summary": "质证", "present": [applicant, respondent]})
    with ws.unlock(*life.MEDIATOR) as s:
        life.step(s, case_id, "record_contested_point", "2026-09-11", dict(life.CONTESTED_POINT))
    return case_id


def test_queues_list_each_waiting_case_with_the_engines_answer(office: tuple[Workspace, dict[str, str]]) -> None:
    ws, ids = office
    token = Token()
    with ws.unlock(*life.SUPERVISOR) as s:
        q = sv.queues(s, token)
    pickle.loads(pickle.dumps(q))
    assert [c.id for c in q.unassigned] == [ids["unassigned"]]
    assert [(e.case.id, e.act, e.allowed) for e in q.recusal] == [(ids["recusal"], "decide_recusal", True)]
    assert q.recusal[0].act_label == "回避决定"
    assert [(e.case.id, e.act) for e in q.extension] == [(ids["ending"], "extend_period")]
    assert q.review == () and q.approval == () and q.decision == ()
    assert token.reports and token.reports[-1][0] == token.reports[-1][1]
    with ws.unlock(*life.MEDIATOR) as s, pytest.raises(PermissionDenied):
        sv.queues(s, Token())


def test_overdue_board_counts_per_mediator(office: tuple[Workspace, dict[str, str]]) -> None:
    ws, ids = office
    with ws.unlock(*life.SUPERVISOR) as s:
        board = sv.overdue_board(s, Token())
        cases = sv.overdue_cases(s, Token(), "med1")
    loads = {m.login: m for m in board.loads}
    # med1 holds the two mediations; the recusal case's 30-day period ran out in November.
    assert (loads["med1"].open, loads["med1"].overdue, loads["med1"].name) == (2, 1, life.MEDIATOR_NAME)
    assert (loads[""].open, loads[""].overdue) == (1, 0)
    assert list(loads)[-1] == ""  # the unassigned last
    assert board.total_overdue == 1
    assert [c.id for c in cases.rows] == [ids["recusal"]]
    assert all("某" in name for c in cases.rows for name in c.applicants)  # names masked


def test_assign_refuses_a_pending_recusal_and_assigns_otherwise(
    office: tuple[Workspace, dict[str, str]],
) -> None:
    ws, ids = office
    with ws.unlock(*life.SUPERVISOR) as s:
        people = sv.mediators(s, Token())
        assert people[0].login == "med1"  # mediators first
        with pytest.raises(ValidationError):
            sv.assign(s, Token(), ids["recusal"], "sup1")
        with pytest.raises(ValidationError):
            sv.assign(s, Token(), ids["unassigned"], "nobody")
        done = sv.assign(s, Token(), ids["unassigned"], "med1")
        assert done.mediator == "med1" and s.cases.view(ids["unassigned"]).assigned_mediator == "med1"
        assert ids["unassigned"] not in [c.id for c in sv.queues(s, Token()).unassigned]


def test_review_queue_names_why_a_handler_may_not_review(tmp_path: Path) -> None:
    land = _store(tmp_path / "land", life.LAND_UNIT)
    clean = _ready_for_review(land)
    handled = _ready_for_review(land, hearing_by=life.SUPERVISOR)
    with land.unlock(*life.SUPERVISOR) as s:
        review = {e.case.id: e for e in sv.queues(s, Token()).review}
    assert set(review) == {clean, handled}
    assert review[clean].allowed and review[clean].act == "review"
    assert not review[handled].allowed
    assert any("听证" in reason for reason in review[handled].reasons), review[handled].reasons
    with land.unlock(*life.HEAD) as s:  # head1 holds no legal qualification
        entry = {e.case.id: e for e in sv.queues(s, Token()).review}[clean]
    assert not entry.allowed and entry.reasons


def test_export_writes_the_file_atomically(office: tuple[Workspace, dict[str, str]], tmp_path: Path) -> None:
    ws, _ids = office
    target = tmp_path / "统计.csv"
    with ws.unlock(*life.SUPERVISOR) as s:
        out = sv.export_statistics(s, Token(), StatsQuery(Dimension.MONTH), "csv", str(target))
        pdf = sv.statistics_pdf(s, Token(), StatsQuery(Dimension.STREET))
    data: Any = target.read_bytes()
    assert out.size == len(data) and data.startswith(b"\xef\xbb\xbf")
    assert "2026-11" in data.decode("utf-8-sig")
    assert pdf.startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir()] == ["统计.csv"]  # no temp file left behind
