"""Pay the one-time costs of the first document ahead of time (call from a background thread at start-up).

A fresh process spends about 0.5 s before its first rendered agreement (ReportLab import, fonts, cn2an) and
a little more before its first issued one (asn1crypto, the sRGB profile). Verifying a document needs pyHanko,
whose import takes about 0.5 s more (issuing no longer does). A desk or kiosk that calls `warm_up` in a
background thread when it starts has paid all of it before anyone presses "print" or "verify".
"""

from __future__ import annotations

import importlib

_RENDERING = ("cn2an", "fzmediate.documents.render")
_SIGNING = (
    "fzmediate.documents.issue",
    "asn1crypto.cms",
    "asn1crypto.tsp",
    "fzmediate.documents.verify",
    "fzmediate.documents.pades",  # pyHanko, for verifying (and for signing an existing PDF)
    "pyhanko.sign.validation",
)


def warm_up(*, signing: bool = True) -> None:
    """Register the fonts and import the rendering (and, with `signing`, the sealing and verifying) libraries."""
    from fzmediate.documents.fonts import register_fonts

    register_fonts()
    for module in _RENDERING + (_SIGNING if signing else ()):
        importlib.import_module(module)
    if signing:
        from fzmediate.documents.pdfa import srgb_profile

        srgb_profile()
