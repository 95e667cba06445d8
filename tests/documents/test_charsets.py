"""The GB 18030-2022 repertoires as data: level 1 from the standard's definition, level 2 from the list."""

from __future__ import annotations

from pathlib import Path

import pytest

from fzmediate.documents import charsets


def test_level1_is_the_2005_repertoire_plus_the_66_uro_ideographs() -> None:
    level1 = charsets.level1_hanzi()
    assert len(level1) == 27590
    assert set(range(0x4E00, 0x9FF0)) <= level1  # whole URO up to U+9FEF, incl. the 66 and the 8 remapped
    assert set(range(0x3400, 0x4DC0)) <= level1  # whole Extension A
    assert len(charsets.URO_ADDITIONS) == 66
    assert 0x3007 in level1  # 〇
    assert not any(0xE000 <= c <= 0xF8FF for c in level1)
    assert all(c <= 0xFFFF for c in level1)


def test_level2_adds_196_table_ideographs_outside_the_bmp() -> None:
    supplement = charsets.level2_supplement()
    assert len(supplement) == 196
    assert all(0x20000 <= c <= 0x2CEAF for c in supplement)  # Extensions B to E
    assert {0x2C317, 0x2B4E7, 0x2CB5A} <= set(supplement)  # 𬌗 𫓧 𬭚
    assert len(charsets.level2_hanzi()) == 27590 + 196


def test_printable_repertoire_covers_both_levels_symbols_and_names() -> None:
    printable = charsets.printable_repertoire()
    assert charsets.level2_hanzi() <= printable
    assert {ord("，"), ord("—"), ord("①"), ord("￥"), ord("A")} <= printable
    assert 0x20BB7 in printable  # 𠮷, from the names supplement


def test_code_point_lists_refuse_a_character_that_disagrees(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("# comment\nU+4E00\t一\nU+20BB7 𠮷 # note\n", "utf-8")
    assert charsets.read_codepoint_list(good) == (0x4E00, 0x20BB7)
    bad = tmp_path / "bad.txt"
    bad.write_text("U+4E00\t二\n", "utf-8")
    with pytest.raises(ValueError, match=r"bad\.txt:1"):
        charsets.read_codepoint_list(bad)
    twice = tmp_path / "twice.txt"
    twice.write_text("U+4E00\nU+4E00\n", "utf-8")
    with pytest.raises(ValueError, match="twice"):
        charsets.read_codepoint_list(twice)
