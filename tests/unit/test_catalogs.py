"""The gettext catalogs: complete, consistent with the code, and fed only with extractable strings.

zh_CN is the default UI language and zh_TW the other Chinese one: a string without a translation would
show up in English on a kiosk. The template must match what `make extract` would produce from the code
today, and every `_()` call must carry a literal string, or the extractor (and the translators) never
see it.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "resources" / "locale"
TEMPLATE = LOCALE_DIR / "fzmediate.pot"
TRANSLATED_LOCALES = ("zh_CN", "zh_TW")
#: What `make extract` scans, with the same options (keep in step with the Makefile).
SOURCES = ("fzmediate", "ui", "main.py")
PYBABEL = (sys.executable, "-m", "babel.messages.frontend", "-q")
EXTRACT_OPTIONS = ("-F", "resources/locale/babel.cfg", "-k", "_", "-k", "N_", "--no-location", "--sort-output")

FIX_HINT = "run `make extract`, then translate the new strings in the zh_CN and zh_TW catalogs"

MessageKey = str | tuple[str, ...]


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _key(message: Message) -> MessageKey:
    return tuple(message.id) if isinstance(message.id, (list, tuple)) else message.id


def _entries(catalog: Catalog) -> dict[MessageKey, Message]:
    return {_key(m): m for m in catalog if m.id}


def _strings(message: Message) -> tuple[str, ...]:
    s = message.string
    return tuple(s) if isinstance(s, (list, tuple)) else (s or "",)


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _placeholders(text: str) -> Counter[str]:
    """The `{...}` replacement fields of a str.format template (`{{` and `}}` are literal braces)."""
    return Counter(_PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


@pytest.fixture(scope="module")
def template() -> dict[MessageKey, Message]:
    return _entries(_read(TEMPLATE))


@pytest.fixture(scope="module", params=TRANSLATED_LOCALES)
def translated(request: pytest.FixtureRequest) -> tuple[str, dict[MessageKey, Message]]:
    locale: str = request.param
    return locale, _entries(_read(LOCALE_DIR / locale / "LC_MESSAGES" / "fzmediate.po", locale))


# --- 1. complete -------------------------------------------------------------------------------------------
def test_chinese_catalogs_translate_every_template_string(
    template: dict[MessageKey, Message], translated: tuple[str, dict[MessageKey, Message]]
) -> None:
    locale, entries = translated
    problems = []
    for key in template:
        entry = entries.get(key)
        if entry is None:
            problems.append("not in the catalog: {0!r}".format(key))
        elif entry.fuzzy:
            problems.append("fuzzy (check it, then remove the flag): {0!r}".format(key))
        elif not all(s.strip() for s in _strings(entry)):
            problems.append("no translation: {0!r}".format(key))
    assert not problems, "{0}: {1} problem(s) — {2}:\n  {3}".format(
        locale, len(problems), FIX_HINT, "\n  ".join(problems)
    )


# --- 2. placeholders ---------------------------------------------------------------------------------------
def test_translations_keep_the_placeholders(translated: tuple[str, dict[MessageKey, Message]]) -> None:
    locale, entries = translated
    problems = []
    for key, entry in entries.items():
        sources = key if isinstance(key, tuple) else (key,)
        wanted = [_placeholders(s) for s in sources]  # a plural form may follow the singular or the plural
        for form, text in enumerate(_strings(entry)):
            if text and _placeholders(text) not in wanted:
                problems.append(
                    "{0!r} → msgstr[{1}] {2!r}: has {3}, expected {4}".format(
                        sources[0], form, text, sorted(_placeholders(text).elements()), sorted(wanted[0].elements())
                    )
                )
    assert not problems, "{0}: placeholders differ from the source string:\n  {1}".format(locale, "\n  ".join(problems))


# --- 3. template up to date ---------------------------------------------------------------------------------
def test_template_is_up_to_date_with_the_code(template: dict[MessageKey, Message], tmp_path: Path) -> None:
    fresh = tmp_path / "fzmediate.pot"
    run = subprocess.run(
        [*PYBABEL, "extract", *EXTRACT_OPTIONS, "-o", str(fresh), *SOURCES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, "pybabel extract failed:\n" + run.stderr
    extracted = set(_entries(_read(fresh)))
    committed = set(template)
    new = sorted(extracted - committed, key=str)
    gone = sorted(committed - extracted, key=str)
    assert not new and not gone, (
        "resources/locale/fzmediate.pot is out of date with the code; {0}.\n"
        "  in the code, not in the template ({1}):\n    {2}\n"
        "  in the template, no longer in the code ({3}):\n    {4}"
    ).format(FIX_HINT, len(new), _listing(new), len(gone), _listing(gone))


def _listing(keys: list[MessageKey]) -> str:
    return "\n    ".join(map(repr, keys)) if keys else "(none)"


# --- 4. only literal strings inside _() ----------------------------------------------------------------------
def _python_files() -> Iterator[Path]:
    for name in SOURCES:
        path = ROOT / name
        if path.is_file():
            yield path
        else:
            yield from sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)


def _is_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _describe(node: ast.expr) -> str:
    if isinstance(node, ast.JoinedStr):
        return "an f-string"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return "%-formatting"
    if isinstance(node, ast.BinOp):
        return "an expression built with {0}".format(type(node.op).__name__)
    if isinstance(node, ast.Call):
        return "a call (format the translated text, not the source: _('…{x}').format(x=…))"
    if isinstance(node, ast.Constant):
        return "a {0} constant".format(type(node.value).__name__)
    return "a {0} expression".format(type(node).__name__)


#: Deferred translation: ``_(variable)`` where the variable holds a string marked with ``N_("…")`` (see
#: fzmediate.i18n). The marked literal is what the extractor sees, so a plain name, attribute or subscript
#: is accepted here; every N_() call is checked below to hold a literal.
_DEFERRED = (ast.Name, ast.Attribute, ast.Subscript)


def _gettext_problems(call: ast.Call) -> str | None:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else None
    if name in ("_", "N_"):
        if len(call.args) != 1 or call.keywords:
            return "{0}() must have exactly one argument".format(name)
        arg = call.args[0]
        if _is_literal(arg) or (name == "_" and isinstance(arg, _DEFERRED)):
            return None
        return "{0}() gets {1}; it needs a literal string".format(name, _describe(arg))
    if name == "ngettext":
        for arg in call.args[:2]:
            if not _is_literal(arg):
                return "ngettext() gets {0}; singular and plural must be literal strings".format(_describe(arg))
    return None


def test_gettext_calls_take_literal_strings() -> None:
    problems = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                problem = _gettext_problems(node)
                if problem is not None:
                    problems.append("{0}:{1}: {2}".format(path.relative_to(ROOT).as_posix(), node.lineno, problem))
    assert not problems, "translatable strings must be literals, so that `make extract` sees them:\n  " + (
        "\n  ".join(problems)
    )


def test_the_scan_catches_what_it_should() -> None:
    """The checker itself: f-strings, % and .format inside _() are refused, literals and N_ variables pass."""

    def verdict(source: str) -> str | None:
        call = ast.parse(source, mode="eval").body
        assert isinstance(call, ast.Call)
        return _gettext_problems(call)

    assert verdict("_('Plain text {name}')") is None
    assert verdict("_(_LABELS[role])") is None
    assert verdict("N_('marked')") is None
    assert verdict("ngettext('{n} day', '{n} days', n)") is None
    for bad in (
        "_(f'Hello {name}')",
        "_('Hello %s' % name)",
        "_('Hello {0}'.format(name))",
        "_('Hello ' + name)",
        "_(42)",
        "_()",
        "N_(rule)",
        "ngettext(f'{n} day', '{n} days', n)",
    ):
        assert verdict(bad) is not None, bad
