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
