"""Is every text fully shown? One check for every screen, at 100 % and 175 % text size.

``clipped_texts(root)`` walks the visible widgets under ``root`` and names each label, button, check box
or radio button whose text needs more room than it has: a word-wrapped label shorter than its
``heightForWidth``, any other text narrower or lower than its size hint. ``text_size(app, percent)``
re-prepares the application at that text size (as the settings screen does) and restores 100 % after.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from fzmediate.i18n import current_locale
from ui.app import prepare_application

#: Pixels of slack: rounding in font metrics.
SLACK = 1


def _name(w: QWidget) -> str:
    text = w.text() if isinstance(w, (QLabel, QAbstractButton)) else ""
    return "{0} {1!r} ({2}×{3})".format(type(w).__name__, text[:40], w.width(), w.height())


def clipped_texts(root: QWidget) -> list[str]:
    """The visible texts under ``root`` (itself included) that are cut off; empty when all fit."""
    found: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisible() or not isinstance(w, (QLabel, QAbstractButton)) or not w.text():
            continue
        if w.width() <= 0 or w.height() <= 0:
            continue
        if isinstance(w, QLabel) and (w.pixmap() is not None and not w.pixmap().isNull()):
            continue
        if isinstance(w, QLabel) and w.wordWrap():
            if w.heightForWidth(w.width()) > w.height() + SLACK:
                found.append(_name(w))
            continue
        hint = w.sizeHint() if not isinstance(w, QLabel) else w.minimumSizeHint()
        if hint.width() > w.width() + SLACK or hint.height() > w.height() + SLACK:
            found.append(_name(w))
    return found


@contextmanager
def text_size(app: QApplication, percent: int) -> Iterator[None]:
    """The application at ``percent`` text size for the block (widgets built inside it use it)."""
    prepare_application(app, current_locale(), text_scale=percent)
    try:
        yield
    finally:
        prepare_application(app, current_locale(), text_scale=100)
