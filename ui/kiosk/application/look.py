"""Sizes and roles of the application form and its keyboard: large text for standing, often elderly readers.

Base text is 18 pt at 100 % text size and grows with the text-size setting (the application font's size
over the desk's base size); every control a finger uses is at least ``TOUCH_MM`` millimetres on the kiosk's
screen and never below ``MIN_TOUCH_PX``; lines are spaced 1.3 and more apart by Qt's own leading for these
faces (Noto Sans CJK), which the clipping checks cover at 175 %.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication, QSizePolicy, QWidget

from ui.style import BASE_POINT_SIZE

#: WCAG2ICT / 适老化 touch target (the issue's 9 mm).
TOUCH_MM = 9.0
#: Our floor in pixels whatever the screen reports (a finger, not a mouse).
MIN_TOUCH_PX = 64
BASE_PT = 18.0

# Every rule is scoped to the form (``#kioskApplication``): a style sheet overrides the font the form sets, so
# the base size is given to every widget in it, and each role outranks that base rule by the same id.
_QSS = """
#kioskApplication QWidget {{ font-size: {base}pt; }}
#kioskApplication QLabel[kiosk="question"] {{ font-size: {question}pt; font-weight: 600; }}
#kioskApplication QLabel[kiosk="step"] {{ font-size: {base}pt; }}
#kioskApplication QLabel[kiosk="hint"] {{ color: #4a4a4a; }}
#kioskApplication QLabel[kiosk="error"] {{
    font-weight: 600; color: #b00020; background: #fff0f0;
    border: 2px solid #b00020; border-radius: 6px; padding: 8px 12px;
}}
#kioskApplication QLabel[kiosk="number"] {{ font-size: {heading}pt; font-weight: 700; }}
#kioskApplication QLineEdit, #kioskApplication QPlainTextEdit {{
    font-size: {entry}pt; padding: 6px; border: 2px solid #555; border-radius: 6px; background: white;
}}
#kioskApplication QPushButton {{ padding: 6px 14px; }}
#kioskApplication QPushButton[kiosk="key"] {{ font-size: {key}pt; padding: 2px; }}
#kioskApplication QPushButton[kiosk="candidate"] {{ font-size: {entry}pt; padding: 2px 8px; }}
#kioskApplication QPushButton[kiosk="primary"] {{
    font-weight: 700; background: #0b5cad; color: white; border-radius: 8px;
}}
#kioskApplication QPushButton[kiosk="primary"]:disabled {{ background: #7a9cc0; }}
#kioskApplication QPushButton[kiosk="choice"] {{ border: 2px solid #555; border-radius: 8px; background: white; }}
#kioskApplication QPushButton[kiosk="choice"]:checked {{ background: #dbeafe; border: 4px solid #0b5cad; }}
#kioskApplication QScrollBar:vertical {{ width: {scrollbar}px; }}
"""


def text_scale() -> float:
    """The text-size setting as a factor (1.0 at 100 %), read from the application font."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return 1.0
    return max(1.0, app.font().pointSizeF() / BASE_POINT_SIZE)


def style_sheet() -> str:
    s = text_scale()
    return _QSS.format(
        base=round(BASE_PT * s, 1),
        heading=round(20 * s, 1),
        question=round(24 * s, 1),
        entry=round(22 * s, 1),
        key=round(20 * s, 1),
        scrollbar=MIN_TOUCH_PX // 2,
    )


def apply_look(widget: QWidget) -> None:
    """Base font (it propagates to every child without a role of its own) and the style sheet."""
    app = QApplication.instance()
    font = QFont(app.font()) if isinstance(app, QApplication) else QFont()
    font.setPointSizeF(round(BASE_PT * text_scale(), 1))
    widget.setFont(font)
    widget.setStyleSheet(style_sheet())


def touch_px() -> int:
    """The smallest side of a touch target on the primary screen, in device-independent pixels."""
    screen = QGuiApplication.primaryScreen()
    dpi = screen.physicalDotsPerInch() if screen is not None else 96.0
    return max(MIN_TOUCH_PX, round(TOUCH_MM / 25.4 * dpi))


def set_kiosk_role(widget: QWidget, role: str) -> None:
    widget.setProperty("kiosk", role)


def sized(widget: QWidget, *, width: int | None = None) -> QWidget:
    """Give a control the touch-target minimum (and a minimum width when asked)."""
    px = touch_px()
    policy = widget.sizePolicy()
    if policy.verticalPolicy() == QSizePolicy.Policy.Fixed:
        # A row of fixed-height buttons is as tall as its shortest hint: one with a larger font or padding
        # would be cut. At least its hint, then, and the row as tall as its tallest.
        policy.setVerticalPolicy(QSizePolicy.Policy.Minimum)
        widget.setSizePolicy(policy)
    widget.setMinimumHeight(px)
    widget.setMinimumWidth(max(px, width or 0))
    return widget
