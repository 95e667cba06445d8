"""What the desk shows in 繁體: catalogue wording in every DTO a screen gets changes script; codes, enum members,
names, dates and bytes do not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fzmediate.catalogue.localize import localize_tree, localized
from fzmediate.desk import case_list
from fzmediate.i18n import set_locale
from fzmediate.services.case_listing import CaseQuery
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from tests.cases_support import intake
from tests.support import ADMIN_PW


class CancelToken:
    """The operation's token as the desk calls use it (never cancelled here)."""

    cancelled = False

    def check(self) -> None:
        return None

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        return None


@pytest.fixture
def session(initialized: Workspace) -> Iterator[Session]:
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.cases.create(intake())
        yield s


def test_a_list_page_shows_the_catalogue_in_traditional_and_keeps_the_rest(session: Session) -> None:
    page = case_list.first_page(session, CancelToken(), CaseQuery(), 10)
    row = page.rows[0]
    set_locale("zh_TW")
    shown = localize_tree(page)
    again = shown.rows[0]
    assert isinstance(again, case_list.ListRow)
    assert again.matter_name == localized(row.matter_name, "zh_TW") != row.matter_name  # 糾紛, not 纠纷
    assert again.state_label == localized(row.state_label, "zh_TW")
    assert (again.id, again.number, again.matter_code, again.kind, again.received_on) == (
        row.id, row.number, row.matter_code, row.kind, row.received_on,
    )  # fmt: skip
    assert again.applicants == row.applicants  # names (masked) are not catalogue text
    assert shown.next_after == page.next_after and shown.today == page.today


def test_outside_traditional_the_value_itself_comes_back(session: Session) -> None:
    page = case_list.first_page(session, CancelToken(), CaseQuery(), 10)
    assert localize_tree(page, "zh_CN") is page
    assert localize_tree(page, "en") is page
