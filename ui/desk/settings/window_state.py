"""The main window's size and place, kept in ``Settings.window_geometry`` as base64 text (no personal data).

For the shell: ``geometry_text(window)`` when the window closes or is rebuilt, ``restore_geometry(window, text)``
when a new one is shown. A damaged or foreign value is ignored (the window keeps its default size).
"""

from __future__ import annotations

import binascii

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QWidget


def geometry_text(window: QWidget) -> str:
    """``window.saveGeometry()`` as base64 text for ``settings.json``."""
    return bytes(window.saveGeometry().toBase64().data()).decode("ascii")


def restore_geometry(window: QWidget, text: str | None) -> bool:
    """Put ``window`` where ``text`` says; False (and nothing changed) for an empty or unusable value."""
    if not text:
        return False
    try:
        raw = binascii.a2b_base64(text.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError):
        return False
    return bool(window.restoreGeometry(QByteArray(raw)))
