"""The district page in a real browser: Playwright driving the system's Chromium (Debian package ``chromium``,
installed by ``make sysdeps``; Playwright's own browser download is not used). The server answers on
loopback; cases are pushed by signed requests; the page must show the figures and no personal value.

Without Chromium the test is skipped with the reason, except under ``CI=true``, where it fails."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from fzmediate.i18n import current_locale, set_locale
from fzmediate.server.district_view import issue_token
from tests.server.district_support import PERSONAL, on_loopback, seed
from tests.server.harness import Server

CHROMIUM = os.environ.get("FZMEDIATE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def _need(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(reason + "; CI=true requires it (make sysdeps installs chromium)", pytrace=False)
    pytest.skip(reason + " (make sysdeps installs it; CI=true would fail here)")


@pytest.fixture
def sqlite_server(tmp_path: Path, _sqlite_template: Path) -> Iterator[Server]:
    """One database is enough for what a browser shows (the figures are checked on both in test_district_view)."""
    path = tmp_path / "server.db"
    shutil.copyfile(_sqlite_template, path)
    server = Server("sqlite:///{0}".format(path))
    try:
        yield server
    finally:
        server.close()


def test_the_district_page_in_chromium(sqlite_server: Server) -> None:
    _need(Path(CHROMIUM).is_file(), "Chromium is not installed ({0} missing)".format(CHROMIUM))
    sync_api = pytest.importorskip("playwright.sync_api", reason="the test extra (playwright) is not installed")
    before = current_locale()
    set_locale("zh_CN")
    try:
        expected = seed(sqlite_server)
        token = issue_token(sqlite_server.db, "browser test")
        with on_loopback(sqlite_server) as base, sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            try:
                anonymous = browser.new_context()
                # Headless Chromium turns the 401 and its Basic challenge into a failed navigation.
                with pytest.raises(sync_api.Error, match="AUTH"):
                    anonymous.new_page().goto(base + "/district/")
                anonymous.close()
                context = browser.new_context(http_credentials={"username": "district", "password": token})
                page = context.new_page()
                answer = page.goto(base + "/district/")
                assert answer is not None and answer.status == 200
                html, text = page.content(), page.inner_text("body")
                total = expected["total"]
                assert page.inner_text("#total-received") == str(total["received"])
                assert page.inner_text("#total-concluded") == str(total["concluded"])
                assert page.inner_text("#total-open") == str(total["open"])
                assert page.inner_text("#total-overdue") == str(total["overdue"])
                assert page.inner_text("#total-median-days") == "10"
                assert page.inner_text("#total-overdue-rate") == "33.3"
                assert page.inner_text("#total-agreement-rate") == "66.7"
                for dimension in ("street", "matter", "month"):
                    for key, count in expected[dimension].items():
                        row = page.locator('#by-{0} tr[data-key="{1}"] td'.format(dimension, key))
                        assert row.nth(1).inner_text() == str(count), (dimension, key)
                assert page.locator('#by-street tr[data-key="PS-JD-PS"] td').first.inner_text() == "坪山街道办事处"
                assert page.locator('#by-outcome tr[data-key="agreed"] td').first.inner_text() == "达成协议"
                # The bars: the largest group fills its cell, the others in proportion.
                widths = page.eval_on_selector_all(
                    "#by-street td.bar span", "spans => spans.map(s => s.getBoundingClientRect().width)"
                )
                small, large = sorted(widths)
                assert len(widths) == 2 and small > 0 and abs(small / large - 2 / 3) < 0.02
                leaked = [value for value in PERSONAL if value in html or value in text]
                assert leaked == []
                assert page.evaluate("document.scripts.length") == 0
                context.close()
            finally:
                browser.close()
    finally:
        set_locale(before)
