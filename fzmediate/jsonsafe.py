"""Reading JSON that people and other programs hand us: bounded, and every refusal names the field by path.

Every JSON document the command line reads (intake files, the data of an act) goes through
:func:`load_json`. It refuses, with one message naming the field (``parties[0].name: …``):

- a document larger than the caller's limit, or not UTF-8 text (a byte-order mark is allowed);
- nesting deeper than :data:`MAX_DEPTH` levels of arrays and objects. The depth is measured on the text
  *before* parsing, so a deep document never reaches the parser's recursion (``RecursionError``);
- a whole number of more than :data:`MAX_INT_DIGITS` digits (Python itself refuses more than 4,300 digits
  with a ``ValueError``, and converting long digit strings costs quadratic time before that), a number that
  is not finite (``1e999``) and the constants ``NaN`` and ``Infinity``;
- a lone surrogate (a ``\\ud800`` escape without its pair) anywhere, in a value or in a key: such text
  cannot be written as UTF-8 and would break every later read of the record;
- control characters: never in keys; in values only line feed, carriage return and tab (free text). Which
  fields are single-line is the schema's business (the intake refuses a line break in a name);
- a key given twice in one object (the second value would silently win).

Nothing is stored by this module; a refused document leaves no trace.

Keys typed by someone are never echoed raw in messages (:func:`key_text`): non-printable characters are
shown as ``\\uXXXX`` escapes, the key is cut to :data:`MAX_KEY_SHOWN` characters, and a key that may be
personal data is not shown at all. The rule, deliberately wide (a false positive costs a vaguer message,
a miss shows a person's data in a terminal or a log):

- a run of 7 or more digits, ignoring spaces, dashes, dots, slashes and brackets between them and counting
  fullwidth digits: ID numbers, phone numbers, bank cards;
- any CJK ideograph, kana or hangul: every field name of our formats is ASCII, so such a key is a value
  typed in the wrong place, and may be a person's name;
- the shape of an e-mail address (``text@text``).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, Final

from fzmediate.errors import ValidationError
from fzmediate.i18n import _

#: Levels of arrays and objects; our formats need 4, a generous margin stays far below any recursion limit.
MAX_DEPTH: Final = 32
#: Digits of a whole number: more than any count, index or amount in 分 can need.
MAX_INT_DIGITS: Final = 30
#: Characters of a key shown in a message (after escaping).
MAX_KEY_SHOWN: Final = 40
#: Problems listed in one refusal: the first is the message, the others are counted.
MAX_PROBLEMS: Final = 50
#: Control characters free text may hold.
FREE_TEXT_CONTROLS: Final = frozenset("\n\r\t")

ROOT: Final = "(root)"
#: Stands in a field path for a key that is not shown.
HIDDEN_KEY: Final = "<?>"

# A JSON string (escapes included), to blank out strings before counting brackets.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}
_DIGIT_RUN = re.compile(r"[0-9](?:[\s\-./()\[\]]*[0-9]){6,}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
# CJK ideographs (unified, extensions A–H, compatibility), kana, hangul, bopomofo.
_CJK = re.compile(
    "[\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\U00020000-\U000323af]"
)
_NOT_PRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


@dataclass(frozen=True)
class Problem:
    """One broken rule: the field's path (``parties[1].id_number``) and a localized message naming it."""

    field: str
    message: str


class JsonInputError(ValidationError):
    """The document was refused; ``problems`` lists every broken rule found, the message names the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        first = problems[0]
        message = first.message
        if len(problems) > 1:
            message += " " + _("({count} more problems)").format(count=len(problems) - 1)
        super().__init__(message, field=first.field)
        self.problems = tuple(problems)


# --- showing what was typed ----------------------------------------------------------------------
def may_be_personal(text: str) -> bool:
    """True when ``text`` could be personal data by the rule in the module docstring."""
    compact = unicodedata.normalize("NFKC", text)
    return bool(_DIGIT_RUN.search(compact) or _CJK.search(compact) or _EMAIL.search(compact))


def escape_text(text: str, limit: int = MAX_KEY_SHOWN) -> str:
    """``text`` with non-printable characters as ``\\uXXXX`` escapes, cut to ``limit`` characters ("…")."""
    out: list[str] = []
    size = 0
    for ch in text:
        piece = ch
        if unicodedata.category(ch) in _NOT_PRINTABLE:
            code = ord(ch)
            piece = "\\u{0:04x}".format(code) if code <= 0xFFFF else "\\U{0:08x}".format(code)
        if size + len(piece) > limit:
            out.append("…")
            break
        out.append(piece)
        size += len(piece)
    return "".join(out)


def key_text(key: object) -> str | None:
    """How a key from the input may appear in a message: escaped and cut, or None when it is not shown."""
    text = str(key)
    if may_be_personal(text):
        return None
    return escape_text(text)


def path_text(parts: Sequence[str | int]) -> str:
    """``("parties", 0, "name")`` → ``parties[0].name``; a key that is not shown becomes ``<?>``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += "[{0}]".format(part)
        else:
            shown = key_text(part)
            text += ("." if text else "") + (shown if shown is not None else HIDDEN_KEY)
    return text or ROOT


def unknown_field_problem(parent: Sequence[str | int], key: object, rule: str) -> Problem:
    """The problem "this key is not allowed here", naming the key only when it may be shown."""
    shown = key_text(key)
    if shown is not None:
        path = path_text([*parent, str(key)])
        return Problem(path, _("{field}: {rule}").format(field=path, rule=rule))
    where = path_text(parent)
    return Problem(
        where,
        _("{field}: an unknown field (its name is not shown: it may be personal data)").format(field=where),
    )


# --- reading -------------------------------------------------------------------------------------
class _BadNumber:
    """Stands in for a number the parser met that we refuse; reported with its path after parsing."""

    def __init__(self, rule: str) -> None:
        self.rule = rule


class _Object(dict[str, Any]):
    """A parsed object (a dict) that remembers keys given more than once."""

    duplicates: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    duplicates: list[str] = []
    for key, value in pairs:
        if key in obj:
            duplicates.append(key)
        obj[key] = value
    obj.duplicates = tuple(duplicates)
    return obj


def _parse_int(text: str) -> int | _BadNumber:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        return _BadNumber(_("a whole number of more than {max} digits is not accepted").format(max=MAX_INT_DIGITS))
    return int(text)


def _parse_float(text: str) -> float | _BadNumber:
    value = float(text)
    if not math.isfinite(value):
        return _BadNumber(_("not a finite number"))
    return value


def _parse_constant(name: str) -> _BadNumber:
    return _BadNumber(_("{name} is not a number JSON allows").format(name=name))


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON ``text``, brackets inside strings not counted."""
    brackets = _NOT_BRACKETS.sub("", _JSON_STRING.sub('""', text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def load_json(data: str | bytes, *, what: str, max_bytes: int) -> Any:
    """Decode ``data`` by the rules in the module docstring; raise :class:`JsonInputError` naming the field.

    ``what`` names the document in messages ("Intake data"). Objects come back as dicts.
    """
    size = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
    if size > max_bytes:
        raise _root(_("{what}: the document is larger than {size}.").format(what=what, size=_size_text(max_bytes)))
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _root(_("{what}: the document is not UTF-8 text.").format(what=what)) from None
    else:
        text = data.removeprefix("\ufeff")
    if nesting_depth(text) > MAX_DEPTH:
        raise _root(_("{what}: nested more than {max} levels deep.").format(what=what, max=MAX_DEPTH))
    try:
        parsed = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except json.JSONDecodeError as exc:
        raise _root(
            _("{what}: not valid JSON (line {line}, column {column}).").format(
                what=what, line=exc.lineno, column=exc.colno
            )
        ) from None
    except (RecursionError, ValueError):  # belt and braces: the checks above keep the parser from both
        raise _root(_("{what}: the document cannot be read as JSON.").format(what=what)) from None
    problems: list[Problem] = []
    _check(parsed, (), problems)
    if problems:
        raise JsonInputError(problems)
    return parsed


def _root(message: str) -> JsonInputError:
    return JsonInputError([Problem(ROOT, message)])


def _size_text(limit: int) -> str:
    if limit >= 1 << 20 and limit % (1 << 20) == 0:
        return "{0} MB".format(limit >> 20)
    return "{0} KB".format(max(1, limit >> 10))


def _fail(problems: list[Problem], parts: Sequence[str | int], rule: str) -> None:
    if len(problems) < MAX_PROBLEMS:
        path = path_text(parts)
        problems.append(Problem(path, _("{field}: {rule}").format(field=path, rule=rule)))


def character_problem(text: str, allowed: frozenset[str] = FREE_TEXT_CONTROLS) -> str | None:
    """Why ``text`` cannot be stored: a lone surrogate, or a control character not in ``allowed``; or None."""
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cs":
            return _("contains an invalid character (a lone surrogate)")
        if category == "Cc" and ch not in allowed:
            return _("control characters are not allowed")
    return None


_PLAIN = frozenset({int, float, bool, type(None)})


def _check(value: Any, parts: tuple[str | int, ...], problems: list[Problem]) -> None:
    """Report every refused number, text and duplicate key in ``value`` by its path."""
    kind = value.__class__
    if kind is str:
        rule = character_problem(value)
        if rule is not None:
            _fail(problems, parts, rule)
    elif kind is list:
        for i, item in enumerate(value):
            if item.__class__ not in _PLAIN and item != []:  # most items need no look: skip the call
                _check(item, (*parts, i), problems)
    elif kind is _Object:
        for key in value.duplicates:
            shown = key_text(key)
            if shown is None:
                _fail(problems, parts, _("a field appears twice in one object (its name is not shown)"))
            else:
                _fail(problems, parts, _("the field {key} appears twice in one object").format(key=shown))
        for key, item in value.items():
            rule = character_problem(key, frozenset())
            if rule is not None:
                _fail(problems, (*parts, key), _("the field name: {rule}").format(rule=rule))
            if item.__class__ not in _PLAIN:
                _check(item, (*parts, key), problems)
    elif kind is _BadNumber:
        _fail(problems, parts, value.rule)
