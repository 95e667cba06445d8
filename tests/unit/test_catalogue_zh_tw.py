"""Catalogue content in Traditional Chinese for zh_TW readers: the build-time map and where it is used.

- The shipped map ``resources/catalogue/pingshan.zh_TW.json`` is fresh for the shipped signed bundle (same
  payload digest, every displayable string present, the reviewed overrides applied) — without OpenCC; the
  full regeneration is compared too where OpenCC is installed (it is a build-time tool).
- A zh_TW reader sees matter names, time-limit labels … in Traditional characters in the CLI's text output;
  zh_CN and English readers, JSON output and the printed guide (PDF) keep the published Simplified text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fzmediate.catalogue import translate_build as tb
from fzmediate.catalogue.bundle import SHIPPED_BUNDLE, load_shipped_bundle
from fzmediate.catalogue.localize import localized
from fzmediate.i18n import set_locale
from fzmediate.resources import resource
from fzmediate.services.workspace import Workspace
from tests.cli_helpers import run_cli
from tests.documents.pdftools import pypdf_text, squash
from tests.support import ADMIN_PW

REGENERATE = "python -m fzmediate.catalogue.translate_build (make catalogue-zh-tw)"
NAME_CN = "消费者权益争议行政调解"
NAME_TW = "消費者權益爭議行政調解"


@pytest.fixture(scope="module")
def payload() -> dict[str, Any]:
    return tb.read_payload(resource(*SHIPPED_BUNDLE))


@pytest.fixture(scope="module")
def shipped_map(payload: dict[str, Any]) -> dict[str, Any]:
    path = tb.map_path_for(resource(*SHIPPED_BUNDLE), str(payload["bundle_id"]))
    assert path.is_file(), "{0} is missing: run {1}".format(path.name, REGENERATE)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


# --- freshness of the shipped map (no OpenCC needed) ------------------------------------------------
def test_the_map_was_built_from_the_shipped_bundle(shipped_map: dict[str, Any]) -> None:
    digest = load_shipped_bundle().digest
    assert shipped_map["source_digest"] == digest, "the zh_TW map is stale (bundle changed): run " + REGENERATE


def test_the_map_holds_every_displayable_string_and_nothing_else(
    payload: dict[str, Any], shipped_map: dict[str, Any]
) -> None:
    expected = set(tb.display_strings(payload))
    held = set(shipped_map["strings"])
    missing, extra = sorted(expected - held), sorted(held - expected)
    assert not missing and not extra, "the zh_TW map is stale ({0} missing, {1} extra): run {2}".format(
        len(missing), len(extra), REGENERATE
    )


def test_the_map_was_built_with_the_current_overrides(shipped_map: dict[str, Any]) -> None:
    overrides, digest = tb.load_overrides(resource(*tb.OVERRIDES_FILE))
    assert shipped_map["overrides_digest"] == digest, "zh_TW-overrides.json changed: run " + REGENERATE
    assert shipped_map["opencc"].startswith(tb.OPENCC_CONFIG + " ")
    for o in overrides:
        for simplified, traditional in shipped_map["strings"].items():
            if o.simplified in simplified:
                assert o.traditional in traditional, (o.simplified, traditional)


def test_only_characters_change_and_statute_titles_keep_their_words(shipped_map: dict[str, Any]) -> None:
    strings: dict[str, str] = shipped_map["strings"]
    for simplified, traditional in strings.items():
        # s2tw converts character for character: no word is added, dropped or swapped for a Taiwan term.
        assert len(simplified) == len(traditional), (simplified, traditional)
        for s_char, t_char in zip(simplified, traditional, strict=True):
            if s_char == "条":
                assert t_char == "條", (simplified, traditional)
    laws = [t for s, t in strings.items() if "《中华人民共和国民事诉讼法》" in s]
    assert laws and all("《中華人民共和國民事訴訟法》" in t for t in laws)
    assert strings[NAME_CN] == NAME_TW
    # Fixed by the reviewed overrides: 簽 (sign), not 籤; 復議, as the statute title writes it.
    assert not any("籤調解" in t or "複議" in t for t in strings.values())
    assert any("《中華人民共和國行政復議法》" in t for t in strings.values())
    # Administrative wording is not rewritten into Taiwan computing terms (what s2twp would do).
    assert not any(w in t for t in strings.values() for w in ("程式", "視窗", "智慧財產"))


def test_regenerating_gives_the_shipped_file() -> None:
    """The whole build, byte for byte (needs OpenCC, a build-time tool; skipped where it is absent)."""
    pytest.importorskip("opencc")
    path = tb.map_path_for(resource(*SHIPPED_BUNDLE), "pingshan")
    rc = tb.main(["--check", "--out", str(path)])
    assert rc == 0, "the zh_TW map is stale: run " + REGENERATE


# --- the build step, with a stand-in converter ----------------------------------------------------
class CharTable:
    """A character-for-character converter standing in for OpenCC."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table

    def convert(self, text: str) -> str:
        return "".join(self.table.get(c, c) for c in text)


S2T = CharTable({"签": "籤", "调": "調", "解": "解", "协": "協", "议": "議", "条": "條", "复": "複"})


def test_display_strings_skip_codes_keys_and_numbers() -> None:
    payload = {"code": "PS-TJ-001", "名称": "PS", "name": "调解", "list": ["第一条", "abc", 5, None, True]}
    assert tb.display_strings(payload) == ["第一条", "调解"]


def test_overrides_win_over_the_converter_longest_first() -> None:
    overrides = [tb.Override("签调解", "簽調解", "sign"), tb.Override("签调解协议", "簽調解協議", "longer")]
    assert tb.convert("签调解协议；签调解；签", S2T, overrides) == "簽調解協議；簽調解；籤"
    built = tb.build_map({"a": ["签调解", "x"]}, S2T, overrides, opencc_label="t", overrides_digest="d")
    assert built["strings"] == {"签调解": "簽調解"}
    assert built["source_digest"] == tb.payload_digest({"a": ["签调解", "x"]})


def test_an_override_that_changes_words_is_refused(tmp_path: Path) -> None:
    back = CharTable({"簽": "签", "調": "调", "協": "协", "議": "议", "復": "复", "複": "复"})
    tb.check_overrides([tb.Override("复议", "復議", "ok")], back)
    with pytest.raises(tb.BuildError, match="only choose characters"):
        tb.check_overrides([tb.Override("复议", "覆核", "a different word")], back)
    bad = tmp_path / "o.json"
    bad.write_text(json.dumps({"phrases": [{"simplified": "复议", "traditional": "復議"}]}), encoding="utf-8")
    with pytest.raises(tb.BuildError, match="why"):
        tb.load_overrides(bad)


# --- what readers see --------------------------------------------------------------------------------
def test_localized_follows_the_locale() -> None:
    assert localized(NAME_CN, "zh_TW") == NAME_TW
    assert localized(NAME_CN, "zh_CN") == localized(NAME_CN, "en") == NAME_CN
    assert localized("不在目录里的文字", "zh_TW") == "不在目录里的文字"  # not catalogue text: as given
    set_locale("zh_TW")
    assert localized(NAME_CN) == NAME_TW
    set_locale("en")
    assert localized(NAME_CN) == NAME_CN


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("zh-tw") / "data"
    r = run_cli("init", "--admin", "admin", "--data-dir", str(d), env={"FZMEDIATE_NEW_PASSWORD": ADMIN_PW})
    assert r.code == 0, r.err
    return d


def _cli(store: Path, lang: str, *args: str) -> str:
    r = run_cli(
        *args, "--lang", lang, "--data-dir", str(store), "--user", "admin", env={"FZMEDIATE_PASSWORD": ADMIN_PW}
    )
    assert r.code == 0, r.err
    return r.out


def test_the_cli_shows_catalogue_text_in_the_readers_script(cli_store: Path) -> None:
    tw = _cli(cli_store, "zh_TW", "catalogue", "list")
    assert NAME_TW in tw and NAME_CN not in tw
    cn = _cli(cli_store, "zh_CN", "catalogue", "list")
    assert NAME_CN in cn and NAME_TW not in cn
    assert NAME_CN in _cli(cli_store, "en", "catalogue", "list")
    shown = _cli(cli_store, "zh_TW", "catalogue", "show", "PS-TJ-001")
    assert NAME_TW in shown and "《中華人民共和國消費者權益保護法》" in shown
    # JSON carries the catalogue exactly as published (scripts and other systems read it).
    data = json.loads(_cli(cli_store, "zh_TW", "catalogue", "list", "--json"))
    assert any(m["name"] == NAME_CN for m in data)


@pytest.fixture
def zh_tw() -> Iterator[None]:
    set_locale("zh_TW")
    yield
    set_locale("zh_CN")


def test_a_guide_printed_on_a_zh_tw_screen_stays_simplified(initialized: Workspace, zh_tw: None) -> None:
    with initialized.unlock("admin", ADMIN_PW) as s:
        pdf = s.documents.guide("PS-TJ-001")
    text = squash(pypdf_text(pdf))
    assert NAME_CN in text and NAME_TW not in text
