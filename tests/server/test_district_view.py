"""The district view: its figures from pushed cases (SQLite and PostgreSQL), its access by district token, and
that no personal value reaches it (JSON, HTML, ``stats --json``)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from fzmediate.i18n import _, current_locale, set_locale
from fzmediate.server.cli import main
from fzmediate.server.district_view import district_stats, issue_token, median, presented_token, revoke_tokens
from tests.server.district_support import PERSONAL, seed
from tests.server.harness import Server


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    before = current_locale()
    set_locale("zh_CN")
    yield
    set_locale(before)


def _basic(token: str, user: str = "district") -> dict[str, str]:
    raw = base64.b64encode("{0}:{1}".format(user, token).encode("utf-8")).decode("ascii")
    return {"Authorization": "Basic " + raw}


def _by(figures: dict[str, Any], dimension: str) -> dict[str, int]:
    return {row["key"]: row["received"] for row in figures["by"][dimension]}


def test_the_figures_follow_the_desks_definitions(server: Server) -> None:
    expected = seed(server)
    figures = district_stats(server.db).as_json()
    total = figures["total"]
    assert {k: total[k] for k in expected["total"]} == expected["total"]
    assert total["outcomes"] == expected["outcomes"]
    assert total["agreement_rate"] == pytest.approx(2 / 3) and total["overdue_rate"] == pytest.approx(1 / 3)
    assert figures["today"] == expected["today"].isoformat()
    for dimension in ("street", "matter", "month"):
        assert _by(figures, dimension) == expected[dimension], dimension
    assert _by(figures, "outcome") == expected["outcomes"]
    streets = {row["key"]: row for row in figures["by"]["street"]}
    assert streets["PS-JD-PS"]["label"] == "坪山街道办事处" and streets["PS-JD-PS"]["overdue"] == 1
    assert streets["PS-JD-PS"]["median_days"] == 15.0 and streets["PS-JD-MS"]["median_days"] == 4.0
    matters = {row["key"]: row for row in figures["by"]["matter"]}
    assert matters["PS-TJ-001"]["label"] == "消费者权益争议行政调解"
    text = json.dumps(figures, ensure_ascii=False)
    assert not [value for value in PERSONAL if value in text]


def test_a_code_that_is_not_one_is_counted_as_unknown(server: Server) -> None:
    desk = server.enroll()
    odd = {"matter_code": PERSONAL[0], "state": "accepted", "received_on": PERSONAL[1], "next_due": "not a day"}
    desk.push(desk.change("case", "x1", "create", odd))
    figures = district_stats(server.db).as_json()
    assert _by(figures, "matter") == {"?": 1} and _by(figures, "month") == {"?": 1}
    assert figures["by"]["matter"][0]["label"] == _("Unknown") and figures["total"]["overdue"] == 0
    assert not [value for value in PERSONAL if value in json.dumps(figures, ensure_ascii=False)]


def test_median_of_odd_and_even_counts() -> None:
    assert (median([]), median([7]), median([9, 1, 4]), median([1, 2, 3, 10])) == (None, 7.0, 4.0, 2.5)


def test_the_view_is_off_until_a_token_is_issued_and_asks_for_it(server: Server) -> None:
    seed(server)
    for path in ("/district/", "/district/stats.json"):
        assert server.client.get(path).status_code == 404
    token = issue_token(server.db, "区司法局统计岗")
    refused = server.client.get("/district/")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Basic ")
    assert server.client.get("/district/", headers=_basic("wrong")).status_code == 401
    assert server.client.get("/district/", headers={"Authorization": "Bearer " + token + "x"}).status_code == 401
    page = server.client.get("/district/", headers=_basic(token))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert (
        page.headers["Cache-Control"] == "no-store" and "default-src 'none'" in page.headers["Content-Security-Policy"]
    )
    assert _("District case statistics") in page.text and 'id="total-received">5<' in page.text
    assert "<th>收案数</th>" in page.text and "<td>全部案件</td>" in page.text  # labels of the desk's statistics
    assert not [value for value in PERSONAL if value in page.text]
    answer = server.client.get("/district/stats.json", headers={"Authorization": "Bearer " + token})
    assert answer.status_code == 200 and answer.json()["total"]["received"] == 5
    assert revoke_tokens(server.db) == 1
    assert server.client.get("/district/", headers=_basic(token)).status_code == 404


def test_presented_tokens() -> None:
    assert presented_token("Bearer abc") == "abc" and presented_token(_basic("t0k:en")["Authorization"]) == "t0k:en"
    assert presented_token(None) is None and presented_token("Basic !!!") is None
    assert presented_token("Basic " + base64.b64encode(b"nopassword").decode()) is None
    assert presented_token("Digest x") is None


def test_the_commands_issue_tokens_and_report_the_figures(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    seed(server)
    assert main(["--db", server.url, "district-token", "--label", "统计"]) == 0
    token = capsys.readouterr().out.splitlines()[0]
    assert server.client.get("/district/stats.json", headers={"Authorization": "Bearer " + token}).status_code == 200
    assert main(["--db", server.url, "stats", "--json"]) == 0
    out = capsys.readouterr().out
    district = json.loads(out)["district"]
    assert district["total"]["received"] == 5 and district["total"]["median_days"] == 10.0
    assert not [value for value in PERSONAL if value in out]
    assert main(["--lang", "en", "--db", server.url, "stats"]) == 0
    assert (
        "Cases: 5 received, 3 concluded, median duration 10 days; 3 open, 1 overdue (33.3%)" in capsys.readouterr().out
    )
    assert main(["--db", server.url, "district-token", "--revoke-all"]) == 0
    capsys.readouterr()
    assert server.client.get("/district/stats.json", headers={"Authorization": "Bearer " + token}).status_code == 404
