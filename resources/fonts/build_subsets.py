"""Build the document fonts in this folder from the Debian font packages (reproducible; run from the repo root).

    sudo apt-get install fonts-arphic-uming fonts-noto-cjk fonts-hanazono fonts-babelstone-han
    .venv/bin/python resources/fonts/build_subsets.py          # about 1 minute

What it does, per face (see docs/documents.md for why these faces):

* **DocSong** (body, 宋/明体): AR PL UMing CN, face 0 of uming.ttc, subset to everything it has of the printable
  repertoire (GB 18030-2022 levels 1 and 2, the one- and two-byte symbols, the names supplement).
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

from fzmediate.documents import charsets  # noqa: E402

#: The date written into every modification notice; bump it when this script changes what it produces.
NOTICE_DATE = "2026-11-29"
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
        5: "Version 1.0; subset of {0} face {1} (Debian {2})".format(Path(face.source).name, face.index, face.package),
        6: face.postscript,
        10: "Modified {0}: {1}".format(NOTICE_DATE, note),
    }
    for name_id, value in values.items():
        table.setName(value, name_id, 3, 1, 0x409)
    table.names.sort(key=lambda n: (n.platformID, n.platEncID, n.langID, n.nameID))
    font["OS/2"].fsType = 0  # installable embedding, as the licences allow


def build_face(face: Face, wanted: set[int], note: str, convert: bool = False) -> tuple[set[int], bytes]:
    font = TTFont(face.source, fontNumber=face.index, recalcTimestamp=False, lazy=False)
    kept = subset_font(font, wanted)
    if convert:
        cff_to_glyf(font)
    rename(font, face, note)
    out = io.BytesIO()
    font.save(out)
    return kept, out.getvalue()


def main() -> int:
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

    body = by_name["DocSong"]
    kept, data = build_face(body, target, "subset to GB 18030-2022 levels 1-2 and symbols; hinting and layout removed")
    outputs[body.name] = (body, kept, data)
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
