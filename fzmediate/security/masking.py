"""The one masking module: how ID numbers, phones, names and addresses look where they are not needed in full.

Every screen list, log line, report and public printout goes through these functions; only the signed
agreement itself (人民调解法 Art. 29) and an audited "show" display full values. The patterns follow the
usual convention (ID first 6 + last 4, phone 139****5678) and 法释〔2016〕19号 Art. 8–9 for names (surname
kept, the rest replaced by 某). They are a convention, not a mandated format.

Masking is safe to repeat: a value these functions produced comes back unchanged, and a second pass never
shows anything the first one hid. Nothing here raises on odd input: a value that fits no rule is masked as
a whole.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable

import phonenumbers

__all__ = [
    "PiiRedactingFilter",
    "install_log_redaction",
    "mask_address",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "redact_text",
]

MASK = "*"
NAME_MASK = "某"
# A fixed-length tail so that a masked address does not tell how long the hidden part was.
ADDRESS_TAIL = "****"


def _compact(value: str) -> str:
    """Half-width, upper case, without spaces, dashes, brackets or invisible format characters."""
    text = unicodedata.normalize("NFKC", value)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return unicodedata.normalize("NFKC", re.sub(r"[\s\-‐‑‒–—―()\[\]]+", "", text).upper())


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _keep_ends(text: str, head: int, tail: int) -> str:
    """Keep ``head`` leading and ``tail`` trailing characters, mask the rest (same length)."""
    hidden = len(text) - head - tail
    if hidden <= 0:
        return MASK * len(text)
    return text[:head] + MASK * hidden + text[len(text) - tail :]


# --------------------------------------------------------------------------------------------- ID numbers

# 居民身份证 and the documents built on GB 11643 (港澳台居民居住证, 2023 外国人永久居留身份证): 17 digits
# and a check character. A masked star stands in for a digit so that a masked number keeps its shape.
_GB11643_SHAPE = re.compile(r"[0-9*]{17}[0-9X*]")
# First-generation 15-digit 居民身份证: 6 region + YYMMDD + 3 sequence digits.
_OLD_ID_SHAPE = re.compile(r"[0-9*]{15}")


def mask_id_number(value: str) -> str:
    """Mask any identity-document number for display.

    An 18-character GB 11643 number keeps its first 6 and last 4 (``110105********002X``), which hides the
    whole birth date. A 15-digit first-generation number keeps 3 + 3, again hiding the birth date. Every other
    number (passports, permits, 统一社会信用代码 with letters) shows at most 40 % of its characters: a short
    prefix and up to the last 4. Four characters or fewer are masked completely.
    """
    text = _compact(value)
    if _GB11643_SHAPE.fullmatch(text):
        return _keep_ends(text, 6, 4)
    if _OLD_ID_SHAPE.fullmatch(text):
        return _keep_ends(text, 3, 3)
    return _mask_generic(text)


def _mask_generic(text: str) -> str:
    size = len(text)
    if size <= 4:
        return MASK * size
    budget = size * 2 // 5  # at most 40 % visible
    tail = min(4, budget - 1)
    head = min(2, budget - tail)
    return _keep_ends(text, head, tail)


# ------------------------------------------------------------------------------------------------ phones

_CN_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# The shapes mask_phone itself produces, so that masking twice gives the same text.
_MASKED_PHONE = re.compile(
    r"1[3-9][0-9]\*{4}[0-9]{4}"  # mobile
    r"|0[0-9]{2,3}-[0-9]{3,4}\*{4}(?:-\*+)?"  # fixed line with area code (and masked extension)
    r"|\+[0-9]{1,3} [0-9]{0,3}\*+[0-9]{0,4}(?:-\*+)?"  # international
)


def mask_phone(value: str) -> str:
    """Mask a phone number for display.

    A mainland mobile shows its first 3 and last 4 digits (``139****5678``), whether or not it was written
    with +86. A mainland fixed line keeps its area code and the first digits of the local number, hiding the
    last 4 (``010-1234****``). Other countries keep their country code and at most the last 4 digits
    (``+852 ****4567``). Extensions are masked completely. Anything unparsable is masked as a whole.
    """
    text = value.strip()
    if not text:
        return ""
    if MASK in text:
        # Already masked (phonenumbers would silently drop the stars and read the rest as a number).
        return text if _MASKED_PHONE.fullmatch(text) else _mask_generic(_compact(text))
    try:
        number = phonenumbers.parse(_extension_words_to_ext(text), "CN")
    except phonenumbers.NumberParseException:
        return _mask_generic(_compact(text))
    national = str(phonenumbers.national_significant_number(number))
    extension = "-" + MASK * len(number.extension) if number.extension else ""
    if number.country_code != 86:
        return f"+{number.country_code} {_mask_foreign_national(national)}{extension}"
    if _CN_MOBILE.fullmatch(national):
        return _keep_ends(national, 3, 4) + extension
    area = int(phonenumbers.length_of_geographical_area_code(number))
    local = national[area:]
    if area and 7 <= len(local) <= 8:
        return "0" + national[:area] + "-" + local[:-4] + MASK * 4 + extension
    # No recognisable shape (service numbers, typing errors): mask digits and extension as one run.
    return _mask_generic(national + (number.extension or ""))


def _extension_words_to_ext(text: str) -> str:
    # Written Chinese extensions (转 123, 分机 123) become the "ext" form phonenumbers understands.
    return re.sub(r"\s*(?:转|轉|分机|分機)\s*", " ext ", text)


def _mask_foreign_national(national: str) -> str:
    size = len(national)
    tail = 4 if size >= 8 else 2 if size >= 5 else 0
    head = max(0, min(3, size - tail - 4))  # at least 4 digits always hidden
    return _keep_ends(national, head, tail)


# ------------------------------------------------------------------------------------------------- names

# 复姓: kept whole. Simplified and traditional spellings; only used when the name has 3 or more characters,
# since a 2-character name such as 司马 is far more likely surname 司 + given name 马.
_COMPOUND_SURNAMES = frozenset(
    _words(
        """
        欧阳 太史 端木 上官 司马 东方 独孤 南宫 万俟 闻人 夏侯 诸葛 尉迟 公羊 赫连 澹台 皇甫 宗政 濮阳
        公冶 太叔 申屠 公孙 慕容 仲孙 钟离 长孙 宇文 司徒 鲜于 司空 闾丘 子车 亓官 司寇 巫马 公西 颛孙
        壤驷 公良 漆雕 乐正 宰父 谷梁 拓跋 夹谷 轩辕 令狐 段干 百里 呼延 东郭 南门 羊舌 微生 公户 公玉
        公仪 梁丘 公仲 公上 公门 公山 公坚 左丘 公伯 西门 公祖 第五 公乘 贯丘 公皙 南荣 东里 东宫 仲长
        子书 子桑 即墨 达奚 褚师 单于 纳兰 歐陽 司馬 東方 獨孤 南宮 聞人 諸葛 尉遲 赫連 澹臺 公孫
        鍾離 鐘離 長孫 鮮于 閭丘 顓孫 壤駟 樂正 穀梁 夾谷 軒轅 東郭 東里 東宮 仲長 達奚 納蘭
        """
    )
)

# Endings that mark an organisation whatever the length of the name.
_ORG_SUFFIXES = tuple(
    _words(
        """
        公司 委员会 委員會 村委会 居委会 管委会 中心 合作社 信用社 联合社 办事处 辦事處 事务所 事務所
        工作室 工作站 服务站 服务部 经营部 门市部 营业部 分行 支行 银行 銀行 商行 车行 琴行 集团 集團
        协会 協會 学会 商会 基金会 联合会 促进会 研究会 理事会 工会 医院 醫院 卫生院 卫生室 诊所 药房
        药店 学校 學校 中学 小学 大学 学院 幼儿园 政府 派出所 司法所 法院 检察院 法庭 商店 超市 饭店 酒店
        宾馆 餐厅 餐馆 农场 林场 养殖场 工厂 企业 个体工商户 物业 社区 街道办 村民小组 党支部 工程队
        施工队 车队 有限合伙 普通合伙
        """
    )
)
# Single-character endings (局, 店, 厂 …) count only from 3 characters on: a 2-character string is a person.
# 行, 会 and 园 are left out on purpose, they end too many given names (德行, 家会, 小园).
_ORG_SHORT_SUFFIXES = tuple("局店厂院所社站馆部队处场厅署校")
_LATIN_ORG_WORDS = frozenset(
    _words(
        """
        ltd limited inc incorporated llc llp corp corporation company co gmbh plc association committee
        bureau center centre office bank group foundation university college school hospital
        """
    )
)
_TRAILING_BRACKETS = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")
# Separators inside transliterated personal names (阿依古丽·买买提); such a string is never an organisation.
_NAME_DOTS = frozenset("·•‧・")


def mask_name(value: str) -> str:
    """Mask a person's name for lists and public printouts (法释〔2016〕19号 隐名).

    Chinese names keep the surname (a 复姓 such as 欧阳 whole) and replace the given name with 某, at
    most two of them: 张三 → 张某, 张三丰 → 张某某, 欧阳修 → 欧阳某. A character outside the BMP (王𠮷)
    is one character. A single character becomes 某. Names in other scripts keep their first letter:
    ``J***``. Organisation names (ending in 公司, 委员会, 中心, 局, 店, 厂 …, or Ltd, Inc …) are public
    and returned unchanged.
    """
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        return ""
    if _is_organisation(text):
        return text
    clusters = [c for c in _graphemes(text) if not c.isspace()]
    if not _is_han(clusters[0]):
        first = clusters[0]
        return first + "***" if first[0].isalpha() else "***"
    if len(clusters) == 1:
        return NAME_MASK
    surname = 2 if len(clusters) >= 3 and "".join(clusters[:2]) in _COMPOUND_SURNAMES else 1
    given = [c for c in clusters[surname:] if c not in _NAME_DOTS]
    return "".join(clusters[:surname]) + NAME_MASK * max(1, min(2, len(given)))


def _is_organisation(text: str) -> bool:
    core = _TRAILING_BRACKETS.sub("", text)  # 某某律师事务所（特殊普通合伙）
    if _NAME_DOTS & set(core):
        return False  # 阿依古丽·买买提: a transliterated personal name
    if core.endswith(_ORG_SUFFIXES):
        return True
    if len(core) >= 3 and core.endswith(_ORG_SHORT_SUFFIXES):
        return True
    words = re.findall(r"[A-Za-z]+", core)
    return len(words) >= 2 and words[-1].lower() in _LATIN_ORG_WORDS


def _is_han(cluster: str) -> bool:
    code = ord(cluster[0])
    return (
        0x4E00 <= code <= 0x9FFF  # CJK Unified Ideographs
        or 0x3400 <= code <= 0x4DBF  # Extension A (䶮)
        or 0x20000 <= code <= 0x323AF  # Extensions B–H (𠮷, 𡒄)
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x2F800 <= code <= 0x2FA1F
        or code == 0x3007  # 〇
    )


def _graphemes(text: str) -> list[str]:
    """Split into user-perceived characters: a base character with its combining marks and selectors."""
    clusters: list[str] = []
    join_next = False
    for ch in text:
        code = ord(ch)
        attaches = (
            unicodedata.combining(ch) != 0
            or unicodedata.category(ch) in ("Mn", "Mc", "Me")
            or 0xFE00 <= code <= 0xFE0F
            or 0xE0100 <= code <= 0xE01EF
            or ch == "\u200d"
        )
        if clusters and (attaches or join_next):
            clusters[-1] += ch
        else:
            clusters.append(ch)
        join_next = ch == "\u200d"
    return clusters


# ----------------------------------------------------------------------------------------------- addresses

# (marker, administrative levels it can stand for, shortest place name before it). Longer markers first
# so that 自治区 wins over 区. Levels: 1 province, 2 prefecture, 3 county, 4 township (街道/镇/乡), the
# last one kept.
_ADMIN_MARKERS: tuple[tuple[str, tuple[int, ...], int], ...] = (
    ("特别行政区", (1,), 2),
    ("特別行政區", (1,), 2),
    ("自治区", (1,), 2),
    ("自治州", (2,), 2),
    ("自治县", (3,), 2),
    ("自治旗", (3,), 2),
    ("民族乡", (4,), 1),
    ("地区", (2,), 2),
    ("林区", (3,), 2),
    ("街道", (4,), 1),
    ("苏木", (4,), 1),
    ("省", (1,), 2),
    ("盟", (2,), 2),
    ("市", (2, 3), 2),
    ("区", (3,), 1),
    ("县", (3,), 1),
    ("旗", (3,), 1),
    ("镇", (4,), 1),
    ("乡", (4,), 1),
)
_TOWNSHIP = 4
_MAX_PLACE_NAME = 12
# Characters that never belong to the name of an administrative unit: below that level starts.
_NOT_IN_PLACE_NAME = frozenset("路巷弄号號楼樓栋棟幢室村")
# Place names whose last character shows the marker is not administrative: 小区, 社区, 超市, 城乡 …
_FALSE_ENDINGS = {
    "区": frozenset("小社校景园厂矿营宅业场"),
    "市": frozenset("超菜门夜集股闹早黑花鸟城"),
    "乡": frozenset("城水家故他异"),
}


def mask_address(value: str) -> str:
    """Mask an address down to the township level: ``浙江省杭州市余杭区仓前街道****``.

    Administrative units are kept from the top, in order (省/自治区, 市/州/盟, 区/县/旗, 街道/镇/乡);
    the first thing that is not one ends the visible part, and everything from there is replaced by a
    fixed ``****``.
    An address without a recognisable administrative prefix (a village alone, a foreign address) is masked
    completely. When unsure the function masks more, never less.
    """
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        return ""
    kept = _admin_prefix_length(text)
    if kept == len(text):
        return text
    return text[:kept] + ADDRESS_TAIL


def _admin_prefix_length(text: str) -> int:
    pos, level = 0, 0
    while level < _TOWNSHIP:
        found = _next_admin_unit(text, pos, level)
        if found is None:
            break
        pos, level = found
    return pos


def _next_admin_unit(text: str, pos: int, level: int) -> tuple[int, int] | None:
    """End and level of the administrative unit starting at ``pos``, below ``level``; None if there is none.

    The place name grows one character at a time until a marker follows it. A marker that is there but does
    not fit (wrong level, 小区, 超市) ends the search rather than being stepped over, so that text past it is
    never taken for a place name; only a too-short name (沙 + 市 in 沙市区) lets the name grow further.
    """
    for name_len in range(1, _MAX_PLACE_NAME + 1):
        name = text[pos : pos + name_len]
        if len(name) < name_len or not all(_is_han(ch) for ch in name) or _NOT_IN_PLACE_NAME & set(name):
            return None
        rest = text[pos + name_len :]
        marker = next((m for m in _ADMIN_MARKERS if rest.startswith(m[0])), None)
        if marker is None:
            continue
        word, levels, min_name = marker
        if name_len < min_name:
            continue
        deeper = [lvl for lvl in levels if lvl > level]
        if not deeper or name[-1] in _FALSE_ENDINGS.get(word, ()):
            return None
        return pos + name_len + len(word), deeper[0]
    return None


# ---------------------------------------------------------------------------------------------------- logs

_DIGIT = "[0-9０-９]"
_PII_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # 18-character ID (also written 6-8-4 with spaces or dashes), then 统一社会信用代码, then 15-digit IDs.
    (
        re.compile(rf"(?<![0-9０-９]){_DIGIT}{{6}}[ -]?{_DIGIT}{{8}}[ -]?{_DIGIT}{{3}}[0-9０-９XxＸｘ](?![0-9０-９])"),
        "id",
    ),
    (re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}(?![0-9A-Z])"), "id"),
    (re.compile(rf"(?<![0-9０-９]){_DIGIT}{{15}}(?![0-9０-９])"), "id"),
    # Mainland mobiles, with or without +86 / 0086, also grouped 3-4-4.
    (
        re.compile(
            rf"(?<![0-9０-９])(?:(?:\+|00)?86[ -]?)?[1１][3-9３-９]{_DIGIT}[ -]?{_DIGIT}{{4}}[ -]?{_DIGIT}{{4}}"
            r"(?![0-9０-９])"
        ),
        "phone",
    ),
)


def redact_text(text: str) -> str:
    """Mask everything in free text shaped like an ID number, a 统一社会信用代码 or a mainland mobile.

    Shape only, no checksum: a false positive costs a starred log line, a miss would leak a person.
    Names and addresses cannot be recognised in free text; code must never log them in the first place.
    """
    for pattern, kind in _PII_PATTERNS:
        text = pattern.sub(_mask_id_match if kind == "id" else _mask_phone_match, text)
    return text


def _mask_id_match(match: re.Match[str]) -> str:
    return mask_id_number(match.group(0))


def _mask_phone_match(match: re.Match[str]) -> str:
    digits = _compact(match.group(0))
    return mask_phone(digits[-11:])


class PiiRedactingFilter(logging.Filter):
    """Masks ID numbers, 统一社会信用代码 and mobiles in a log record before any handler writes it.

    The message is formatted once with its arguments and replaced by the redacted text (the arguments are
    dropped, so no handler can format the raw values again). Exception and stack texts are redacted too. The
    filter never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            # Bad format arguments: keep what there is, redacted, rather than let the handler print raw args.
            message = f"{record.msg} {record.args!r}"
        redacted = redact_text(message)
        if redacted != message or record.args:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> PiiRedactingFilter:
    """Attach one PiiRedactingFilter to ``logger`` (default: the root logger) and to each of its handlers.

    Call it after the handlers are configured: a record logged on a child logger reaches the root handlers
    without passing the root logger's own filters, so the handlers need the filter themselves. For the root
    logger, Python's last-resort stderr handler is covered as well. Calling it twice adds nothing.
    """
    target = logger if logger is not None else logging.getLogger()
    existing = _find_filter(target.filters)
    redactor = existing if existing is not None else PiiRedactingFilter()
    filterers: list[logging.Filterer] = [target, *target.handlers]
    if target is logging.getLogger() and logging.lastResort is not None:
        filterers.append(logging.lastResort)
    for filterer in filterers:
        if _find_filter(filterer.filters) is None:
            filterer.addFilter(redactor)
    return redactor


def _find_filter(filters: Iterable[object]) -> PiiRedactingFilter | None:
    return next((f for f in filters if isinstance(f, PiiRedactingFilter)), None)
