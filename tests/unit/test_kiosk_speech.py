"""Read-aloud: the language of the text picks the voice, and where there is none the visitor is told why.

The platform voice is the boundary: ``spd-say`` is replaced by a script that lists voices and records what it was
asked to say (speech-dispatcher itself is not installed on CI machines)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from fzmediate.i18n import set_locale
from fzmediate.kiosk.speech import NoVoice, ReadAloud, SpeechDispatcher, normalize_language, text_language

VOICES = """NAME                LANGUAGE            VARIANT
Chinese_Mandarin    cmn                 none
English             en-GB               none
"""


def fake_spd_say(tmp_path: Path, voices: str) -> tuple[str, Path]:
    log = tmp_path / "said.txt"
    script = tmp_path / "spd-say"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-L" ]; then cat <<\'EOF\'\n' + voices + "EOF\nexit 0; fi\n"
        'printf "%s\\n" "$*" >> "' + str(log) + '"\n',
        "utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script), log


@pytest.mark.skipif(os.name == "nt", reason="speech-dispatcher is the Linux voice")
def test_speech_dispatcher_lists_its_languages_and_speaks_chinese(tmp_path: Path) -> None:
    command, log = fake_spd_say(tmp_path, VOICES)
    reader = ReadAloud(SpeechDispatcher(command))
    outcome = reader.read("物业管理纠纷行政调解")
    assert outcome.spoken and outcome.language == "zh" and outcome.message == ""
    lines = log.read_text("utf-8").splitlines()
    assert lines == ["-C", "-l zh -- 物业管理纠纷行政调解"]  # what was being said stops first
    reader.stop()
    assert log.read_text("utf-8").splitlines()[-1] == "-C"


@pytest.mark.skipif(os.name == "nt", reason="speech-dispatcher is the Linux voice")
def test_without_a_chinese_voice_the_screen_says_so(tmp_path: Path) -> None:
    set_locale("en")
    command, log = fake_spd_say(tmp_path, "NAME LANGUAGE VARIANT\nEnglish en none\n")
    outcome = ReadAloud(SpeechDispatcher(command)).read("申请指南")
    assert not outcome.spoken and outcome.reason == "no_chinese_voice" and "Chinese voice" in outcome.message
    assert not log.exists()  # nothing was sent to the voice
    assert ReadAloud(SpeechDispatcher(command)).read("Opening hours").spoken


def test_no_voice_at_all_is_said_too() -> None:
    set_locale("en")
    outcome = ReadAloud(NoVoice()).read("申请指南")
    assert not outcome.spoken and outcome.reason == "no_voice" and "no voice" in outcome.message
    set_locale("zh_CN")


def test_language_codes() -> None:
    assert [normalize_language(c) for c in ("cmn", "zh-CN", "zh_TW", "yue", "en-US", "EN")] == [
        "zh", "zh", "zh", "zh", "en", "en",
    ]  # fmt: skip
    assert text_language("Phone: 12345") == "en" and text_language("电话 12345") == "zh"
    assert text_language("𠮷") == "zh"
