"""Localized wording for pydantic validation errors (catalogue bundles, procedure definitions).

pydantic's own messages are English and name its internals; these name the rule in the user's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fzmediate.i18n import _
from fzmediate.jsonsafe import path_text


def describe_problem(error: Mapping[str, Any]) -> str:
    """The broken rule of one pydantic error dict (``ValidationError.errors()[i]``), localized."""
    kind = error.get("type")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("required field is missing")
    if kind == "extra_forbidden":
        return _("unknown field")
    if kind == "literal_error":
        return _("must be one of {expected}").format(expected=ctx.get("expected", ""))
    if kind == "greater_than":
        return _("must be greater than {limit}").format(limit=ctx.get("gt", ""))
    if kind == "greater_than_equal":
        return _("must be at least {limit}").format(limit=ctx.get("ge", ""))
    if kind == "less_than_equal":
        return _("must be at most {limit}").format(limit=ctx.get("le", ""))
    if kind == "too_short":
        return _("must not be empty")
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return str(error.get("msg", ""))


def field_path(parts: tuple[Any, ...]) -> str:
    """``("matters", 3, "time_limits", 0, "unit")`` → ``matters[3].time_limits[0].unit``.

    Keys come from the document, so they are shown as :func:`fzmediate.jsonsafe.key_text` allows: escaped,
    cut, and ``<?>`` for a key that may be personal data.
    """
    return path_text([p if isinstance(p, int) else str(p) for p in parts]) if parts else ""
