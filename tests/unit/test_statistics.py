"""Supervisor statistics on a small seeded store: every figure against values worked out by hand.

Seeded (matter PS-TJ-007, today 2026-11-29):

=====  ===========  ===========  ==========  ==========  =====  ============
case   received     outcome      on          days        state  street
=====  ===========  ===========  ==========  ==========  =====  ============
A1     2026-10-09   agreed       2026-10-27  18          agreed 坪山
A2     2026-10-10   agreed       2026-10-20  10          agreed 坑梓
F1     2026-10-09   failed       2026-10-28  19          term.  坪山
R1     2026-11-24   refused      2026-11-26  2           closed 坪山
T1     2026-11-24   transferred  2026-11-25  1           trans. (none)
O1     2026-11-27   in progress                          reg.   坪山
O2     2026-09-01   in progress  (acceptance overdue)    reg.   坪山
=====  ===========  ===========  ==========  ==========  =====  ============
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from fzmediate.errors import PermissionDenied, ValidationError
from fzmediate.services.case_listing import CaseFilters, CaseQuery
from fzmediate.services.session import Session
from fzmediate.services.statistics import (
    Dimension,
    Outcome,
    StatsQuery,
    compute,
    dimension_label,
    export_header,
    to_csv,
    to_pdf,
)
from fzmediate.services.workspace import Workspace
from tests.cases_support import RESPONDENT_ID, person
from tests.documents import case_lifecycles as life
from tests.support import ADMIN_PW, FAST_KDF, FakeClock

MATTER_NAME = "物业管理纠纷行政调解"


@dataclass(frozen=True)
class Seeded:
    ws: Workspace
    ids: dict[str, str]


def _agreed(s: Session, received: str, on: str) -> str:
    case_id, applicant, respondent = life._prepare(s, received)
    life.step(s, case_id, "hold_session", "2026-10-15", {"summary": "调解", "present": [applicant, respondent]})
    terms = [{"obligor": respondent, "obligee": applicant, "content": "退还物业服务费", "amount": "100.00",
              "manner": "转账", "place": "坪山", "deadline": "2026-12-30"}]  # fmt: skip
    life.step(
        s, case_id, "record_agreement", on,
        {"facts_and_disputes": "物业费争议", "terms": terms, "signed_by": [applicant, respondent]},
    )  # fmt: skip
    return case_id


def _seed(s: Session) -> dict[str, str]:
    ids: dict[str, str] = {}
    ids["A1"] = _agreed(s, "2026-10-09", "2026-10-27")
    a2 = s.cases.create(
        life.mediation_intake(
            "2026-10-10",
            parties=[
                person("applicant", "王𠮷", address="深圳市坪山区坑梓街道某路8号"),
                person("respondent", "张䶮", id_number=RESPONDENT_ID, address="深圳市坪山区坪山街道某路9号"),
            ],
        ),
        confirm_duplicate=True,
    )
    applicant, respondent = life._principals(s, a2.id)
    life.step(s, a2.id, "accept", "2026-10-12")
    life.step(s, a2.id, "record_consent", "2026-10-13", {"party": respondent, "consent": "agreed"})
    life.step(s, a2.id, "disclose_conflicts", "2026-10-13", {"has_conflict": False})
    life.step(s, a2.id, "issue_rights_notice", "2026-10-14")
    life.step(
        s, a2.id, "acknowledge_rights_notice", "2026-10-14", {"parties": [applicant, respondent], "method": "signature"}
    )
    life.step(s, a2.id, "hold_session", "2026-10-15", {"summary": "调解", "present": [applicant, respondent]})
    terms = [{"obligor": respondent, "obligee": applicant, "content": "退还", "amount": "50.00", "manner": "现金",
              "place": "坪山", "deadline": "2026-12-30"}]  # fmt: skip
    life.step(s, a2.id, "record_agreement", "2026-10-20", {"terms": terms, "signed_by": [applicant, respondent],
                                                           "facts_and_disputes": "争议"})  # fmt: skip
    ids["A2"] = a2.id
    f1, applicant, respondent = life._prepare(s, "2026-10-09")
    life.step(s, f1, "hold_session", "2026-10-20", {"summary": "分歧", "present": [applicant, respondent]})
    life.step(
        s, f1, "record_undisputed_facts", "2026-10-28", {"facts": "电梯停运。", "signed_by": [applicant, respondent]}
    )
    life.step(s, f1, "terminate", "2026-10-28", {"ground": "cannot_proceed", "reasons": life.TERMINATION_REASONS})
    ids["F1"] = f1
    ids["R1"] = life.refused_case(s)  # received 11-24, refused 11-26
    life.step(s, ids["R1"], "close", "2026-11-27")
    t1 = s.cases.create(
        life.mediation_intake("2026-11-24", parties=[person("applicant", "王𠮷", address="某市某路1号"),
                                                     person("respondent", "张䶮", id_number=RESPONDENT_ID)]),
        confirm_duplicate=True,
    )  # fmt: skip
    life.step(s, t1.id, "transfer", "2026-11-25", {"receiving_body": "某局", "reasons": "不属本机关"})
    ids["T1"] = t1.id
    ids["O1"] = s.cases.create(life.mediation_intake("2026-11-27"), confirm_duplicate=True).id
    ids["O2"] = s.cases.create(life.mediation_intake("2026-09-01"), confirm_duplicate=True).id
    return ids


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    root = tmp_path_factory.mktemp("stats")
    ws = Workspace(root / "data", kdf=FAST_KDF, clock=FakeClock())
    ws.initialize("admin", ADMIN_PW, full_name="管理员", unit=life.OFFICE_UNIT)
    life.staff(ws)
    with ws.unlock(*life.MEDIATOR) as s:
        ids = _seed(s)
    yield Seeded(ws, ids)


def _stats(seeded: Seeded, query: StatsQuery) -> object:
    with seeded.ws.unlock(*life.SUPERVISOR) as s:
        return compute(s, query)


def test_totals_match_the_hand_computed_figures(seeded: Seeded) -> None:
    with seeded.ws.unlock(*life.SUPERVISOR) as s:
        stats = compute(s, StatsQuery(Dimension.OUTCOME))
        overdue_ids = {r.id for r in s.cases.page(CaseQuery(filters=CaseFilters(overdue=True)), size=100).rows}
    total = stats.total
    assert total.received == 7
    assert total.concluded == 5
    assert dict(total.outcomes) == {
        Outcome.AGREED: 2, Outcome.FAILED: 1, Outcome.REFUSED: 1, Outcome.TRANSFERRED: 1, Outcome.IN_PROGRESS: 2,
    }  # fmt: skip
    assert total.success_rate == pytest.approx(2 / 3)  # agreed ÷ (agreed + failed + decided)
    assert total.median_days == 10  # 1, 2, 10, 18, 19: odd count, the middle value
    assert total.open == 6  # R1's file is closed
    assert seeded.ids["O2"] in overdue_ids and seeded.ids["O1"] not in overdue_ids
    open_overdue = overdue_ids - {seeded.ids["R1"]}
    assert total.overdue == len(open_overdue)
    assert total.overdue_rate == pytest.approx(len(open_overdue) / 6)
    by_outcome = {r.key: r for r in stats.rows}
    assert [r.key for r in stats.rows] == ["agreed", "failed", "refused", "transferred", "in_progress"]
    assert by_outcome["agreed"].median_days == 14  # 10 and 18: even count, the mean of the middle two
    assert by_outcome["agreed"].success_rate == 1.0
    assert by_outcome["in_progress"].median_days is None and by_outcome["in_progress"].success_rate is None


def test_by_month_and_period(seeded: Seeded) -> None:
    with seeded.ws.unlock(*life.SUPERVISOR) as s:
        months = {r.key: r for r in compute(s, StatsQuery(Dimension.MONTH)).rows}
        october = compute(s, StatsQuery(Dimension.MATTER, date(2026, 10, 1), date(2026, 10, 31)))
        with pytest.raises(ValidationError):
            compute(s, StatsQuery(Dimension.MATTER, date(2026, 11, 1), date(2026, 10, 1)))
    assert sorted(months) == ["2026-09", "2026-10", "2026-11"]
    assert (months["2026-09"].received, months["2026-10"].received, months["2026-11"].received) == (1, 3, 3)
    assert months["2026-10"].median_days == 18  # 10, 18, 19
    assert months["2026-11"].median_days == 1.5  # 1 and 2
    assert months["2026-11"].success_rate is None  # refused and transferred are not mediations on the merits
    assert months["2026-09"].overdue == 1 and months["2026-09"].overdue_rate == 1.0
    assert [(r.key, r.label, r.received) for r in october.rows] == [("PS-TJ-007", MATTER_NAME, 3)]
    assert october.total.success_rate == pytest.approx(2 / 3)
    assert october.total.median_days == 18


def test_by_street_counts_the_first_applicants_street_once(seeded: Seeded) -> None:
    with seeded.ws.unlock(*life.SUPERVISOR) as s:
        rows = {r.key: r for r in compute(s, StatsQuery(Dimension.STREET)).rows}
    assert {k: r.received for k, r in rows.items()} == {"PS-JD-PS": 5, "PS-JD-KZ": 1, "": 1}
    assert rows["PS-JD-KZ"].label == "坑梓街道"
    assert list(rows)[-1] == ""  # "no street named" comes last


def test_a_mediator_may_not_read_statistics(seeded: Seeded) -> None:
    with seeded.ws.unlock(*life.MEDIATOR) as s, pytest.raises(PermissionDenied):
        compute(s, StatsQuery())


def test_csv_is_utf8_with_bom_and_keeps_the_chinese(seeded: Seeded) -> None:
    with seeded.ws.unlock(*life.SUPERVISOR) as s:
        data = to_csv(compute(s, StatsQuery(Dimension.MATTER)))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == export_header(Dimension.MATTER)
    assert rows[1][0] == MATTER_NAME and rows[1][1] == "7"
    assert rows[-1][1] == "7"  # the total


@pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdffonts") is None, reason="poppler-utils")
def test_pdf_text_copies_out_and_every_font_is_embedded(seeded: Seeded, tmp_path: Path) -> None:
    with seeded.ws.unlock(*life.SUPERVISOR) as s:
        pdf = to_pdf(compute(s, StatsQuery(Dimension.MATTER)))
    path = tmp_path / "stats.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert dimension_label(Dimension.MATTER) in text
    assert MATTER_NAME in text.replace(" ", "")
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    rows = fonts[2:]
    assert rows, fonts
    assert all(line.split()[-5] == "yes" for line in rows), fonts  # the "emb" column
