"""The shipped fonts: TrueType subsets with licences, small enough, and together complete for level 1 + 2."""

from __future__ import annotations

import hashlib
import json

from fontTools.ttLib import TTFont

from fzmediate.documents import charsets, fonts
from fzmediate.resources import resource

LICENCES = (
    "ARPHICPL.TXT",
    "ARPHICPL-zh_CN.txt",
    "LICENSE-UMing.txt",
    "LICENSE-NotoSerifCJK.txt",
    "LICENSE-Hanazono.txt",
    "LICENSE-BabelStoneHan.txt",
    "LICENSE-ZhuqueFangsong.txt",
)


def test_every_face_is_a_truetype_subset_matching_the_manifest() -> None:
    manifest = json.loads(resource("fonts", "fonts-manifest.json").read_text("utf-8"))
    by_file = {f["file"]: f for f in manifest["faces"]}
    total = 0
    for face in fonts.FACES:
        path = fonts.font_path(face)
        data = path.read_bytes()
        total += len(data)
        assert hashlib.sha256(data).hexdigest() == by_file[face.file]["sha256"], face.file
        font = TTFont(path, lazy=True)
        assert "glyf" in font and "CFF " not in font, "{0} must have TrueType outlines".format(face.file)
        assert font["OS/2"].fsType == 0
        assert "Modified" in (font["name"].getDebugName(10) or ""), "modification notice (Arphic PL §2a)"
    assert total < 30_000_000
    assert manifest["missing_hanzi"] == []


def test_licence_texts_ship_beside_the_fonts() -> None:
    for name in LICENCES:
        assert resource("fonts", name).is_file(), name


def test_body_chain_covers_every_level_1_and_2_hanzi() -> None:
    covered: set[int] = set()
    for name in fonts.BODY_CHAIN:
        covered |= fonts.coverage(name)
    assert not charsets.level2_hanzi() - covered
    assert not charsets.printable_repertoire() - covered


def test_title_face_has_gb2312_and_falls_back_to_the_body_chain() -> None:
    title = fonts.coverage(fonts.TITLE)
    assert all(ord(c) in title for c in "调解协议书申请指南权利义务告知书一二三、（）")
    assert fonts.TITLE_CHAIN[1:] == fonts.BODY_CHAIN


def test_registration_is_idempotent() -> None:
    first = fonts.register_fonts()
    assert fonts.register_fonts() is first
    from reportlab.pdfbase import pdfmetrics

    assert {f.name for f in fonts.FACES} <= set(pdfmetrics.getRegisteredFontNames())


def test_body_face_is_a_renamed_fangsong_with_the_ming_face_behind_it() -> None:
    assert fonts.BODY_CHAIN[:2] == (fonts.BODY, fonts.SONG)
    font = TTFont(fonts.font_path(fonts.face(fonts.BODY)), lazy=True)
    names = " ".join(font["name"].getDebugName(i) or "" for i in (1, 3, 4, 6))
    assert "DocFangsong" in names and "Zhuque" not in names and "朱雀" not in names
    assert "Open Font License" in (font["name"].getDebugName(13) or "")
    # Full-width quotation marks (the face's default ones are proportional).
    assert font["hmtx"][font.getBestCmap()[0x201C]][0] == font["head"].unitsPerEm
    # 6,763 GB 2312 hanzi in the 仿宋 face itself.
    gb2312 = set()
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                gb2312.add(ord(bytes((lead, trail)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    assert len(gb2312) == 6763 and gb2312 <= fonts.coverage(fonts.BODY)


def test_half_width_forms_are_never_taken_from_text() -> None:
    for name in fonts.BODY_CHAIN:
        assert not set(fonts.HALF_WIDTH_SOURCE) & fonts.coverage(name)
    assert "）" in fonts.half_width_marks(fonts.BODY) and "（" in fonts.half_width_marks(fonts.BODY)
