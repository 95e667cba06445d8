"""Build the kiosk keyboard's pinyin index (resources/kiosk/pinyin-index.json) from pypinyin's data.

pypinyin (MIT) maps characters to readings; the keyboard needs the reverse (a toneless syllable → its
characters), ranked so the likely character comes first. No frequency table ships with pypinyin, so the rank
is built from what it does ship: GB 2312 level 1 (the 3,755 common characters) before level 2, before the rest
of the basic block, before the extensions; within a tier, characters that occur in more of pypinyin's phrases
come first (a usage proxy). Characters outside GB 2312 that the document fonts can print also go into
``rare``: the name-character picker's list (𠮷, 䶮, 𫖮 …), known name characters first.

Run after upgrading pypinyin or the fonts (pypinyin comes with the ``kiosk-build`` extra)::

    .venv/bin/pip install -e '.[kiosk-build]'
    .venv/bin/python -m tools.build_pinyin_index
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from fzmediate.documents.coverage import face_for
from fzmediate.kiosk.pinyin import INDEX_FORMAT, INDEX_VERSION
from fzmediate.resources import resource

#: Characters known to occur in personal names that the picker lists first, with their reading where pypinyin
#: has none (𠮷 is a variant of 吉 and read like it).
NAME_CHARACTERS = {
    "𠮷": "ji",
    "䶮": "",
    "𫖮": "",
    "龑": "",
    "喆": "",
    "堃": "",
    "犇": "",
    "淼": "",
    "垚": "",
    "昇": "",
    "燊": "",
    "玥": "",
    "珺": "",
    "赟": "",
    "彧": "",
    "骉": "",
    "镕": "",
    "琎": "",
    "祎": "",
    "頔": "",
}
_TONE_MARKS = re.compile(r"[^a-z]")
#: The most common surnames (about 85 % of the population): a kiosk types names first, and the phrase counts
#: rank 李 only eleventh for li. Each counts as if it occurred in ``SURNAME_BONUS`` more phrases.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
SURNAME_BONUS = 60


def toneless(reading: str) -> str:
    """``lǘ`` → ``lv`` (the keyboard types ü as v), ``zhōng`` → ``zhong``."""
    base = unicodedata.normalize("NFD", reading.lower()).replace("u\u0308", "v")
    base = "".join(c for c in base if unicodedata.category(c) != "Mn")
    return _TONE_MARKS.sub("", base)


def tier(char: str) -> int:
    """0: GB 2312 level 1; 1: level 2; 2: other basic-block ideographs; 3: extensions and the rest."""
    try:
        first = char.encode("gb2312")[0]
        return 0 if first <= 0xD7 else 1
    except UnicodeEncodeError:
        pass
    return 2 if 0x4E00 <= ord(char) <= 0x9FFF else 3


def build() -> dict[str, object]:
    from pypinyin import __version__ as pypinyin_version
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    # How often a character is read as a syllable in pypinyin's phrases: 方 is read wǎng in a handful of
    # phrases and fāng in hundreds, so it must not lead the candidates of wang.
    usage: Counter[tuple[str, str]] = Counter()
    for phrase, spelled in phrases_dict.items():
        for char, options in zip(phrase, spelled, strict=False):
            if options:
                usage[(char, toneless(options[0]))] += 1
    for char in SURNAMES:
        first = pinyin_dict.get(ord(char), "").split(",")[0]
        usage[(char, toneless(first))] += SURNAME_BONUS
    readings: dict[str, set[str]] = defaultdict(set)
    primary: set[tuple[str, str]] = set()
    for code, text in pinyin_dict.items():
        char = chr(code)
        if unicodedata.category(char) != "Lo":
            continue
        for i, reading in enumerate(text.split(",")):
            syllable = toneless(reading)
            if syllable:
                readings[syllable].add(char)
                if i == 0:
                    primary.add((char, syllable))
    for char, syllable in NAME_CHARACTERS.items():
        if syllable:
            readings[syllable].add(char)
    names = list(NAME_CHARACTERS)
    syllables: dict[str, str] = {}
    rare: dict[str, str] = {}
    for syllable in sorted(readings):
        chars = sorted(
            readings[syllable],
            key=lambda c: (tier(c), (c, syllable) not in primary, -usage[(c, syllable)], ord(c)),
        )
        syllables[syllable] = "".join(chars)
        printable = [c for c in chars if tier(c) >= 1 and face_for(c) is not None]
        printable.sort(key=lambda c: (names.index(c) if c in names else len(names), tier(c), ord(c)))
        if printable:
            rare[syllable] = "".join(printable)
    return {
        "format": INDEX_FORMAT,
        "version": INDEX_VERSION,
        "source": "pypinyin {0} (MIT), pinyin_dict and phrases_dict".format(pypinyin_version),
        "syllables": syllables,
        "rare": rare,
        "names": "".join(c for c in names if face_for(c) is not None),
    }


def main() -> None:
    out: Path = resource("kiosk", "pinyin-index.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    data = build()
    out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n", "utf-8")
    print("{0}: {1} syllables, {2} bytes".format(out.name, len(data["syllables"]), out.stat().st_size))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
