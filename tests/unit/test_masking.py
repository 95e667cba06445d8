"""Masking: the exact display of every kind of value, what is never revealed, and log redaction."""

from __future__ import annotations

import io
import logging
import string
from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fzmediate.security.masking import (
    PiiRedactingFilter,
    install_log_redaction,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    redact_text,
)
from tests.synthetic import make_foreign_permanent_id, make_resident_id, make_uscc

PERSON = make_resident_id(region="110105", birth=date(1980, 1, 1), seq=123)  # 110105198001011238
WOMAN_X = next(make_resident_id(seq=s) for s in range(0, 1000, 2) if make_resident_id(seq=s).endswith("X"))
ORG = make_uscc(org="MA01ABCD0")

resident_ids = st.builds(
    make_resident_id,
    region=st.sampled_from(["110105", "310115", "440305", "650102", "810000"]),
    birth=st.dates(date(1900, 1, 1), date(2025, 12, 31)),
    seq=st.integers(0, 999),
)
mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


# -------------------------------------------------------------------------------------------- ID numbers


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (PERSON, "110105********1238"),
        (WOMAN_X, WOMAN_X[:6] + "********" + WOMAN_X[-4:]),
        (WOMAN_X.lower(), WOMAN_X[:6] + "********" + WOMAN_X[-4:]),
        ("110105 19800101 1238", "110105********1238"),
        ("１１０１０５１９８００１０１１２３８", "110105********1238"),
        (make_resident_id(region="810000"), "810000********" + make_resident_id(region="810000")[-4:]),
        (make_foreign_permanent_id(), make_foreign_permanent_id()[:6] + "********" + make_foreign_permanent_id()[-4:]),
        ("110105800101123", "110*********123"),  # 15-digit: birth date hidden too
        ("E12345678", "E******78"),  # passport
        ("H1234567801", "H*******801"),  # 港澳通行证, older 11-character form
        ("H12345678", "H******78"),
        ("12345678", "1*****78"),  # 台胞证
        ("USA123456789012", "US*********9012"),  # older 永居证
        (ORG, ORG[:2] + "*" * 12 + ORG[-4:]),
        ("A1234", "A***4"),
        ("AB12", "****"),
        ("1", "*"),
        ("", ""),
    ],
)
def test_id_number_display(value: str, masked: str) -> None:
    assert mask_id_number(value) == masked


@given(resident_ids)
def test_resident_id_mask_never_shows_the_birth_date(number: str) -> None:
    masked = mask_id_number(number)
    assert masked == number[:6] + "********" + number[-4:]
    assert number[6:14] not in masked
    assert number[6:10] not in masked  # not even the year


@given(st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=40))
def test_id_mask_only_hides_and_shows_at_most_40_percent(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    assert all(m in ("*", v) for m, v in zip(masked, value, strict=True))
    visible = sum(ch != "*" for ch in masked)
    gb11643_shape = len(value) == 18 and value[:17].isdigit() and (value[17].isdigit() or value[17] == "X")
    assert visible == 10 if gb11643_shape else visible <= len(value) * 0.4


@given(st.text(max_size=40))
def test_id_masking_twice_changes_nothing(value: str) -> None:
    once = mask_id_number(value)
    assert mask_id_number(once) == once


@given(st.one_of(resident_ids, st.text(alphabet=string.ascii_uppercase + string.digits, max_size=40)))
def test_id_masking_twice_changes_nothing_for_real_shapes(value: str) -> None:
    once = mask_id_number(value)
    assert mask_id_number(once) == once


# ------------------------------------------------------------------------------------------------ phones


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13912345678", "139****5678"),
        ("+8613912345678", "139****5678"),  # the stored E.164 form
        ("+86 139-1234-5678", "139****5678"),
        ("008613912345678", "139****5678"),
        ("１３９１２３４５６７８", "139****5678"),
        ("010-12345678", "010-1234****"),
        ("+861012345678", "010-1234****"),
        ("0755 1234 5678", "0755-1234****"),
        ("0851-1234567", "0851-123****"),
        ("010-12345678转123", "010-1234****-***"),
        ("+861012345678;ext=123", "010-1234****-***"),
        ("+852 9123 4567", "+852 ****4567"),
        ("+1 202 555 0123", "+1 20****0123"),
        ("+44 7911 123456", "+44 79****3456"),
        ("4008001234", "4******234"),
        ("no number", "N*****ER"),
        ("123", "***"),
        ("", ""),
    ],
)
def test_phone_display(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


@given(mobiles)
def test_mobile_mask_hides_the_middle_four(number: str) -> None:
    masked = mask_phone(number)
    assert masked == number[:3] + "****" + number[7:]
    assert mask_phone("+86" + number) == masked


@given(st.one_of(mobiles, st.from_regex(r"0[1-9][0-9]{1,2}-[2-8][0-9]{6,7}", fullmatch=True), st.text(max_size=30)))
def test_phone_masking_twice_changes_nothing(value: str) -> None:
    once = mask_phone(value)
    assert mask_phone(once) == once


def test_phone_with_a_typed_star_is_not_returned_as_is() -> None:
    # Only the exact shapes mask_phone produces pass through untouched.
    assert mask_phone("1391234567*") == "1*******67*"


# ------------------------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("张三", "张某"),
        ("张三丰", "张某某"),
        ("李小龙龙", "李某某"),  # at most two 某, so the length of the given name is not shown
        (" 王 五 ", "王某"),
        ("张", "某"),
        ("王𠮷", "王某"),  # U+20BB7, outside the BMP: one character
        ("𡒄明", "𡒄某"),  # surname outside the BMP
        ("张䶮", "张某"),  # CJK extension A
        ("王𠮷明", "王某某"),
        ("葛\U000e0100明", "葛\U000e0100某"),  # ideographic variation sequence stays with its character
        ("欧阳修", "欧阳某"),
        ("欧阳娜娜", "欧阳某某"),
        ("司马相如", "司马某某"),
        ("上官婉儿", "上官某某"),
        ("诸葛亮", "诸葛某"),
        ("东方朔", "东方某"),
        ("皇甫谧", "皇甫某"),
        ("尉迟恭", "尉迟某"),
        ("公孙胜", "公孙某"),
        ("慕容复", "慕容某"),
        ("长孙无忌", "长孙某某"),
        ("宇文泰", "宇文某"),
        ("司徒雷", "司徒某"),
        ("夏侯惇", "夏侯某"),
        ("轩辕明", "轩辕某"),
        ("令狐冲", "令狐某"),
        ("钟离春", "钟离某"),
        ("端木赐", "端木某"),
        ("歐陽修", "歐陽某"),
        ("司马", "司某"),  # two characters: surname 司, given name 马
        ("阿依古丽·买买提", "阿某某"),
        ("John Smith", "J***"),
        ("émile zola", "é***"),
        ("Иван Петров", "И***"),
        ("张某某", "张某某"),
        ("欧阳某", "欧阳某"),
        ("J***", "J***"),
        ("", ""),
    ],
)
def test_person_name_display(value: str, masked: str) -> None:
    assert mask_name(value) == masked


@pytest.mark.parametrize(
    "organisation",
    [
        "北京某某科技有限公司",
        "某某村民委员会",
        "某某社区居民委员会",
        "某某区司法局",
        "公安局",
        "某某便利店",
        "某某食品厂",
        "某某市人民调解中心",
        "某某农民专业合作社",
        "某某律师事务所（特殊普通合伙）",
        "某某街道办事处",
        "Acme Trading Co., Ltd.",
        "Example Holdings Limited",
    ],
)
def test_organisation_names_are_not_masked(organisation: str) -> None:
    assert mask_name(organisation) == organisation


@pytest.mark.parametrize("person", ["王局", "李店", "张德行", "李家会", "王小园"])
def test_short_names_with_organisation_like_endings_are_people(person: str) -> None:
    assert mask_name(person).endswith("某")


han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF) | st.characters(
    min_codepoint=0x20000, max_codepoint=0x2A6DF
)


@given(st.lists(han, min_size=2, max_size=4).map("".join))
def test_a_han_name_shows_only_its_surname(name: str) -> None:
    masked = mask_name(name)
    if masked == name and len(name) >= 3:
        return  # read as an organisation (ends in 局, 店 …): not a person's name
    # The surname (one character, or two for a 复姓), then one or two 某.
    assert any(masked == name[:kept] + "某" * hidden for kept in (1, 2) for hidden in (1, 2))
    assert masked[0] == name[0] and masked[-1] == "某"


@given(st.text(max_size=20))
def test_name_masking_twice_changes_nothing(value: str) -> None:
    once = mask_name(value)
    assert mask_name(once) == once


# ----------------------------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("浙江省杭州市余杭区仓前街道文一西路1号", "浙江省杭州市余杭区仓前街道****"),
        ("北京市朝阳区望京花园小区3号楼2单元", "北京市朝阳区****"),
        ("北京市望京花园小区东区3号", "北京市****"),  # 小区 is not a district, nor is what follows it
        ("北京市某某超市旁", "北京市****"),
        ("上海市浦东新区张江镇某路88弄", "上海市浦东新区张江镇****"),
        ("湖北省荆州市沙市区某某街道某巷", "湖北省荆州市沙市区某某街道****"),
        ("江苏省苏州市昆山市玉山镇某村", "江苏省苏州市昆山市玉山镇****"),
        ("内蒙古自治区锡林郭勒盟正蓝旗上都镇某嘎查", "内蒙古自治区锡林郭勒盟正蓝旗上都镇****"),
        ("新疆维吾尔自治区巴音郭楞蒙古自治州库尔勒市某路", "新疆维吾尔自治区巴音郭楞蒙古自治州库尔勒市****"),
        ("西藏自治区阿里地区噶尔县某乡某村", "西藏自治区阿里地区噶尔县某乡****"),
        ("山东省济南市市中区某路", "山东省济南市市中区****"),
        ("安徽省马鞍山市和县某镇某村", "安徽省马鞍山市和县某镇****"),
        ("香港特别行政区某某道1号", "香港特别行政区****"),
        ("广西壮族自治区南宁市青秀区", "广西壮族自治区南宁市青秀区"),
        ("某某村3组", "****"),
        ("12 Example Road, Springfield", "****"),
        ("浙江省杭州市余杭区仓前街道****", "浙江省杭州市余杭区仓前街道****"),
        ("", ""),
    ],
)
def test_address_display(value: str, masked: str) -> None:
    assert mask_address(value) == masked


@given(st.text(max_size=40))
def test_address_masking_twice_changes_nothing(value: str) -> None:
    once = mask_address(value)
    assert mask_address(once) == once


@given(st.text(alphabet="省市区县镇乡街道村路号小超某一二三123 ", max_size=30))
def test_address_mask_keeps_a_prefix_and_hides_the_rest(value: str) -> None:
    masked = mask_address(value)
    text = value.strip()
    if masked in ("", text):
        return
    assert masked.endswith("****")
    assert text.startswith(masked[:-4])


# ---------------------------------------------------------------------------------------------------- logs


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("身份证" + PERSON + "已核验", "身份证110105********1238已核验"),
        ("id=" + WOMAN_X.lower() + ".", "id=" + WOMAN_X[:6] + "********" + WOMAN_X[-4:] + "."),
        ("ID 110105 19800101 1238 ok", "ID 110105********1238 ok"),
        ("old 110105800101123 card", "old 110*********123 card"),
        ("org " + ORG, "org " + ORG[:2] + "*" * 12 + ORG[-4:]),
        ("tel 13912345678;", "tel 139****5678;"),
        ("tel +86 139 1234 5678", "tel 139****5678"),
        ("电话：139-1234-5678。", "电话：139****5678。"),
        ("ＩＤ１３９１２３４５６７８", "ＩＤ139****5678"),
        ("case 2024-0012, 3 parties, took 1234567 µs", "case 2024-0012, 3 parties, took 1234567 µs"),
        ("12345678901234567890 is a 20-digit number", "12345678901234567890 is a 20-digit number"),
    ],
)
def test_redact_text(text: str, redacted: str) -> None:
    assert redact_text(text) == redacted


@given(resident_ids, mobiles, st.text(alphabet="，。 abc:=", min_size=1, max_size=5))
def test_redacted_text_keeps_no_id_or_mobile(number: str, mobile: str, glue: str) -> None:
    out = redact_text(glue + number + glue + mobile + glue)
    assert number not in out and number[6:14] not in out
    assert mobile not in out and mobile[3:7] + mobile[7:] not in out


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A private logger with a handler writing into a buffer, and the redaction filter installed on it."""
    buffer = io.StringIO()
    logger = logging.getLogger("fzmediate.test_masking")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    install_log_redaction(logger)
    yield logger, buffer
    logger.removeHandler(handler)
    for f in list(logger.filters):
        logger.removeFilter(f)


def test_log_arguments_are_redacted(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, buffer = captured
    logger.info("party %s phone %s org %s", PERSON, "13912345678", ORG)
    logger.warning("mapping %(id)s", {"id": PERSON})
    out = buffer.getvalue()
    assert PERSON not in out and "13912345678" not in out and ORG not in out
    assert "party 110105********1238 phone 139****5678" in out
    assert "mapping 110105********1238" in out


def test_log_exception_text_is_redacted(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, buffer = captured
    try:
        raise ValueError("bad value " + PERSON)
    except ValueError:
        logger.exception("lookup failed for %s", "13912345678")
    out = buffer.getvalue()
    assert PERSON not in out and "13912345678" not in out
    assert "ValueError: bad value 110105********1238" in out


def test_log_stack_info_is_redacted(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, buffer = captured
    # The stack text quotes this source line, number included.
    logger.info("where", stack_info=True, extra={"phone": "13912345678"})
    out = buffer.getvalue()
    assert "Stack (most recent call last)" in out
    assert "13912345678" not in out and "139****5678" in out


def test_log_with_bad_arguments_is_still_redacted(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, buffer = captured
    logger.info("two %s %s but one", PERSON)
    out = buffer.getvalue()
    assert PERSON not in out
    assert "110105********1238" in out


def test_child_loggers_are_redacted_by_the_root_handlers() -> None:
    root = logging.getLogger()
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    try:
        redactor = install_log_redaction()
        assert install_log_redaction() is redactor  # installing twice adds nothing
        assert sum(isinstance(f, PiiRedactingFilter) for f in handler.filters) == 1
        logging.getLogger("fzmediate.somewhere.deep").info("applicant %s", PERSON)
        assert PERSON not in buffer.getvalue()
        assert "110105********1238" in buffer.getvalue()
    finally:
        root.setLevel(old_level)
        root.removeHandler(handler)
        for filterer in (root, logging.lastResort):
            if filterer is not None:
                for f in [f for f in filterer.filters if isinstance(f, PiiRedactingFilter)]:
                    filterer.removeFilter(f)


def test_the_filter_never_drops_a_record_nor_changes_clean_text() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "opened case %s", ("2024-17",), None)
    assert PiiRedactingFilter().filter(record) is True
    assert record.getMessage() == "opened case 2024-17"
