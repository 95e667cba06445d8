"""Read aloud through the platform's own voice: speech-dispatcher on Linux, SAPI on Windows.

One small interface (``Voice``) over the platform, and ``ReadAloud`` on top, which picks the language of the
text and says plainly when no voice for it exists — the kiosk never stays silent without telling the visitor
why. Qt TextToSpeech would do the same job through the same engines (its Linux backend *is* speech-dispatcher,
its Windows backend SAPI) but lives in the 59 MB PySide6-Addons wheel; see docs/decisions.md.

``Voice`` is the one boundary tests replace (there is no voice on a CI machine).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Protocol

from fzmediate.i18n import _

log = logging.getLogger(__name__)

_HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]")
#: speech-dispatcher / espeak-ng language codes that speak Chinese (Mandarin; Cantonese reads characters too).
_CHINESE = ("zh", "cmn", "yue")
_TIMEOUT = 10.0


class Voice(Protocol):
    """The platform's text-to-speech."""

    def languages(self) -> frozenset[str]:
        """The languages a voice exists for, as ``zh`` / ``en`` … (empty: no voice at all)."""
        ...

    def speak(self, text: str, language: str) -> None:
        """Start speaking ``text`` (returns at once); stops what was being said."""
        ...

    def stop(self) -> None: ...


def normalize_language(code: str) -> str:
    """``cmn``, ``zh-CN``, ``zh_TW``, ``yue`` → ``zh``; ``en-US`` → ``en``."""
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return "zh" if base in _CHINESE else base


class NoVoice:
    """No text-to-speech on this machine."""

    def languages(self) -> frozenset[str]:
        return frozenset()

    def speak(self, text: str, language: str) -> None:  # pragma: no cover - never called: no language
        return None

    def stop(self) -> None:
        return None


class SpeechDispatcher:
    """Linux: ``spd-say`` hands the text to the speech-dispatcher daemon (espeak-ng, RHVoice …)."""

    def __init__(self, command: str = "spd-say") -> None:
        self.command = command
        self._languages: frozenset[str] | None = None

    def languages(self) -> frozenset[str]:
        if self._languages is None:
            try:
                done = subprocess.run(
                    [self.command, "-L"], capture_output=True, text=True, timeout=_TIMEOUT, check=False
                )
            except (OSError, subprocess.TimeoutExpired):
                log.warning("speech-dispatcher did not list its voices")
                return frozenset()
            found = set()
            for line in done.stdout.splitlines()[1:]:  # header: NAME LANGUAGE VARIANT
                parts = line.split()
                if len(parts) >= 2:
                    found.add(normalize_language(parts[1]))
            self._languages = frozenset(found)
        return self._languages

    def speak(self, text: str, language: str) -> None:
        self.stop()
        subprocess.run([self.command, "-l", language, "--", text], capture_output=True, timeout=_TIMEOUT, check=False)

    def stop(self) -> None:
        subprocess.run([self.command, "-C"], capture_output=True, timeout=_TIMEOUT, check=False)


_SAPI_LIST = (
    "Add-Type -AssemblyName System.Speech;"
    "(New-Object System.Speech.Synthesis.SpeechSynthesizer).GetInstalledVoices()"
    "|ForEach-Object{$_.VoiceInfo.Culture.Name}"
)
# The text comes on standard input (never in the command line: no quoting, no length limit).
_SAPI_SPEAK = (
    "Add-Type -AssemblyName System.Speech;"
    "$s=New-Object System.Speech.Synthesis.SpeechSynthesizer;"
    "$v=$s.GetInstalledVoices()|Where-Object{{$_.VoiceInfo.Culture.Name -like '{0}*'}}|Select-Object -First 1;"
    "if($v){{$s.SelectVoice($v.VoiceInfo.Name)}};"
    "$s.Speak([Console]::In.ReadToEnd())"
)


class Sapi:
    """Windows: the SAPI voices through .NET's System.Speech, in a PowerShell child that can be stopped."""

    def __init__(self, powershell: str = "powershell") -> None:
        self.powershell = powershell
        self._languages: frozenset[str] | None = None
        self._child: subprocess.Popen[bytes] | None = None

    def _args(self, script: str) -> list[str]:
        return [self.powershell, "-NoProfile", "-NonInteractive", "-Command", script]

    def languages(self) -> frozenset[str]:
        if self._languages is None:
            try:
                done = subprocess.run(
                    self._args(_SAPI_LIST), capture_output=True, text=True, timeout=_TIMEOUT * 3, check=False
                )
            except (OSError, subprocess.TimeoutExpired):
                log.warning("SAPI did not list its voices")
                return frozenset()
            self._languages = frozenset(normalize_language(x) for x in done.stdout.split() if x.strip())
        return self._languages

    def speak(self, text: str, language: str) -> None:
        self.stop()
        culture = "zh" if language == "zh" else language
        child = subprocess.Popen(
            self._args(_SAPI_SPEAK.format(culture)),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert child.stdin is not None
        child.stdin.write(text.encode("utf-8"))
        child.stdin.close()
        self._child = child

    def stop(self) -> None:
        child, self._child = self._child, None
        if child is not None and child.poll() is None:
            child.terminate()


def platform_voice() -> Voice:
    """The voice of this platform, or ``NoVoice`` when it has none we can reach."""
    if os.name == "nt":
        return Sapi() if shutil.which("powershell") else NoVoice()
    command = shutil.which("spd-say")
    return SpeechDispatcher(command) if command else NoVoice()


@dataclass(frozen=True)
class Spoken:
    """What became of a request to read aloud. When ``spoken`` is False, ``reason`` says why and
    ``message`` (in the screen language at the time it is asked) is what the screen shows."""

    spoken: bool
    language: str
    reason: str = ""

    @property
    def message(self) -> str:
        if self.reason == "no_voice":
            return _("This kiosk has no voice installed, so nothing can be read aloud. Please ask the staff.")
        if self.reason == "no_chinese_voice":
            return _("This kiosk has no Chinese voice, so the text cannot be read aloud. Please ask the staff.")
        if self.reason == "no_language_voice":
            return _("This kiosk has no voice for this language. Please ask the staff.")
        if self.reason == "failed":
            return _("Reading aloud failed. Please ask the staff.")
        return ""


def text_language(text: str) -> str:
    """``zh`` when the text holds Chinese characters (catalogue text is Chinese), else ``en``."""
    return "zh" if _HAN.search(text) else "en"


class ReadAloud:
    """Read a screen's text with the platform voice, or say why it cannot."""

    def __init__(self, voice: Voice) -> None:
        self.voice = voice

    def read(self, text: str) -> Spoken:
        language = text_language(text)
        try:
            available = self.voice.languages()
            if language not in available:
                if not available:
                    return Spoken(False, language, "no_voice")
                return Spoken(False, language, "no_chinese_voice" if language == "zh" else "no_language_voice")
            self.voice.speak(text, language)
        except (OSError, subprocess.SubprocessError):
            log.warning("the platform voice failed")
            return Spoken(False, language, "failed")
        return Spoken(True, language)

    def stop(self) -> None:
        try:
            self.voice.stop()
        except (OSError, subprocess.SubprocessError):
            log.warning("the platform voice could not be stopped")
