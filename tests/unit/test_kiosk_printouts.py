"""What a kiosk prints names nobody; the staff password check that guards leaving kiosk mode; the guide in plain
words."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from fzmediate.catalogue.bundle import load_shipped_bundle
from fzmediate.errors import AuthenticationError
from fzmediate.i18n import set_locale
from fzmediate.kiosk.guide_text import guide_view, plain_time_limit
from fzmediate.kiosk.printouts import ask_pdf, guide_pdf
from fzmediate.kiosk.self_help import build_tree
from fzmediate.kiosk.staff import check_staff_password
from tests.kiosk_support import make_desk, make_kiosk
from tests.support import KIOSK_PW, FakeClock

TODAY = dt.date(2026, 12, 7)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout.replace("\n", "").replace(" ", "")


def test_the_who_to_ask_printout_holds_the_catalogues_contacts_and_matters(tmp_path: Path) -> None:
    bundle = load_shipped_bundle().bundle
    tree = build_tree(bundle)
    text = pdf_text(ask_pdf(bundle, tree.ask, TODAY), tmp_path)
    assert "法律咨询指引" in text and "2026年12月7日" in text
    assert all(name in text for name in tree.ask[0].who) and tree.ask[0].phone in text
    assert all(m.name[:4] in text for m in bundle.matters)  # table cells wrap: the opening words


def test_the_public_guide_is_the_matters_guide_without_a_name(tmp_path: Path) -> None:
    bundle = load_shipped_bundle().bundle
    text = pdf_text(guide_pdf(bundle, "PS-TJ-010", TODAY), tmp_path)
    matter = bundle.matter("PS-TJ-010")
    assert matter is not None and matter.name + "申请指南" in text and "打印对象" not in text


def test_time_limits_in_plain_words() -> None:
    set_locale("en")
    matter = load_shipped_bundle().bundle.matter("PS-TJ-007")
    assert matter is not None
    acceptance = matter.time_limit("acceptance")
    confirmation = matter.time_limit("judicial_confirmation")
    assert acceptance is not None and confirmation is not None
    assert plain_time_limit(acceptance) == "受理期限: the office has 5 working days, counted from 收到调解申请之日."
    assert plain_time_limit(confirmation).startswith("申请司法确认期限: you have 30 days")
    view = guide_view(matter)
    assert len(view.materials) == len(matter.materials) and view.phone == matter.consult_phone
    set_locale("zh_CN")


def test_only_the_staff_password_passes(tmp_path: Path) -> None:
    clock = FakeClock()
    device = make_kiosk(tmp_path, clock, make_desk(tmp_path, clock))
    with device.open(KIOSK_PW):  # the store is open (its directory locked) while the kiosk runs
        with pytest.raises(AuthenticationError):
            check_staff_password(device, "Wrong-Password-123")
        check_staff_password(device, KIOSK_PW)
