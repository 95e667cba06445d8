"""The UI's fonts: a CJK sans face as the application font, with the documents' faces behind it.

The face comes from the first of: Noto Sans CJK from resources/fonts where it is there (a checkout and the
wheel: `make run`), the platform's CJK UI face (the installed bundle leaves the 19.5 MB collection out: the
.deb recommends fonts-noto-cjk, UOS and Kylin ship Noto/Source Han Sans, Windows has Microsoft YaHei UI and
JhengHei UI), and — on a system with no CJK face at all — the documents' own faces (仿宋 then Song: each is a
subset, together they cover what the documents print), so that Chinese never shows as tofu boxes. Which case
applied is logged once per language (family names only).

Rare name characters (生僻字 such as 𠮷 or 䶮, CJK Extensions A and B) that the chosen face lacks are drawn
from the document faces (always shipped: the documents embed them), registered with Qt and listed after the
UI face in the application font's families.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase, QRawFont
from PySide6.QtWidgets import QApplication

from fzmediate.resources import resource

log = logging.getLogger(__name__)

FONT_FILE = ("fonts", "NotoSansCJK-Regular.ttc")
#: The document faces the UI falls back to, in the documents' body order (fzmediate.documents.fonts.BODY_CHAIN):
#: the 仿宋 body face and the Song face, then the rare-character faces. Each is a subset for the printable
#: repertoire (GB 18030 levels 1 and 2 and the names supplement), so only the chain as a whole covers it.
FALLBACK_FILES = (
    ("DocFangsong", "docfangsong-zhuque.ttf"),
    ("DocSong", "docsong-uming-cn.ttf"),
    ("DocHanaMinA", "docfallback-hanamina.ttf"),
    ("DocHanaMinB", "docfallback-hanaminb.ttf"),
    ("DocBabelStone", "docfallback-babelstonehan.ttf"),
)
DOCUMENT_BODY = "DocFangsong"

# The collection holds one face per region; the glyph shapes follow each region's standard.
_SANS = {"zh_CN": "Noto Sans CJK SC", "zh_TW": "Noto Sans CJK TC", "en": "Noto Sans CJK SC"}
_MONO = {"zh_CN": "Noto Sans Mono CJK SC", "zh_TW": "Noto Sans Mono CJK TC", "en": "Noto Sans Mono CJK SC"}
#: The platforms' CJK UI faces, best first: Debian/UOS/Kylin (Noto, Source Han, WenQuanYi), Windows, macOS.
_SYSTEM_SANS: dict[str, tuple[str, ...]] = {
    "zh_CN": (
        "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Microsoft YaHei UI", "Microsoft YaHei",
        "PingFang SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans SC",
    ),
    "zh_TW": (
        "Noto Sans CJK TC", "Source Han Sans TC", "Source Han Sans TW", "Microsoft JhengHei UI",
        "Microsoft JhengHei", "PingFang TC", "Noto Sans TC",
    ),
}  # fmt: skip
_SYSTEM_MONO: dict[str, tuple[str, ...]] = {
    "zh_CN": ("Noto Sans Mono CJK SC", "Sarasa Mono SC"),
    "zh_TW": ("Noto Sans Mono CJK TC", "Sarasa Mono TC"),
}

_families: list[str] | None = None
_fallbacks: list[str] | None = None
_reported: set[str] = set()
_raw_fonts: dict[str, list[QRawFont]] = {}


def shipped_families() -> list[str]:
    """Register the shipped UI font once, where it ships; return its families (empty where it does not)."""
    global _families
    if _families is None:
        path = resource(*FONT_FILE)
        font_id = QFontDatabase.addApplicationFont(str(path)) if path.is_file() else -1
        if font_id < 0 and path.is_file():
            log.error("could not load the shipped font %s", path.name)
        _families = list(QFontDatabase.applicationFontFamilies(font_id)) if font_id >= 0 else []
    return _families


def fallback_families() -> list[str]:
    """Register the document faces the UI falls back to, once; return the families that loaded, in order."""
    global _fallbacks
    if _fallbacks is None:
        _fallbacks = []
        for family, file in FALLBACK_FILES:
            path = resource("fonts", file)
            font_id = QFontDatabase.addApplicationFont(str(path)) if path.is_file() else -1
            if font_id >= 0 and family in QFontDatabase.applicationFontFamilies(font_id):
                _fallbacks.append(family)
            else:
                log.error("could not load the fallback font %s; rare characters may not render", file)
    return _fallbacks


def _system_family(table: dict[str, tuple[str, ...]], locale: str, *, any_chinese: bool) -> str | None:
    """The platform's best CJK face for ``locale`` from ``table`` (then the other region's); with
    ``any_chinese``, else the first face Qt lists for Chinese that is not one of the app's own."""
    installed = set(QFontDatabase.families())
    wanted = table.get(locale, table["zh_CN"]) + tuple(f for k, faces in table.items() if k != locale for f in faces)
    found = next((family for family in wanted if family in installed), None)
    if found is not None or not any_chinese:
        return found
    system = QFontDatabase.WritingSystem
    for writing in (system.SimplifiedChinese, system.TraditionalChinese):
        for family in QFontDatabase.families(writing):
            if not family.startswith("Doc") and family not in shipped_families():
                return family
    return None


def _pick(table: dict[str, str], locale: str, *, mono: bool) -> str | None:
    families = shipped_families()
    wanted = table.get(locale, table["zh_CN"])
    if wanted in families:
        return wanted
    fallback = [f for f in families if ("Mono" in f) == mono]
    return fallback[0] if fallback else None


def sans_family(locale: str) -> str | None:
    """The UI face for ``locale``: the shipped one, else the platform's, else the documents' body face."""
    family = _pick(_SANS, locale, mono=False)
    source = "shipped"
    if family is None:
        family, source = _system_family(_SYSTEM_SANS, locale, any_chinese=True), "system"
    if family is None:
        has_body = DOCUMENT_BODY in fallback_families()
        family = DOCUMENT_BODY if has_body else None
        source = "the documents' faces: no CJK UI font on this system" if has_body else "none: Chinese may not render"
    if locale not in _reported:
        _reported.add(locale)
        log.info("UI font for %s: %s (%s)", locale, family, source)
    return family


def mono_family(locale: str) -> str | None:
    """The monospace face for ``locale``: the shipped or the platform's CJK one (None: Qt's monospace face)."""
    return _pick(_MONO, locale, mono=True) or _system_family(_SYSTEM_MONO, locale, any_chinese=False)


def ui_families(primary: str | None) -> list[str]:
    """The application font's families: ``primary``, then the document faces for what it lacks."""
    return list(dict.fromkeys(f for f in (primary, *fallback_families()) if f is not None))


def ui_draws(char: str, locale: str) -> bool:
    """Whether the UI's faces for ``locale`` (the UI face or a document face behind it) draw ``char``
    (everything passes when none could be loaded)."""
    faces = _raw_fonts.get(locale)
    if faces is None:
        loaded = (QRawFont.fromFont(QFont(family)) for family in ui_families(sans_family(locale)))
        faces = _raw_fonts[locale] = [face for face in loaded if face.isValid()]
    return not faces or any(face.supportsCharacter(ord(char)) for face in faces)


def install_app_font(app: QApplication, locale: str, *, point_size: float = 11.0, scale: float = 1.0) -> QFont:
    """Make the UI face (the one for ``locale``, with the rare-character faces behind it) the application font,
    at ``point_size × scale`` (the text size setting: every widget that does not set its own size follows it)."""
    font = QFont(app.font())
    families = ui_families(sans_family(locale))
    if families:
        font.setFamilies(families)
    font.setPointSizeF(round(point_size * scale, 1))
    app.setFont(font)
    return font


def monospace_font(locale: str, point_size: float) -> QFont:
    """A monospace face (for codes that are read aloud or copied by hand), CJK where one is there."""
    font = QFont()
    family = mono_family(locale)
    if family is not None:
        font.setFamilies(ui_families(family))
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setFixedPitch(True)
    font.setPointSizeF(point_size)
    return font
