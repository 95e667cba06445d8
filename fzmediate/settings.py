"""Per-installation settings in ``<data_dir>/settings.json``: no secrets and no personal data.

The file is optional; a missing file gives the defaults. A damaged file or a bad value never stops the app:
the bad part is logged and replaced by its default (a value outside the allowed range included, so a typo
cannot switch the idle lock off).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from fzmediate.i18n import normalize_locale
from fzmediate.security.atomic import atomic_write_bytes

log = logging.getLogger(__name__)

FILE_NAME = "settings.json"

DEFAULT_IDLE_LOCK_SECONDS = 300
MIN_IDLE_LOCK_SECONDS = 30
MAX_IDLE_LOCK_SECONDS = 3600

DEFAULT_TEXT_SCALE = 100
MIN_TEXT_SCALE = 100
MAX_TEXT_SCALE = 200
#: A saved window geometry is a few hundred bytes of base64; anything far longer is not ours.
MAX_GEOMETRY_CHARS = 4096
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


@dataclass(frozen=True)
class Settings:
    #: Lock the store after this many seconds without user input (30 s … 1 h; default 5 min).
    idle_lock_seconds: int = DEFAULT_IDLE_LOCK_SECONDS
    #: UI language (``zh_CN``, ``en``, ``zh_TW``); ``None``: ``FZMEDIATE_LANG`` or zh_CN.
    locale: str | None = None
    #: Text size in percent of the normal size (100 … 200); the whole UI grows with it.
    text_scale: int = DEFAULT_TEXT_SCALE
    #: Black on white with strong borders and focus rings.
    high_contrast: bool = False
    #: The main window's size and place (base64 of ``QMainWindow.saveGeometry``): screen layout, not personal data.
    window_geometry: str | None = None

    @staticmethod
    def path(data_dir: Path) -> Path:
        return Path(data_dir) / FILE_NAME

    @classmethod
    def load(cls, data_dir: Path) -> Settings:
        """Read the settings of ``data_dir``; defaults for a missing file, key or bad value."""
        path = cls.path(data_dir)
        try:
            raw = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError):
            log.warning("settings file unreadable or not JSON; using the defaults")
            return cls()
        if not isinstance(raw, dict):
            log.warning("settings file is not a JSON object; using the defaults")
            return cls()
        return cls.from_dict(raw)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Settings:
        known = {f.name for f in fields(cls)}
        for key in sorted(set(raw) - known):
            log.warning("settings: unknown key %r ignored", key)
        default = cls()
        idle = raw.get("idle_lock_seconds", default.idle_lock_seconds)
        if (
            isinstance(idle, bool)
            or not isinstance(idle, int)
            or not MIN_IDLE_LOCK_SECONDS <= idle <= MAX_IDLE_LOCK_SECONDS
        ):
            log.warning(
                "settings: idle_lock_seconds must be an integer from %d to %d; using %d",
                MIN_IDLE_LOCK_SECONDS,
                MAX_IDLE_LOCK_SECONDS,
                default.idle_lock_seconds,
            )
            idle = default.idle_lock_seconds
        locale = raw.get("locale", default.locale)
        if locale is not None:
            if isinstance(locale, str) and locale.strip():
                # Unknown languages map onto the default (zh_CN), as everywhere else.
                locale = normalize_locale(locale)
            else:
                log.warning("settings: locale must be a language name such as zh_CN; ignored")
                locale = default.locale
        scale = raw.get("text_scale", default.text_scale)
        if isinstance(scale, bool) or not isinstance(scale, int) or not MIN_TEXT_SCALE <= scale <= MAX_TEXT_SCALE:
            log.warning(
                "settings: text_scale must be an integer from %d to %d; using %d",
                MIN_TEXT_SCALE,
                MAX_TEXT_SCALE,
                default.text_scale,
            )
            scale = default.text_scale
        contrast = raw.get("high_contrast", default.high_contrast)
        if not isinstance(contrast, bool):
            log.warning("settings: high_contrast must be true or false; using false")
            contrast = default.high_contrast
        geometry = raw.get("window_geometry", default.window_geometry)
        if geometry is not None and (
            not isinstance(geometry, str) or len(geometry) > MAX_GEOMETRY_CHARS or not _BASE64.fullmatch(geometry)
        ):
            log.warning("settings: window_geometry is not a saved window geometry; ignored")
            geometry = default.window_geometry
        return cls(
            idle_lock_seconds=idle,
            locale=locale,
            text_scale=scale,
            high_contrast=contrast,
            window_geometry=geometry,
        )

    def save(self, data_dir: Path) -> None:
        """Write the settings atomically (temp file, fsync, rename)."""
        body = json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        atomic_write_bytes(self.path(data_dir), body.encode("utf-8"), mode=0o644)
