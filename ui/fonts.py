"""The shipped CJK font (resources/fonts): registered at start-up and used as the application font.

System fonts are never relied on: without a CJK font Qt draws tofu boxes, and rare name characters
(生僻字 such as 𠮷 or 䶮) need a font that covers CJK Extensions A and B. Noto Sans CJK does.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from fzmediate.resources import resource

log = logging.getLogger(__name__)

FONT_FILE = ("fonts", "NotoSansCJK-Regular.ttc")

# The collection holds one face per region; the glyph shapes follow each region's standard.
_SANS = {"zh_CN": "Noto Sans CJK SC", "zh_TW": "Noto Sans CJK TC", "en": "Noto Sans CJK SC"}
_MONO = {"zh_CN": "Noto Sans Mono CJK SC", "zh_TW": "Noto Sans Mono CJK TC", "en": "Noto Sans Mono CJK SC"}

_families: list[str] | None = None


def shipped_families() -> list[str]:
    """Register the shipped font once; return the families it provides (empty if it could not load)."""
    global _families
    if _families is None:
        path = resource(*FONT_FILE)
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.error("could not load the shipped font %s; Chinese text may not render", path.name)
            _families = []
        else:
            _families = list(QFontDatabase.applicationFontFamilies(font_id))
    return _families


def _pick(table: dict[str, str], locale: str, *, mono: bool) -> str | None:
    families = shipped_families()
    wanted = table.get(locale, table["zh_CN"])
    if wanted in families:
        return wanted
    fallback = [f for f in families if ("Mono" in f) == mono]
    return fallback[0] if fallback else None


def sans_family(locale: str) -> str | None:
    return _pick(_SANS, locale, mono=False)


def mono_family(locale: str) -> str | None:
    return _pick(_MONO, locale, mono=True)


def install_app_font(app: QApplication, locale: str, *, point_size: float = 11.0, scale: float = 1.0) -> QFont:
    """Make the shipped font (the face for ``locale``) the application font, at ``point_size × scale``
    (the text size setting: every widget that does not set its own size follows it)."""
    font = QFont(app.font())
    family = sans_family(locale)
    if family is not None:
        font.setFamilies([family])
    font.setPointSizeF(round(point_size * scale, 1))
    app.setFont(font)
    return font


def monospace_font(locale: str, point_size: float) -> QFont:
    """The shipped monospace face (for codes that are read aloud or copied by hand)."""
    font = QFont()
    family = mono_family(locale)
    if family is not None:
        font.setFamilies([family])
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setFixedPitch(True)
    font.setPointSizeF(point_size)
    return font
