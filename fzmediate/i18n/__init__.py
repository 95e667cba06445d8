"""Gettext translations for every user-facing string of our own.

Use ``_("Text with {name}").format(name=value)``: never f-strings or ``%`` inside ``_()``, so that the
catalog keys stay stable and translators see the placeholders. Source strings are English; Simplified
Chinese (zh_CN) is the default locale; English and Traditional Chinese (zh_TW) are the others.
"""

from __future__ import annotations

import gettext as _gettext
import os
import threading

from babel.support import NullTranslations, Translations

from fzmediate.resources import resource

DOMAIN = "fzmediate"
DEFAULT_LOCALE = "zh_CN"
SUPPORTED_LOCALES: tuple[str, ...] = ("zh_CN", "en", "zh_TW")

_lock = threading.Lock()
_current: _gettext.NullTranslations = NullTranslations()
_current_locale = "en"


def normalize_locale(value: str | None) -> str:
    """Map user spellings (zh-CN, zh_Hans, en_US.UTF-8 …) onto a supported locale; default zh_CN."""
    if not value:
        return DEFAULT_LOCALE
    v = value.split(".")[0].replace("-", "_").lower()
    if v in ("zh_tw", "zh_hk", "zh_mo", "zh_hant", "zh_hant_tw"):
        return "zh_TW"
    if v.startswith("zh"):
        return "zh_CN"
    if v.startswith("en") or v in ("c", "posix"):
        return "en"
    return DEFAULT_LOCALE


def set_locale(locale: str | None = None) -> str:
    """Activate a locale for the whole process and return its normalized name.

    ``None`` takes ``FZMEDIATE_LANG`` from the environment, else zh_CN. A missing compiled catalog for a
    Chinese locale is an installation error and is raised, never silently replaced by English.
    """
    global _current, _current_locale
    name = normalize_locale(locale if locale is not None else os.environ.get("FZMEDIATE_LANG"))
    if name == "en":
        trans: _gettext.NullTranslations = NullTranslations()
    else:
        mo = resource("locale", name, "LC_MESSAGES", DOMAIN + ".mo")
        if not mo.is_file():
            raise RuntimeError(
                "compiled catalog missing: resources/locale/{0}/LC_MESSAGES/{1}.mo (run `make locale`)".format(
                    name, DOMAIN
                )
            )
        trans = Translations.load(str(resource("locale")), [name], DOMAIN)
    with _lock:
        _current, _current_locale = trans, name
    return name


def current_locale() -> str:
    return _current_locale


def _(message: str) -> str:
    """Translate ``message`` into the active locale."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translated later with ``_``)."""
    return message
