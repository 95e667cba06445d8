"""How values are written in a Chinese legal document: dates, money, and user text made safe for markup.

* Dates (GB/T 9704 §7.3.5.4): Arabic numerals, full year, no leading zeros: ``2026年11月29日``. Judicial and
  some adjudication documents customarily write the year with 〇: ``二〇二六年十一月二十九日``.
* Money: figures and capitals, ``人民币12,000.00元（大写：人民币壹万贰仟元整）``. Amounts are `Decimal` only;
  a float is refused, so no binary rounding ever reaches a legal document. Capitals come from cn2an.
* User text that goes into ReportLab `Paragraph` markup is escaped first (``<b>`` stays literal) and then split
  into ``<font face=…>`` runs for the fallback chain. (`TextBlock`, used for the body, takes plain text and
  needs neither.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from fzmediate.documents.coverage import runs
from fzmediate.documents.fonts import BODY_CHAIN
from fzmediate.errors import ValidationError
from fzmediate.i18n import _

_HANZI_DIGITS = "〇一二三四五六七八九"
_CENT = Decimal("0.01")


def chinese_date(value: dt.date) -> str:
    """``2026年11月29日`` (no leading zeros)."""
    return "{0}年{1}月{2}日".format(value.year, value.month, value.day)


def chinese_date_hanzi(value: dt.date) -> str:
    """``二〇二六年十一月二十九日``: the year digit by digit with 〇, month and day as numbers in words."""
    year = "".join(_HANZI_DIGITS[int(d)] for d in str(value.year))
    return "{0}年{1}月{2}日".format(year, _small_number(value.month), _small_number(value.day))


def _small_number(n: int) -> str:
    """1–31 in words: 十, 十一, 二十, 二十九, 三十一."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _HANZI_DIGITS[tens] + "十")
    return head + (_HANZI_DIGITS[ones] if ones else "") if n >= 10 else _HANZI_DIGITS[n]


def _checked_amount(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal) or isinstance(amount, bool):
        raise TypeError("money must be a Decimal, not {0}".format(type(amount).__name__))
    if not amount.is_finite() or amount < 0:
        raise ValidationError(_("An amount of money must be zero or more."))
    if amount != amount.quantize(_CENT):
        raise ValidationError(_("An amount of money has at most two decimal places (fen)."))
    if amount >= Decimal("1e16"):
        raise ValidationError(_("The amount of money is too large."))
    return amount.quantize(_CENT)


def money_figures(amount: Decimal) -> str:
    """``12,000.00``: thousands separators, always two decimals."""
    return "{0:,.2f}".format(_checked_amount(amount))


def money_capitals(amount: Decimal) -> str:
    """``人民币壹万贰仟元整``: the amount in financial capitals (大写), as cn2an writes them."""
    value = _checked_amount(amount)
    from cn2an import an2cn  # imported on first use: the package takes 0.3 s to import

    return "人民币" + str(an2cn(format(value, "f"), "rmb"))


def money_text(amount: Decimal) -> str:
    """``人民币12,000.00元（大写：人民币壹万贰仟元整）``: figures and capitals together."""
    return "人民币{0}元（大写：{1}）".format(money_figures(amount), money_capitals(amount))


def escape_markup(text: str) -> str:
    """User text made literal for ReportLab `Paragraph` markup: ``<``, ``>``, ``&`` and quotes escaped."""
    return escape(text, {'"': "&quot;", "'": "&#39;"})


def font_markup(text: str, chain: Sequence[str] = BODY_CHAIN) -> str:
    """`Paragraph` markup for user text: escaped, and split into ``<font face="…">`` runs along `chain`.

    Refuses (`MissingGlyphError`) a character that no face of the chain can draw. Line breaks become
    ``<br/>``, the only markup the app itself adds.
    """
    parts = []
    for name, run in runs(text, chain):
        lines = [escape_markup(line) for line in run.split("\n")]
        parts.append('<font face="{0}">{1}</font>'.format(name, "<br/>".join(lines)))
    return "".join(parts)
