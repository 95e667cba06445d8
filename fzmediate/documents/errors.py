"""Errors raised while building, rendering, sealing or verifying a document."""

from __future__ import annotations

from fzmediate.errors import FzError, ValidationError
from fzmediate.i18n import _


class DocumentError(FzError):
    """A document could not be produced (bad template input, layout that cannot fit)."""


class MissingGlyphError(ValidationError):
    """No shipped font can draw a character: the document is refused rather than printed with a tofu box.

    `characters` lists each missing character once, in order of first appearance. The message names them as
    ``U+20BB7 𠮷`` (a single character is not personal data; the field name says where it was).
    """

    def __init__(self, characters: list[str], *, field: str | None = None) -> None:
        named = "、".join("U+{0:04X} {1}".format(ord(c), c) for c in characters)
        if field:
            message = _("Cannot print {field}: no font has a glyph for {characters}.").format(
                field=field, characters=named
            )
        else:
            message = _("Cannot print the document: no font has a glyph for {characters}.").format(characters=named)
        super().__init__(message, field=field)
        self.characters = tuple(characters)


class SealError(FzError):
    """A document could not be sealed (bad key or certificate, signing failed)."""
