"""The kiosk's look for elderly visitors (适老化, WCAG2ICT): large type, big touch targets, high contrast.

- Base text 18 pt at 100 %, and the larger-text steps in ``TEXT_STEPS`` (the largest is what the clipping
  test checks). The shipped Noto Sans CJK face has a line height of 1.45 em, so line spacing stays ≥ 1.3
  without setting it (``line_spacing_ratio`` measures it; a test holds it).
- Touch targets at least 9 mm on the kiosk's own screen: ``touch_px`` computes pixels from the screen's
  *physical* DPI. Where the screen reports none (or nonsense: < 50 or > 600 dpi, as some virtual and
  offscreen outputs do), 96 dpi is assumed: 9 mm = 35 px.
- High contrast: the desk's black-on-white palette (``ui.style``), with thick borders and focus rings.
"""

from __future__ import annotations

import math

from PySide6.QtGui import QFont, QFontMetricsF, QGuiApplication, QScreen
from PySide6.QtWidgets import QApplication

from ui.style import apply_style

BASE_POINT_SIZE = 18.0
#: The larger-text button cycles through these (percent of the base size).
TEXT_STEPS = (100, 130, 160)
TOUCH_MM = 9.0
FALLBACK_DPI = 96.0
_DPI_RANGE = (50.0, 600.0)

_QSS = """
QLabel[kiosk="button"] {{ font-weight: 600; }}
QLabel[kiosk="title"] {{ font-size: {title}pt; font-weight: 700; }}
QLabel[kiosk="heading"] {{ font-size: {heading}pt; font-weight: 700; margin-top: {gap}px; }}
QLabel[kiosk="hint"] {{ color: {hint}; }}
QLabel[kiosk="message"] {{
    background: {msg_bg}; border: 2px solid {msg_border}; border-radius: 8px; padding: 10px;
}}
QLabel[kiosk="countdown"] {{ font-size: {title}pt; font-weight: 700; }}
QPushButton {{
    min-height: {touch}px; min-width: {touch}px; border: 2px solid {border}; border-radius: 10px;
    background: {button}; padding: 6px 12px;
}}
QPushButton[kiosk="primary"] {{ background: {primary}; border-color: {primary_border}; }}
QPushButton[kiosk="primary"] QLabel {{ color: {primary_text}; }}
QPushButton:checked {{ background: {checked}; }}
QPushButton:focus {{ border: 4px solid {focus}; }}
QCheckBox {{ min-height: {touch}px; min-width: {touch}px; spacing: 0px; }}
QCheckBox::indicator {{ width: {touch}px; height: {touch}px; }}
QLineEdit {{ min-height: {touch}px; border: 2px solid {border}; border-radius: 6px; padding: 4px 8px; }}
QScrollBar:vertical {{ width: {touch}px; }}
QFrame[kiosk="bar"] {{ background: {bar}; border-bottom: 2px solid {border}; }}
QFrame[kiosk="overlay"] {{ background: {overlay}; border: 4px solid {border}; border-radius: 16px; }}
"""


def touch_px(screen: QScreen | None = None) -> int:
    """Pixels of ``TOUCH_MM`` on ``screen`` (default: the primary screen), from its physical DPI."""
    screen = screen or QGuiApplication.primaryScreen()
    dpi = screen.physicalDotsPerInch() if screen is not None else 0.0
    if not (_DPI_RANGE[0] <= dpi <= _DPI_RANGE[1]):
        dpi = FALLBACK_DPI
    return math.ceil(TOUCH_MM / 25.4 * dpi)


def kiosk_style_sheet(scale: float, high_contrast: bool, touch: int) -> str:
    return _QSS.format(
        base=round(BASE_POINT_SIZE * scale, 1),
        title=round(BASE_POINT_SIZE * 1.45 * scale, 1),
        heading=round(BASE_POINT_SIZE * 1.15 * scale, 1),
        gap=round(10 * scale),
        touch=touch,
        border="#000000" if high_contrast else "#7a8797",
        button="#ffffff" if high_contrast else "#f4f7fb",
        primary="#000000" if high_contrast else "#0b5cad",
        primary_border="#000000" if high_contrast else "#07427d",
        primary_text="#ffffff",
        checked="#ffff00" if high_contrast else "#d6e6f7",
        focus="#0000c8" if high_contrast else "#e08a00",
        hint="#000000" if high_contrast else "#3d4a59",
        msg_bg="#ffffff" if high_contrast else "#fff6d6",
        msg_border="#000000" if high_contrast else "#b08a00",
        bar="#ffffff" if high_contrast else "#e6eef7",
        overlay="#ffffff" if high_contrast else "#fdfdfd",
    )


def apply_kiosk_look(app: QApplication, locale: str, *, text_scale: int = 100, high_contrast: bool = False) -> None:
    """Style, fonts and Qt translations of the kiosk (called again on every language, size or contrast change)."""
    from ui.app import install_qt_translations
    from ui.fonts import install_app_font

    scale = text_scale / 100
    apply_style(app, scale, high_contrast)
    install_app_font(app, locale, point_size=BASE_POINT_SIZE, scale=scale)
    install_qt_translations(app, locale)
    app.setStyleSheet(app.styleSheet() + kiosk_style_sheet(scale, high_contrast, touch_px()))


def line_spacing_ratio(font: QFont) -> float:
    """Line spacing of ``font`` as a multiple of its size (WCAG asks ≥ 1.3 for the kiosk's text)."""
    screen = QGuiApplication.primaryScreen()
    dpi = screen.logicalDotsPerInch() if screen is not None else FALLBACK_DPI
    em = font.pointSizeF() * dpi / 72 if font.pointSizeF() > 0 else float(font.pixelSize())
    return QFontMetricsF(font).lineSpacing() / max(1e-6, em)
