"""Application look: Fusion, and a few roles (title, hint, error, notice) that screens set as properties.

Colour is never the only cue: errors also carry a warning icon and their own line next to the field.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget

_QSS = """
QLabel[fzrole="title"] { font-size: 20pt; font-weight: 600; }
QLabel[fzrole="subtitle"] { color: palette(placeholder-text); }
QLabel[fzrole="hint"] { color: palette(placeholder-text); font-size: 9.5pt; }
QLabel[fzrole="error"] { color: #a4000f; }
QLabel[fzrole="notice"] {
    background: #eef4fb; border: 1px solid #b7cde6; border-radius: 4px; padding: 6px 8px;
}
QLabel[fzrole="code"] {
    background: #fffdf2; border: 2px dashed #9a8a3c; border-radius: 6px; padding: 14px 18px;
}
QLabel[fzrole="placeholder"] { color: palette(placeholder-text); font-size: 14pt; }
QFrame[fzrole="card"] { background: palette(base); border: 1px solid palette(mid); border-radius: 8px; }
"""


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setStyleSheet(_QSS)


def set_role(widget: QWidget, role: str) -> None:
    """Tag a widget with a style role (see the style sheet above)."""
    widget.setProperty("fzrole", role)
