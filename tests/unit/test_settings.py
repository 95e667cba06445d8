"""settings.json: optional, tolerant of damage, never able to switch the idle lock off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fzmediate.settings import DEFAULT_IDLE_LOCK_SECONDS, Settings


def write(data_dir: Path, body: object) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    text = body if isinstance(body, str) else json.dumps(body)
    (data_dir / "settings.json").write_text(text, "utf-8")


def test_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    s = Settings.load(tmp_path / "nowhere")
    assert s == Settings() and s.idle_lock_seconds == DEFAULT_IDLE_LOCK_SECONDS == 300 and s.locale is None


def test_values_are_read(tmp_path: Path) -> None:
    write(tmp_path, {"idle_lock_seconds": 120, "locale": "zh-TW"})
    assert Settings.load(tmp_path) == Settings(idle_lock_seconds=120, locale="zh_TW")


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    Settings(idle_lock_seconds=600, locale="en").save(tmp_path)
    assert Settings.load(tmp_path) == Settings(idle_lock_seconds=600, locale="en")


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", "", "null"])
def test_a_damaged_file_gives_the_defaults(tmp_path: Path, body: str) -> None:
    write(tmp_path, body)
    assert Settings.load(tmp_path) == Settings()


@pytest.mark.parametrize("value", [0, 5, -1, 10**9, "300", 300.5, True, None])
def test_a_bad_idle_timeout_falls_back_to_the_default(tmp_path: Path, value: object) -> None:
    write(tmp_path, {"idle_lock_seconds": value, "locale": "en"})
    s = Settings.load(tmp_path)
    assert s.idle_lock_seconds == DEFAULT_IDLE_LOCK_SECONDS
    assert s.locale == "en"  # the good part is kept


@pytest.mark.parametrize("value", [5, "", ["zh_CN"]])
def test_a_bad_locale_is_ignored(tmp_path: Path, value: object) -> None:
    write(tmp_path, {"locale": value})
    assert Settings.load(tmp_path).locale is None


def test_unknown_keys_are_ignored(tmp_path: Path) -> None:
    write(tmp_path, {"idle_lock_seconds": 60, "colour": "blue"})
    assert Settings.load(tmp_path) == Settings(idle_lock_seconds=60)
