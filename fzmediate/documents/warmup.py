"""Pay the one-time costs of the first document ahead of time (call from a background thread at start-up).

A fresh process spends about 0.6 s before its first rendered agreement (ReportLab import, fonts, cn2an) and
another 0.5 s importing pyHanko before its first signature. A desk or kiosk that calls `warm_up` in a
background thread when it starts has paid both before anyone presses "print".
"""

from __future__ import annotations

import importlib

_RENDERING = ("cn2an", "fzmediate.documents.render")
_SIGNING = ("fzmediate.documents.issue", "fzmediate.documents.pades", "fzmediate.documents.verify")


def warm_up(*, signing: bool = True) -> None:
    """Register the fonts and import the rendering (and, with `signing`, the sealing) libraries."""
    from fzmediate.documents.fonts import register_fonts

    register_fonts()
    for module in _RENDERING + (_SIGNING if signing else ()):
        importlib.import_module(module)
