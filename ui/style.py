"""Application look: Fusion, and a few roles (title, hint, error, notice) that screens set as properties.

Colour is never the only cue: errors also carry a warning icon and their own line next to the field. Sizes
in the style sheet follow the text size setting (``scale``: 1.0 … 2.0), so the whole UI grows together;
``high_contrast`` swaps in a black-on-white palette with strong borders and focus rings.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

_QSS = """
QLabel[fzrole="title"] {{ font-size: {title}pt; font-weight: 600; }}
QLabel[fzrole="subtitle"] {{ color: palette(placeholder-text); }}
QLabel[fzrole="hint"] {{ color: palette(placeholder-text); font-size: {hint}pt; }}
QLabel[fzrole="error"] {{ color: {error}; }}
QLabel[fzrole="notice"] {{
    background: {notice_bg}; border: 1px solid {notice_border}; border-radius: 4px; padding: 6px 8px;
}}
QLabel[fzrole="code"] {{
    background: #fffdf2; border: 2px dashed #9a8a3c; border-radius: 6px; padding: 14px 18px;
}}
QLabel[fzrole="placeholder"] {{ color: palette(placeholder-text); font-size: {placeholder}pt; }}
QLabel[fzrole="overdue"] {{ color: {error}; font-weight: 600; }}
QCheckBox::indicator, QRadioButton::indicator, QTreeView::indicator, QListView::indicator {{
    width: {indicator}px; height: {indicator}px;
}}
QFrame[fzrole="card"] {{ background: palette(base); border: 1px solid palette(mid); border-radius: 8px; }}
"""

_HIGH_CONTRAST_QSS = """
*:focus {{ outline: 3px solid #0000c8; }}
QLineEdit, QTextEdit, QPlainTextEdit, QComboBox, QSpinBox, QDateEdit {{ border: 2px solid #000000; }}
QPushButton {{ border: 2px solid #000000; padding: 4px 10px; }}
"""

#: The base point size of the application font at 100 % text size.
BASE_POINT_SIZE = 11.0
MIN_TEXT_SCALE, MAX_TEXT_SCALE = 100, 200


def style_sheet(scale: float = 1.0, high_contrast: bool = False) -> str:
    """The application style sheet at ``scale`` (1.0 = 100 % text size)."""
    sheet = _QSS.format(
        title=round(20 * scale, 1),
        hint=round(9.5 * scale, 1),
        placeholder=round(14 * scale, 1),
        indicator=round(14 * scale),
        error="#8b0000" if high_contrast else "#a4000f",
        notice_bg="#ffffff" if high_contrast else "#eef4fb",
        notice_border="#000000" if high_contrast else "#b7cde6",
    )
    return sheet + (_HIGH_CONTRAST_QSS.format() if high_contrast else "")


def high_contrast_palette() -> QPalette:
    """Black text on white, a dark blue selection: contrast well above WCAG AA's 4.5:1."""
    palette = QPalette()
    black, white, blue = QColor("#000000"), QColor("#ffffff"), QColor("#00007a")
    for role, colour in (
        (QPalette.ColorRole.Window, white),
        (QPalette.ColorRole.WindowText, black),
        (QPalette.ColorRole.Base, white),
        (QPalette.ColorRole.AlternateBase, QColor("#f0f0f0")),
        (QPalette.ColorRole.Text, black),
        (QPalette.ColorRole.Button, white),
        (QPalette.ColorRole.ButtonText, black),
        (QPalette.ColorRole.Highlight, blue),
        (QPalette.ColorRole.HighlightedText, white),
        (QPalette.ColorRole.ToolTipBase, white),
        (QPalette.ColorRole.ToolTipText, black),
        (QPalette.ColorRole.PlaceholderText, QColor("#333333")),
        (QPalette.ColorRole.Mid, black),
    ):
        palette.setColor(role, colour)
    return palette


def apply_style(app: QApplication, scale: float = 1.0, high_contrast: bool = False) -> None:
    app.setStyle("Fusion")
    app.setPalette(high_contrast_palette() if high_contrast else app.style().standardPalette())
    app.setStyleSheet(style_sheet(scale, high_contrast))


def set_role(widget: QWidget, role: str) -> None:
    """Tag a widget with a style role (see the style sheet above)."""
    widget.setProperty("fzrole", role)
