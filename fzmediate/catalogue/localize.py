"""Catalogue text in the reader's script: Traditional Chinese on a zh_TW screen, as published otherwise.

The catalogue is published in Simplified Chinese. For zh_TW, the build step
``python -m fzmediate.catalogue.translate_build`` writes ``resources/catalogue/<bundle_id>.zh_TW.json``, a
reviewed map from each displayable string of the shipped bundle to its Traditional reading; here we only look
strings up in it (no OpenCC at run time).

Use ``localized`` where catalogue content is SHOWN (screens, the CLI's text output). Never use it for what
is printed or sealed: documents (PDFs) and the case file keep the district's Simplified wording whatever the
screen language, and JSON output carries the catalogue text exactly as published. A string the map does not
hold (e.g. from a bundle version newer than the app's map) is shown as published.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from collections.abc import Mapping
from enum import Enum
from typing import Any

from fzmediate.i18n import current_locale
from fzmediate.resources import resource

log = logging.getLogger(__name__)

TRADITIONAL_LOCALE = "zh_TW"
MAP_GLOB = "*.zh_TW.json"

_lock = threading.Lock()
_strings: Mapping[str, str] | None = None


def _load() -> Mapping[str, str]:
    """Every shipped zh_TW map merged (one per bundle id). A broken map is logged and skipped."""
    merged: dict[str, str] = {}
    for path in sorted(resource("catalogue").glob(MAP_GLOB)):
        try:
            strings = json.loads(path.read_text(encoding="utf-8"))["strings"]
            if not isinstance(strings, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in strings.items()
            ):
                raise ValueError("strings is not a text-to-text object")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # An installation problem: catalogue text then shows as published (Simplified), never guessed.
            log.error("the zh_TW catalogue map %s cannot be read (%s)", path.name, type(exc).__name__)
            continue
        merged.update(strings)
    return merged


def traditional_strings() -> Mapping[str, str]:
    """The merged Simplified → Traditional map of the shipped catalogue text (loaded once)."""
    global _strings
    if _strings is None:
        with _lock:
            if _strings is None:
                _strings = _load()
    return _strings


def localized(text: str, locale: str | None = None) -> str:
    """``text`` as a reader of ``locale`` (default: the active UI locale) should see it on screen."""
    if (locale if locale is not None else current_locale()) != TRADITIONAL_LOCALE:
        return text
    return traditional_strings().get(text, text)


def localize_tree(value: Any, locale: str | None = None) -> Any:
    """``value`` with every catalogue string in it shown for ``locale`` (default: the active UI locale).

    For what a screen is given to show (the desk's DTOs): frozen dataclasses, named and plain tuples, lists and
    dicts (values only) are rebuilt with each string passed through :func:`localized`; enum members (codes),
    bytes, numbers and dates are kept. Outside zh_TW the value itself comes back. Strings not in the map —
    codes, names, typed text — are unchanged, so only the district's published wording changes script.
    """
    if (locale if locale is not None else current_locale()) != TRADITIONAL_LOCALE:
        return value
    strings = traditional_strings()
    return _walk(value, strings) if strings else value


def _walk(value: Any, strings: Mapping[str, str]) -> Any:
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return strings.get(value, value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {f.name: _walk(getattr(value, f.name), strings) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changed)
    if isinstance(value, tuple):
        items = [_walk(v, strings) for v in value]
        make = getattr(type(value), "_make", None)
        return make(items) if make is not None else type(value)(items)
    if isinstance(value, list):
        return [_walk(v, strings) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, strings) for k, v in value.items()}
    if isinstance(value, frozenset):
        return frozenset(_walk(v, strings) for v in value)
    return value
