"""The keyboard's pinyin index (built from pypinyin's MIT data): likely characters first, partial syllables,
traditional characters first in 繁體, and the rare name characters 𠮷, 䶮, 𫖮 reachable by their reading."""

from __future__ import annotations

from fzmediate.documents.coverage import face_for
from fzmediate.kiosk.pinyin import load_index


def test_common_characters_come_first() -> None:
    index = load_index()
    assert index.compose("wang").candidates[0] == "王"
    assert index.compose("zhang").candidates[:3].count("张") == 1
    assert "李" in index.compose("li").candidates[:10]


def test_the_first_syllable_of_longer_input_is_converted() -> None:
    composed = load_index().compose("wangji")
    assert composed.letters == "wang" and composed.candidates[0] == "王"


def test_a_bare_initial_offers_characters_of_the_syllables_it_starts() -> None:
    composed = load_index().compose("zh")
    assert composed.letters == "zh"
    assert composed.candidates and all(c for c in composed.candidates[:6])


def test_v_types_u_umlaut() -> None:
    assert "绿" in load_index().compose("lv").candidates[:5]


def test_traditional_characters_first_for_traditional_chinese() -> None:
    candidates = load_index().compose("guo", traditional=True).candidates
    assert candidates.index("國") < candidates.index("国")


def test_characters_chosen_in_the_visit_come_first() -> None:
    assert load_index().compose("wang", recent=["汪"]).candidates[0] == "汪"


def test_rare_name_characters_are_found_by_reading_and_print() -> None:
    index = load_index()
    for reading, char in (("ji", "𠮷"), ("yan", "䶮"), ("yi", "𫖮")):
        rare = index.rare(reading)
        assert char in rare[:16], char  # on the picker's first page
        assert face_for(char) is not None
    assert {"𠮷", "䶮", "𫖮"} <= set(index.name_characters())
    assert "王" not in index.rare("wang")  # the picker lists only what pinyin lists late
