"""settings.json: text size, high contrast and the window geometry, each tolerant of a bad value."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

import pytest

from fzmediate.settings import DEFAULT_TEXT_SCALE, Settings


def write(data_dir: Path, body: object) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "settings.json").write_text(json.dumps(body), "utf-8")


def test_defaults() -> None:
    s = Settings()
    assert s.text_scale == DEFAULT_TEXT_SCALE == 100 and s.high_contrast is False and s.window_geometry is None


def test_the_new_fields_round_trip(tmp_path: Path) -> None:
    geometry = base64.b64encode(bytes(range(60))).decode("ascii")
    wanted = Settings(
        idle_lock_seconds=900, locale="zh_TW", text_scale=175, high_contrast=True, window_geometry=geometry
    )
    wanted.save(tmp_path)
    assert Settings.load(tmp_path) == wanted
    assert (tmp_path / "settings.json").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("value", [100, 125, 150, 175, 200])
def test_text_sizes_in_range_are_kept(tmp_path: Path, value: int) -> None:
    write(tmp_path, {"text_scale": value})
    assert Settings.load(tmp_path).text_scale == value


@pytest.mark.parametrize("value", [99, 201, 0, -150, "150", 150.0, True, None, [150]])
def test_a_bad_text_size_falls_back_with_a_log_line(
    tmp_path: Path, value: object, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path, {"text_scale": value, "idle_lock_seconds": 600})
    with caplog.at_level(logging.WARNING, logger="fzmediate.settings"):
        s = Settings.load(tmp_path)
    assert s.text_scale == DEFAULT_TEXT_SCALE
    assert s.idle_lock_seconds == 600  # the good part is kept
    assert any("text_scale" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("value", ["yes", 1, 0, None])
def test_a_bad_high_contrast_value_means_off(tmp_path: Path, value: object, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path, {"high_contrast": value})
    with caplog.at_level(logging.WARNING, logger="fzmediate.settings"):
        assert Settings.load(tmp_path).high_contrast is False
    assert any("high_contrast" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("value", [12, "not base64!", "A" * 5000, ["AAAA"]])
def test_a_bad_window_geometry_is_ignored(tmp_path: Path, value: object) -> None:
    write(tmp_path, {"window_geometry": value, "high_contrast": True})
    s = Settings.load(tmp_path)
    assert s.window_geometry is None and s.high_contrast is True


def test_a_file_of_an_older_version_still_loads(tmp_path: Path) -> None:
    write(tmp_path, {"idle_lock_seconds": 60, "locale": "en"})
    assert Settings.load(tmp_path) == Settings(idle_lock_seconds=60, locale="en")
