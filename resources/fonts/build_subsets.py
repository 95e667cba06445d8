"""Build the document fonts in this folder from the Debian font packages (reproducible; run from the repo root).

    sudo apt-get install fonts-arphic-uming fonts-noto-cjk fonts-hanazono fonts-babelstone-han
    .venv/bin/python resources/fonts/build_subsets.py --fangsong PATH/ZhuqueFangsong-Regular.ttf   # ~1 minute

``ZhuqueFangsong-Regular.ttf`` (朱雀仿宋 0.211, SIL OFL 1.1) is not a Debian package: build it with fontmake from
https://github.com/TrionesType/zhuque (commit 227319a1, TrueType outlines) or take the copy the project keeps;
its SHA-256 is checked against `FANGSONG_SHA256`, so a different build is refused rather than shipped silently.

What it does, per face (see docs/documents.md for why these faces):

* **DocFangsong** (body, 仿宋): 朱雀仿宋, subset to everything it has of the printable repertoire (GB 18030-2022
  levels 1 and 2, the one- and two-byte symbols, the names supplement): all of GB 2312 and 11,230 hanzi. Its
  “”‘’ are mapped to the full-width forms of its ``fwid`` feature (the default ones are proportional Latin
  quotes, a third of an em wide), and each full-width mark gets a half-width form at a private-use code point
  (`fzmediate.documents.fonts.HALF_WIDTH`) for 标点挤压.
* **DocSong** (宋/明体: the body's first fallback, and the page numbers): AR PL UMing CN, face 0 of uming.ttc,
  subset to what DocFangsong lacks of the printable repertoire, plus ASCII and the 一字线 of the page numbers.
* **DocTitle** (titles and headings, a heavy Song standing in for 小标宋): Noto Serif CJK SC Bold, face 2 of
  NotoSerifCJK-Bold.ttc, subset to GB 2312 plus ASCII, its CFF outlines converted to TrueType quadratics
  (ReportLab embeds only glyf outlines). A character outside GB 2312 in a title falls back to the body chain.
* **DocHanaMinA**, **DocHanaMinB**, **DocBabelStone** (fallbacks): whatever the faces before them lack.

Each output is hinting-free, has no OpenType layout tables (ReportLab uses neither), is renamed (the OFL
forbids a modified Noto font to keep its reserved name; the others are renamed for clarity) and carries a
notice of the modification in its name table (Arphic Public License §2a). Timestamps are kept from the
source, so the same inputs give byte-identical files; `fonts-manifest.json` records sizes and hashes.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import json
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from fzmediate.documents import charsets, fonts  # noqa: E402

#: The date written into every modification notice; bump it when this script changes what it produces.
NOTICE_DATE = "2026-12-06"
#: SHA-256 of the 朱雀仿宋 0.211 build (TrionesType/zhuque commit 227319a1, fontmake, TrueType outlines).
FANGSONG_SHA256 = "c3b2b22bbfc06b5cce13ba2439554b9a860e6d16053443f4320d6fd94b5cb725"
#: Characters DocSong always keeps: the page numbers (``— 1 —``) are set in Song (GB/T 9704 §7.5).
SONG_ALWAYS = frozenset(range(0x20, 0x7F)) | {0x2014}
#: Proportional quotation marks of 朱雀仿宋 replaced by the full-width glyphs of its ``fwid`` feature.
FULL_WIDTH_QUOTES = {
    0x201C: "quotedblleft.uv002",
    0x201D: "quotedblright.uv002",
    0x2018: "quoteleft.uv002",
    0x2019: "quoteright.uv002",
}
DROP_TABLES = [
    "GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "vhea", "vmtx", "VORG", "DSIG", "morx", "kern",
    "EBDT", "EBLC", "EBSC", "bdat", "bloc", "BDF", "FFTM", "meta", "hdmx", "LTSH", "VDMX", "PCLT", "gasp",
]  # fmt: skip


@dataclass(frozen=True)
class Face:
    name: str  # ReportLab registration name and name-table family
    output: str
    source: str
    index: int
    package: str
    licence: str
    postscript: str


FACES = (
    Face("DocFangsong", "docfangsong-zhuque.ttf", "ZhuqueFangsong-Regular.ttf", 0,
         "TrionesType/zhuque 227319a1 (朱雀仿宋 0.211)", "SIL Open Font License 1.1 (LICENSE-ZhuqueFangsong.txt)",
         "DocFangsong-Regular"),
    Face("DocSong", "docsong-uming-cn.ttf", "/usr/share/fonts/truetype/arphic/uming.ttc", 0,
         "fonts-arphic-uming", "Arphic Public License (ARPHICPL.TXT)", "DocSong-UMingCN"),
    Face("DocTitle", "doctitle-serif-sc-bold.ttf", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2,
         "fonts-noto-cjk", "SIL Open Font License 1.1 (LICENSE-NotoSerifCJK.txt)", "DocTitle-SerifSCBold"),
    Face("DocHanaMinA", "docfallback-hanamina.ttf", "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf", 0,
         "fonts-hanazono", "Hanazono Font License (LICENSE-Hanazono.txt)", "DocFallback-HanaMinA"),
    Face("DocHanaMinB", "docfallback-hanaminb.ttf", "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf", 0,
         "fonts-hanazono", "Hanazono Font License (LICENSE-Hanazono.txt)", "DocFallback-HanaMinB"),
    Face("DocBabelStone", "docfallback-babelstonehan.ttf",
         "/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf", 0, "fonts-babelstone-han",
         "Arphic Public License + CC BY-SA (LICENSE-BabelStoneHan.txt)", "DocFallback-BabelStoneHan"),
)  # fmt: skip


def gb2312_repertoire() -> set[int]:
    found = set(range(0x20, 0x7F))
    for lead in range(0xA1, 0xFF):
        for byte in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes((lead, byte)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def subset_font(font: TTFont, wanted: Iterable[int]) -> set[int]:
    """Cut `font` down to the characters of `wanted` it has; return those characters."""
    cmap = font.getBestCmap()
    kept = {c for c in wanted if c in cmap}
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.drop_tables = [*options.drop_tables, *DROP_TABLES]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(kept))
    subsetter.subset(font)
    return kept


def cff_to_glyf(font: TTFont) -> None:
    """Replace CFF outlines by TrueType ones (cubic → quadratic within 1 font unit), as fontTools' otf2ttf."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in ("maxZones",):
        setattr(maxp, field, 1)
    for field in (
        "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
        "maxStackElements", "maxSizeOfInstructions", "maxComponentElements",
    ):  # fmt: skip
        setattr(maxp, field, 0)
    font["maxp"] = maxp
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\0\1\0\0"


def rename(font: TTFont, face: Face, note: str) -> None:
    """New family and PostScript names, the original copyright kept, a modification notice added."""
    table = font["name"]
    original = table.getDebugName(0) or ""
    family = face.name
    style = "Bold" if face.name == "DocTitle" else "Regular"
    table.names = [n for n in table.names if n.nameID in (0, 7, 8, 9, 11, 12, 13, 14)]
    notice = "{0} Modified {1} by fzmediate resources/fonts/build_subsets.py: {2}".format(original, NOTICE_DATE, note)
    values = {
        0: notice.strip(),
        1: family,
        2: style,
        3: "{0};{1}".format(face.postscript, NOTICE_DATE),
        4: "{0} {1}".format(family, style),
        5: "Version 1.0; subset of {0} face {1} ({2}{3})".format(
            Path(face.source).name, face.index, "" if "/" in face.package else "Debian ", face.package
        ),
        6: face.postscript,
        10: "Modified {0}: {1}".format(NOTICE_DATE, note),
    }
    for name_id, value in values.items():
        table.setName(value, name_id, 3, 1, 0x409)
    table.names.sort(key=lambda n: (n.platformID, n.platEncID, n.langID, n.nameID))
    font["OS/2"].fsType = 0  # installable embedding, as the licences allow


def add_half_width_forms(font: TTFont) -> set[int]:
    """A half-width form of each full-width mark whose ink fits in one half of its em, at the private-use code
    point `fonts.HALF_WIDTH` gives it: the same outline on a half-em advance (an opening mark's outline moved
    left by half an em). `textflow` draws these for 标点挤压; return the code points added."""
    cmap = font.getBestCmap()
    glyf, hmtx = font["glyf"], font["hmtx"]
    order = list(font.getGlyphOrder())
    added: set[int] = set()
    for mark, alias in fonts.HALF_WIDTH.items():
        name = cmap.get(ord(mark))
        if name is None:
            continue
        advance, _lsb = hmtx[name]
        glyph = copy.deepcopy(glyf[name])
        if glyph.numberOfContours == 0:
            continue
        glyph.recalcBounds(glyf)
        half = advance // 2
        opening = mark in fonts.OPENING_MARKS
        if (opening and glyph.xMin < half) or (not opening and glyph.xMax > advance - half):
            continue  # the ink reaches into the half that would be cut
        if opening and glyph.isComposite():
            for component in glyph.components:
                component.x -= half
        elif opening:
            glyph.coordinates.translate((-half, 0))
        glyph.recalcBounds(glyf)
        new = "{0}.half".format(name)
        order.append(new)
        glyf.glyphs[new] = glyph
        hmtx.metrics[new] = (half, glyph.xMin)
        for table in font["cmap"].tables:
            if table.isUnicode():
                table.cmap[ord(alias)] = new
        added.add(ord(alias))
    font.setGlyphOrder(order)
    glyf.glyphOrder = order
    return added


def full_width_quotes(font: TTFont) -> None:
    """Point the cmap's “”‘’ at the full-width glyphs (the ``fwid`` forms), as Chinese text sets them."""
    for table in font["cmap"].tables:
        if table.isUnicode():
            for code, glyph in FULL_WIDTH_QUOTES.items():
                if code in table.cmap:
                    table.cmap[code] = glyph


def build_face(
    face: Face, wanted: set[int], note: str, convert: bool = False, source: Path | None = None
) -> tuple[set[int], bytes]:
    font = TTFont(source or face.source, fontNumber=face.index, recalcTimestamp=False, lazy=False)
    if face.name == "DocFangsong":
        full_width_quotes(font)
        wanted = wanted | add_half_width_forms(font)
    kept = subset_font(font, wanted)
    if convert:
        cff_to_glyf(font)
    rename(font, face, note)
    out = io.BytesIO()
    font.save(out)
    return kept, out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fangsong", type=Path, required=True, help="ZhuqueFangsong-Regular.ttf (朱雀仿宋 0.211)")
    args = parser.parse_args(argv)
    fangsong_source: Path = args.fangsong
    digest = hashlib.sha256(fangsong_source.read_bytes()).hexdigest()
    if digest != FANGSONG_SHA256:
        print("{0}: SHA-256 {1}, expected {2}".format(fangsong_source.name, digest, FANGSONG_SHA256))
        return 2
    started = time.time()
    target = set(charsets.printable_repertoire())
    by_name = {f.name: f for f in FACES}
    manifest: dict[str, object] = {
        "notice_date": NOTICE_DATE,
        "repertoire": "fzmediate.documents.charsets.printable_repertoire()",
        "repertoire_size": len(target),
        "faces": [],
    }
    outputs: dict[str, tuple[Face, set[int], bytes]] = {}

    fangsong = by_name["DocFangsong"]
    kept_f, data_f = build_face(
        fangsong,
        target,
        "subset to GB 18030-2022 levels 1-2 and symbols; full-width quotation marks; hinting and layout removed",
        source=fangsong_source,
    )
    outputs[fangsong.name] = (fangsong, kept_f, data_f)
    song = by_name["DocSong"]
    kept_s, data_s = build_face(
        song,
        (target - kept_f) | SONG_ALWAYS,
        "subset to GB 18030-2022 levels 1-2 and symbols missing from DocFangsong; hinting and layout removed",
    )
    outputs[song.name] = (song, kept_s, data_s)
    kept = kept_f | kept_s
    title = by_name["DocTitle"]
    kept_t, data_t = build_face(
        title, gb2312_repertoire(), "subset to GB 2312 and ASCII; CFF outlines converted to TrueType", convert=True
    )
    outputs[title.name] = (title, kept_t, data_t)
    remaining = target - kept
    for name in ("DocHanaMinA", "DocHanaMinB", "DocBabelStone"):
        face = by_name[name]
        got, data = build_face(face, remaining, "subset to characters missing from the faces before it in the chain")
        outputs[name] = (face, got, data)
        remaining -= got

    for face, got, data in outputs.values():
        (HERE / face.output).write_bytes(data)
        manifest["faces"].append(  # type: ignore[attr-defined]
            {
                "name": face.name,
                "file": face.output,
                "source": face.source,
                "source_sha256": hashlib.sha256(
                    (fangsong_source if face.name == "DocFangsong" else Path(face.source)).read_bytes()
                ).hexdigest(),
                "face_index": face.index,
                "package": face.package,
                "licence": face.licence,
                "characters": len(got),
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
        print("{0:<14} {1:>6} chars {2:>6.2f} MB".format(face.name, len(got), len(data) / 1e6))
    missing_hanzi = sorted(c for c in remaining if charsets.is_hanzi(c))
    manifest["missing_hanzi"] = ["U+{0:04X}".format(c) for c in missing_hanzi]
    manifest["missing_other"] = ["U+{0:04X}".format(c) for c in sorted(remaining) if not charsets.is_hanzi(c)]
    (HERE / "fonts-manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")
    total = sum(len(d) for _, _, d in outputs.values())
    print("total {0:.2f} MB; hanzi missing: {1}; other characters missing: {2}; {3:.0f} s".format(
        total / 1e6, len(missing_hanzi), len(manifest["missing_other"]), time.time() - started  # type: ignore[arg-type]
    ))  # fmt: skip
    return 1 if missing_hanzi else 0


if __name__ == "__main__":
    raise SystemExit(main())
