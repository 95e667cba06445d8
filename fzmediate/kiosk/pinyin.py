"""Pinyin to characters for the kiosk's on-screen keyboard: a reverse index built from pypinyin's data (MIT).

``tools/build_pinyin_index.py`` builds ``resources/kiosk/pinyin-index.json`` once (toneless syllable → its
characters, likely ones first; see that tool for the ranking), so the kiosk needs no pypinyin at run time and
loads the index in a few milliseconds. :func:`load_index` reads it once per process and is thread-safe, so a
screen may load it off the GUI thread before the visitor first types.

The index holds no visitor data; what a visitor typed (the composition, the characters chosen) lives in the
keyboard widget and is wiped at the end of each visit.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fzmediate.resources import resource

INDEX_FORMAT = "fzmediate-pinyin-index"
INDEX_VERSION = 1
#: The longest syllable (zhuang, shuang, chuang).
MAX_SYLLABLE = 6
#: How many characters of each syllable a bare initial (``zh``) offers.
_PER_PREFIX = 6

_lock = threading.Lock()
_loaded: PinyinIndex | None = None


@dataclass(frozen=True)
class Composition:
    """What typed letters offer: ``letters`` is the part a chosen candidate stands for (the first syllable, or
    the whole partial input), ``candidates`` the characters in order."""

    letters: str
    candidates: tuple[str, ...]


def _big5(char: str) -> bool:
    try:
        char.encode("big5")
    except UnicodeEncodeError:
        return False
    return True


class PinyinIndex:
    """Toneless syllables (``lv`` for lǜ) to characters, and the rarer name characters by syllable."""

    def __init__(self, syllables: dict[str, str], rare: dict[str, str], names: str = "") -> None:
        self._syllables = syllables
        self._rare = rare
        self._names = names
        self._sorted = sorted(syllables)

    @classmethod
    def from_json(cls, text: str) -> PinyinIndex:
        data = json.loads(text)
        if data.get("format") != INDEX_FORMAT or data.get("version") != INDEX_VERSION:
            raise ValueError("not a pinyin index of version {0}".format(INDEX_VERSION))
        return cls(dict(data["syllables"]), dict(data["rare"]), str(data.get("names", "")))

    def is_syllable(self, letters: str) -> bool:
        return letters in self._syllables

    def first_syllable(self, letters: str) -> str:
        """The longest syllable ``letters`` starts with ('' when it starts with none)."""
        for size in range(min(MAX_SYLLABLE, len(letters)), 0, -1):
            if letters[:size] in self._syllables:
                return letters[:size]
        return ""

    def compose(self, letters: str, *, traditional: bool = False, recent: Sequence[str] = ()) -> Composition:
        """Candidates for the typed ``letters`` (lower case a–z, v for ü).

        The first whole syllable is converted (``wangji`` offers 王, 网 … for ``wang``); letters that are
        only the start of syllables (``zh``) offer the first few characters of each. Characters chosen earlier
        in this visit (``recent``) come first; with ``traditional`` the Big5 characters come before the others.
        """
        text = letters.lower()
        syllable = self.first_syllable(text)
        if syllable and (syllable == text or not self._prefix_only(text)):
            chars: Iterable[str] = self._syllables[syllable]
            taken = syllable
        else:
            starts = [s for s in self._sorted if s.startswith(text)]
            chars = _round_robin([self._syllables[s][:_PER_PREFIX] for s in starts])
            taken = text if starts else ""
        ordered = list(dict.fromkeys(chars))
        if traditional:
            ordered.sort(key=lambda c: not _big5(c))
        if recent:
            first = [c for c in dict.fromkeys(reversed(recent)) if c in ordered]
            ordered = first + [c for c in ordered if c not in first]
        return Composition(taken, tuple(ordered))

    def _prefix_only(self, text: str) -> bool:
        """True when the whole input is the start of a longer syllable (``xia`` → xian …) and is not itself one."""
        return text not in self._syllables and any(s.startswith(text) for s in self._sorted)

    def rare(self, letters: str) -> tuple[str, ...]:
        """Name characters outside the common set read ``letters`` (a whole syllable, or its start)."""
        text = letters.lower().strip()
        if not text:
            return ()
        if text in self._rare:
            return tuple(self._rare[text])
        return tuple(dict.fromkeys(_round_robin([v for k, v in sorted(self._rare.items()) if k.startswith(text)])))

    def name_characters(self) -> tuple[str, ...]:
        """Rare characters known from personal names (what the picker shows before anything is typed)."""
        return tuple(self._names)


def _round_robin(groups: Sequence[str]) -> list[str]:
    out: list[str] = []
    longest = max((len(g) for g in groups), default=0)
    for i in range(longest):
        out.extend(g[i] for g in groups if i < len(g))
    return out


def load_index() -> PinyinIndex:
    """The shipped index, read once per process (thread-safe)."""
    global _loaded
    if _loaded is not None:
        return _loaded
    with _lock:
        if _loaded is None:
            _loaded = PinyinIndex.from_json(resource("kiosk", "pinyin-index.json").read_text("utf-8"))
    return _loaded
