"""What the PyInstaller bundle leaves out (used by ``fzmediate.spec`` and checked by tests/packaging).

PySide6's hooks collect whole plugin folders and every Qt library those plugins link, so a Widgets app
would carry QML, Quick, the virtual keyboard, Wayland and 14 MB of translations. The bundle keeps only the
Qt plugins, libraries and translations the desk and kiosk use; everything else is dropped here by name.
"""

from __future__ import annotations

import re

#: Python packages never imported by the desk or kiosk: the district server (the ``server`` extra), the
#: test and dev tools, and Qt modules the app does not use.
EXCLUDED_MODULES = [
    "fzmediate.server",
    "fastapi",
    "starlette",
    "uvicorn",
    "psycopg",
    "psycopg_binary",
    "psycopg_pool",
    "pytest",
    "_pytest",
    "pytestqt",
    "xdist",
    "hypothesis",
    "mypy",
    "ruff",
    "playwright",
    "schemathesis",
    "opencc",
    "tests",
    "bench",
    "tools",
    "tkinter",
    "IPython",
    "readline",
    "curses",
    # Parts of Pillow and lxml nothing here uses (AVIF images, Tk; lxml's objectify, HTML and Schematron).
    "PIL._avif",
    "PIL.AvifImagePlugin",
    "PIL._imagingtk",
    "PIL.ImageTk",
    "lxml.objectify",
    "lxml.html",
    "lxml.isoschematron",
    # phonenumbers' geocoding, carrier and time-zone data (20 MB of source): only parsing and validation are used.
    "phonenumbers.geocoder",
    "phonenumbers.geodata",
    "phonenumbers.carrier",
    "phonenumbers.carrierdata",
    "phonenumbers.timezone",
    "phonenumbers.tzdata",
    # fontTools: only pyHanko's OpenType stamp fonts import it (and need uharfbuzz, not installed); the
    # fonts are subset by resources/fonts/build_subsets.py at development time.
    "fontTools",
    # Only fallbacks nothing reaches: python-stdnum's SOAP client (requests) and its pkg_resources fallback
    # (importlib.resources serves its data), pydantic's v1 shim and mypy plugin, pydoc's help topics,
    # cffi's build helpers (distutils).
    "requests",
    "urllib3",
    "pkg_resources",
    "pydantic.v1",
    "pydantic.mypy",
    "pydoc_data",
    "distutils",
    # ReportLab's encoding guess for XMP files it reads from a path (the app writes its own XMP: pdfa.py).
    "charset_normalizer",
    # Python's Japanese and Korean codecs (the Chinese ones stay) and greenlet (SQLAlchemy's asyncio only).
    "_codecs_jp",
    "_codecs_kr",
    "_codecs_iso2022",
    "greenlet",
    # httpx's own command line (and what only it imports).
    "httpx._main",
    "rich",
    "pygments",
    "click",
    "PyInstaller",
    "setuptools",
    "pip",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2",
    "PySide6.QtQuickTest",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtDesigner",
    "PySide6.QtHelp",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtUiTools",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtSvgWidgets",
    "PySide6.QtXml",
    "PySide6.QtConcurrent",
    "PySide6.QtLabsStyleKit",
    "PySide6.QtQmlFeatures",
]

#: Qt plugins kept, by folder and base name (lib…so on Linux, ….dll on Windows). Platforms: X11 and the
#: offscreen one (tests, benchmarks); image formats the attachments and icons use; SVG icons; input methods
#: (compose keys, IBus); printing through CUPS; Windows' own style.
KEPT_PLUGINS = {
    "platforms": {"qxcb", "qoffscreen", "qwindows"},
    "xcbglintegrations": {"qxcb-egl-integration", "qxcb-glx-integration"},
    "imageformats": {"qjpeg", "qsvg", "qtiff", "qwebp", "qgif", "qico"},
    "iconengines": {"qsvgicon"},
    "platforminputcontexts": {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"},
    "printsupport": {"cupsprintersupport", "windowsprintersupport"},
    "styles": {"qmodernwindowsstyle", "qwindowsvistastyle"},
}

#: Qt libraries no kept plugin or module needs (pulled in by the plugins dropped above). Qt6Network stays: the
#: PDF module links it.
DROPPED_QT_LIBRARIES = re.compile(
    r"Qt6(Qml|Quick|VirtualKeyboard|Wayland|WebEngine|WebChannel|Designer|Help|Sql|Test|UiTools|OpenGLWidgets"
    r"|SvgWidgets|Xml|Concurrent|LabsStyleKit|ShaderTools|Positioning|WlShell|EglFs|VncSupport"
    r"|3D|Charts|DataVisualization|Graphs|Multimedia|Sensors|SerialPort|Bluetooth|Nfc|Location|RemoteObjects"
    r"|Scxml|StateMachine|OpenGL|EglFS|WebSockets|WebView|HttpServer|SpatialAudio|TextToSpeech)"
)
#: Libraries of the system kept in the bundle: those the Python runtime's own extension modules link (ssl,
#: hashlib, ctypes, sqlite3, lzma, bz2, expat, zlib, decimal, uuid).
SYSTEM_LIBRARIES_KEPT = re.compile(r"lib(python3|ssl|crypto|ffi|sqlite3|lzma|bz2|expat|z|mpdec|uuid)\b[.\d]*\.so")
#: PySide6's Python modules of Qt modules the app never imports, and the QML support library.
DROPPED_PYSIDE_MODULES = re.compile(
    r"(libpyside6qml|Qt(Qml|Quick|Designer|Help|Sql|Test|UiTools|Network|Xml|DBus)\w*\.(abi3|pyd))"
)
#: Kept from the PySide6-Addons wheel, if the gui extra brings it in: only the text-to-speech module.
KEPT_ADDON_LIBRARIES = re.compile(r"Qt6TextToSpeech|QtTextToSpeech")

#: Qt's own translations kept: qtbase (dialog buttons, the print dialog) in the two Chinese UI languages.
KEPT_QT_TRANSLATIONS = {"qtbase_zh_CN.qm", "qtbase_zh_TW.qm"}

#: Babel's locale data kept (35 MB for 1,100 locales otherwise): the three UI languages and their parents.
BABEL_LOCALES_KEPT = re.compile(r"(root|en|en_001|en_150|en_US|en_GB|zh|zh_Hans(_\w+)?|zh_Hant(_\w+)?)\.dat$")

#: python-stdnum's data files the app reads (the Chinese region codes behind resident ID checks); the others
#: (MAC OUI, IMSI, IBAN, ISBN … 2.1 MB) belong to number formats it never validates.
STDNUM_DATA_KEPT = {"stdnum/cn/loc.dat"}

#: Files under resources/ the app never reads (the same as the wheel's, setup.py).
RESOURCES_LEFT_OUT = ("source", "README.md", "build_subsets.py", "*.po", "*.pot", "*.cfg", "__pycache__")
#: Left out of the bundle only (a checkout and the wheel keep it for `make run`): the UI's Noto Sans CJK
#: collection (19.5 MB). The installed app uses the platform's CJK UI face (the .deb recommends
#: fonts-noto-cjk; UOS, Kylin and Windows have one) with the document faces behind it for rare characters,
#: and the documents' faces alone where there is none (ui/fonts.py).
UI_FONT_LEFT_OUT = {"NotoSansCJK-Regular.ttc", "LICENSE-NotoSansCJK.txt"}


def _parts(dest: str) -> list[str]:
    return dest.replace("\\", "/").split("/")


def _plugin_name(filename: str) -> str:
    name = filename.split(".")[0]
    return name[3:] if name.startswith("lib") else name


def keep_binary(dest: str, src: str = "") -> bool:
    """Whether a collected binary (its path inside the bundle; ``src``, where it was found) belongs in the
    bundle. Libraries of the operating system (X11/xcb, GL, fontconfig, GLib, D-Bus, CUPS …) are left to the
    system — the .deb depends on their packages (installer/deb/control.in) — except the few the Python
    runtime itself links, which are kept so that the bundle's Python matches the one it was built with."""
    parts = _parts(dest)
    name = parts[-1]
    if "plugins" in parts[:-2]:
        folder = parts[parts.index("plugins") + 1]
        return folder == "texttospeech" or _plugin_name(name) in KEPT_PLUGINS.get(folder, set())
    if _is_system_library(src) and not SYSTEM_LIBRARIES_KEPT.match(name):
        return False
    if KEPT_ADDON_LIBRARIES.search(name):
        return True
    if DROPPED_QT_LIBRARIES.search(name):
        return False
    # PySide6's Python modules of Qt modules never imported (QtQml.abi3.so …) and the QML support library.
    return not DROPPED_PYSIDE_MODULES.match(name)


def _is_system_library(src: str) -> bool:
    src = src.replace("\\", "/")
    return src.startswith(("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/")) and "-packages/" not in src


Entry = tuple[str, str, str]  # PyInstaller's (name in the bundle, source, type code)


def prune(binaries: list[Entry], datas: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    """The analysis' binaries and data files less what the bundle leaves out; a symbolic link PyInstaller
    made to a dropped library goes with it."""
    kept_binaries = [entry for entry in binaries if keep_binary(entry[0], entry[1])]
    kept_names = {entry[0].replace("\\", "/") for entry in kept_binaries}
    kept_datas = [
        entry
        for entry in datas
        if (entry[1].replace("\\", "/") in kept_names if entry[2] == "SYMLINK" else keep_data(entry[0]))
    ]
    return kept_binaries, kept_datas


def keep_data(dest: str) -> bool:
    """Whether a collected data file belongs in the bundle."""
    parts = _parts(dest)
    if parts[:2] == ["resources", "fonts"] and parts[-1] in UI_FONT_LEFT_OUT:
        return False
    if parts[0] == "stdnum" and parts[-1].endswith(".dat"):
        return "/".join(parts) in STDNUM_DATA_KEPT
    if "locale-data" in parts and "babel" in parts:
        return BABEL_LOCALES_KEPT.match(parts[-1]) is not None
    if "PySide6" in parts:
        if "translations" in parts:
            return parts[-1] in KEPT_QT_TRANSLATIONS
        # QML modules, the QML tooling and any plugin data come only with what was dropped.
        return not ({"qml", "qmltooling", "metatypes", "typesystems", "glue", "include", "doc"} & set(parts))
    return True
